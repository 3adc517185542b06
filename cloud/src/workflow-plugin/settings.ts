/**
 * The `workflow` section of the cloud's config file: time zone, penalty rules, routing
 * and escalation, notification delivery, inspector profiles and webhooks to provision.
 * Checked at start-up; every problem names the file and the field.
 */
import {
  ConfigError,
  ConfigSource,
  OneOf,
  Section,
  Type,
  isValidTimeZone,
  problemAt,
  schemaProblems,
  type FieldPath,
  type Static,
  NOTIFICATION_KINDS,
  type NotificationKind,
} from '@gridsafe/shared';
import type { Message } from '@gridsafe/shared';
import { formatMessage } from '../messages/catalog.js';
import { PENALTY_SCHEMA, penaltyRulesOf, type PenaltyRules } from '../cases/penalty.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../notifications/backoff.js';
import {
  WORK_ORDER_SCHEMA,
  workOrderSettingsOf,
  workOrderSettingsProblem,
  type WorkOrderSettings,
} from '../workorders/settings.js';
import type { InspectorProfile } from '../workorders/inspectors.js';

export interface NotificationSettings {
  groupWaitMs: number;
  timeoutMs: number;
  concurrency: number;
  pollMs: number;
  backoff: BackoffPolicy;
}

export interface WebhookProvision {
  url: string;
  secret: string;
  kinds: NotificationKind[];
  areas: string[];
}

export interface WorkflowSettings {
  /** Zone in which people read times (stored in UTC). */
  timeZone: string;
  /** Per-site zones where a site is elsewhere. */
  siteTimeZones: Record<string, string>;
  penalty: PenaltyRules;
  workorders: WorkOrderSettings;
  notifications: NotificationSettings;
  inspectors: Record<string, InspectorProfile>;
  webhooks: WebhookProvision[];
}

// FACTS.md: Grafana groups alert notifications with a 30 s wait.
export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = {
  groupWaitMs: 30_000,
  timeoutMs: 5_000,
  concurrency: 4,
  pollMs: 1_000,
  backoff: DEFAULT_BACKOFF,
};

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const nonEmpty = Type.String({ minLength: 1 });
const optional = Type.Optional;

/** The `workflow` section of the config file (TypeBox, checked by the shared validator). */
export const WORKFLOW_SCHEMA = Section({
  timeZone: optional(nonEmpty),
  siteTimeZones: optional(Type.Record(Type.String(), nonEmpty)),
  penalty: optional(PENALTY_SCHEMA),
  workorders: optional(WORK_ORDER_SCHEMA),
  notifications: optional(
    Section({
      groupWaitSeconds: optional(Type.Number({ minimum: 0, maximum: 3600 })),
      timeoutSeconds: optional(Type.Number({ minimum: 0.1, maximum: 120 })),
      concurrency: optional(Type.Integer({ minimum: 1, maximum: 64 })),
      pollMs: optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
      maxAttempts: optional(Type.Integer({ minimum: 1, maximum: 100 })),
      backoffBaseSeconds: optional(Type.Number({ minimum: 0.01, maximum: 3600 })),
      backoffMaxSeconds: optional(Type.Number({ minimum: 0.01, maximum: 86_400 })),
    }),
  ),
  inspectors: optional(
    Type.Record(
      Type.String(),
      Section({
        name: optional(nonEmpty),
        skills: optional(
          Type.Array(Type.String({ pattern: '^[a-z0-9_-]{1,40}$', hint: 'must be a skill name like "fire_safety"' })),
        ),
        lead: optional(Type.Boolean()),
        active: optional(Type.Boolean()),
      }),
    ),
  ),
  webhooks: optional(
    Type.Array(
      Section({
        url: nonEmpty,
        secret: Type.String({ minLength: 16 }),
        kinds: optional(Type.Array(OneOf(NOTIFICATION_KINDS))),
        areas: optional(Type.Array(nonEmpty)),
      }),
    ),
  ),
});

type WorkflowFile = Static<typeof WORKFLOW_SCHEMA>;

/**
 * The workflow settings over their defaults. `source` places the section in its file
 * (at `workflow`), so every problem names file, line, column and field; all are
 * reported at once as a ConfigError.
 */
export function parseWorkflowSettings(
  raw: unknown,
  source: ConfigSource = ConfigSource.fromData({ workflow: raw }, 'workflow settings'),
  env: NodeJS.ProcessEnv = process.env,
): WorkflowSettings {
  const data = structuredClone(raw ?? {});
  const at = ['workflow'];
  const schemaFailures = schemaProblems(WORKFLOW_SCHEMA, data, source, at);
  if (schemaFailures.length > 0) throw new ConfigError(schemaFailures);
  const src = data as WorkflowFile;
  const problems: string[] = [];
  const problem = (path: FieldPath, message: string) => problems.push(problemAt(source, [...at, ...path], message));

  const envZone = env['GRIDSAFE_TIME_ZONE'];
  const timeZone = envZone || src.timeZone || DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) {
    const message = `"${timeZone}" is not an IANA time zone such as Asia/Shanghai`;
    if (envZone) problems.push(`environment variable GRIDSAFE_TIME_ZONE: ${message}`);
    else problem(['timeZone'], message);
  }
  const siteTimeZones = src.siteTimeZones ?? {};
  for (const [site, zone] of Object.entries(siteTimeZones))
    if (!isValidTimeZone(zone)) problem(['siteTimeZones', site], `"${zone}" is not an IANA time zone`);
  (src.webhooks ?? []).forEach((hook, i) => {
    const wrong = checkWebhookUrl(hook.url);
    if (wrong) problem(['webhooks', i, 'url'], formatMessage(wrong, 'en'));
  });
  const cron = src.workorders ? workOrderSettingsProblem(src.workorders) : undefined;
  if (cron) problem(['workorders', cron[0]], cron[1]);
  if (problems.length > 0) throw new ConfigError(problems);

  const n = src.notifications ?? {};
  const d = DEFAULT_NOTIFICATION_SETTINGS;
  const seconds = (value: number | undefined, fallbackMs: number) =>
    value === undefined ? fallbackMs : Math.round(value * 1000);
  return {
    timeZone,
    siteTimeZones,
    penalty: penaltyRulesOf(src.penalty),
    workorders: workOrderSettingsOf(src.workorders),
    notifications: {
      groupWaitMs: seconds(n.groupWaitSeconds, d.groupWaitMs),
      timeoutMs: seconds(n.timeoutSeconds, d.timeoutMs),
      concurrency: n.concurrency ?? d.concurrency,
      pollMs: n.pollMs ?? d.pollMs,
      backoff: {
        maxAttempts: n.maxAttempts ?? d.backoff.maxAttempts,
        baseMs: seconds(n.backoffBaseSeconds, d.backoff.baseMs),
        maxMs: seconds(n.backoffMaxSeconds, d.backoff.maxMs),
      },
    },
    inspectors: Object.fromEntries(
      Object.entries(src.inspectors ?? {}).map(([id, p]): [string, InspectorProfile] => [
        id,
        {
          skills: p.skills ?? [],
          lead: p.lead ?? false,
          active: p.active ?? true,
          ...(p.name ? { name: p.name } : {}),
        },
      ]),
    ),
    webhooks: (src.webhooks ?? []).map((hook) => ({
      url: hook.url,
      secret: hook.secret,
      kinds: hook.kinds ?? [],
      areas: hook.areas ?? [],
    })),
  };
}

/** Null when the URL is usable for a webhook, else what is wrong with it. */
export function checkWebhookUrl(value: unknown): Message | null {
  if (typeof value !== 'string') return { code: 'webhook.url_expected' };
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return { code: 'webhook.url_scheme', params: { scheme: url.protocol } };
    if (url.username || url.password) return { code: 'webhook.url_credentials' };
    return null;
  } catch {
    return { code: 'webhook.url_invalid', params: { value } };
  }
}
