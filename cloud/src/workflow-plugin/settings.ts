/**
 * The `workflow` section of the cloud's config file: time zone, penalty rules, routing
 * and escalation, notification delivery, inspector profiles and webhooks to provision.
 * Checked at start-up; every problem names the file and the field.
 */
import { isValidTimeZone } from '../cases/html.js';
import { parsePenaltyRules, type PenaltyRules } from '../cases/penalty.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../notifications/backoff.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../notifications/types.js';
import { parseWorkOrderSettings, type WorkOrderSettings } from '../workorders/settings.js';
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

export function parseWorkflowSettings(
  raw: unknown,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): WorkflowSettings {
  const src = raw === undefined || raw === null ? {} : obj(raw, where);
  const known = ['timeZone', 'siteTimeZones', 'penalty', 'workorders', 'notifications', 'inspectors', 'webhooks'];
  for (const key of Object.keys(src))
    if (!known.includes(key)) throw new Error(`${where}.${key}: unknown setting (known: ${known.join(', ')})`);

  const envZone = env['GRIDSAFE_TIME_ZONE'];
  const timeZone = envZone || src['timeZone'] || DEFAULT_TIME_ZONE;
  const zoneWhere = envZone ? 'environment variable GRIDSAFE_TIME_ZONE' : `${where}.timeZone`;
  if (typeof timeZone !== 'string' || !isValidTimeZone(timeZone))
    throw new Error(`${zoneWhere}: "${String(timeZone)}" is not an IANA time zone such as Asia/Shanghai`);
  const siteTimeZones: Record<string, string> = {};
  for (const [site, zone] of Object.entries(obj(src['siteTimeZones'] ?? {}, `${where}.siteTimeZones`))) {
    if (typeof zone !== 'string' || !isValidTimeZone(zone))
      throw new Error(`${where}.siteTimeZones.${site}: "${String(zone)}" is not an IANA time zone`);
    siteTimeZones[site] = zone;
  }

  const n = obj(src['notifications'] ?? {}, `${where}.notifications`);
  const nKnown = [
    'groupWaitSeconds',
    'timeoutSeconds',
    'concurrency',
    'pollMs',
    'maxAttempts',
    'backoffBaseSeconds',
    'backoffMaxSeconds',
  ];
  for (const key of Object.keys(n))
    if (!nKnown.includes(key))
      throw new Error(`${where}.notifications.${key}: unknown setting (known: ${nKnown.join(', ')})`);
  const d = DEFAULT_NOTIFICATION_SETTINGS;
  const num = (value: unknown, field: string, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
      throw new Error(
        `${where}.notifications.${field}: a number from ${min} to ${max} expected, got ${JSON.stringify(value)}`,
      );
    return value;
  };
  const notifications: NotificationSettings = {
    groupWaitMs: Math.round(num(n['groupWaitSeconds'], 'groupWaitSeconds', d.groupWaitMs / 1000, 0, 3600) * 1000),
    timeoutMs: Math.round(num(n['timeoutSeconds'], 'timeoutSeconds', d.timeoutMs / 1000, 0.1, 120) * 1000),
    concurrency: Math.round(num(n['concurrency'], 'concurrency', d.concurrency, 1, 64)),
    pollMs: Math.round(num(n['pollMs'], 'pollMs', d.pollMs, 10, 60_000)),
    backoff: {
      maxAttempts: Math.round(num(n['maxAttempts'], 'maxAttempts', d.backoff.maxAttempts, 1, 100)),
      baseMs: Math.round(
        num(n['backoffBaseSeconds'], 'backoffBaseSeconds', d.backoff.baseMs / 1000, 0.01, 3600) * 1000,
      ),
      maxMs: Math.round(num(n['backoffMaxSeconds'], 'backoffMaxSeconds', d.backoff.maxMs / 1000, 0.01, 86_400) * 1000),
    },
  };

  const inspectors: Record<string, InspectorProfile> = {};
  for (const [id, value] of Object.entries(obj(src['inspectors'] ?? {}, `${where}.inspectors`))) {
    const at = `${where}.inspectors.${id}`;
    const p = obj(value, at);
    for (const key of Object.keys(p))
      if (!['name', 'skills', 'lead', 'active'].includes(key))
        throw new Error(`${at}.${key}: unknown setting (known: name, skills, lead, active)`);
    const skills = p['skills'] ?? [];
    if (!Array.isArray(skills) || !skills.every((s) => typeof s === 'string' && /^[a-z0-9_-]{1,40}$/.test(s)))
      throw new Error(`${at}.skills: a list of skill names like [fire_safety, metering] expected`);
    if (p['lead'] !== undefined && typeof p['lead'] !== 'boolean')
      throw new Error(`${at}.lead: true or false expected`);
    if (p['active'] !== undefined && typeof p['active'] !== 'boolean')
      throw new Error(`${at}.active: true or false expected`);
    if (p['name'] !== undefined && (typeof p['name'] !== 'string' || !p['name']))
      throw new Error(`${at}.name: a display name expected`);
    const profile: InspectorProfile = {
      skills: skills as string[],
      lead: (p['lead'] as boolean | undefined) ?? false,
      active: (p['active'] as boolean | undefined) ?? true,
    };
    if (typeof p['name'] === 'string') profile.name = p['name'];
    inspectors[id] = profile;
  }

  const hooks = src['webhooks'] ?? [];
  if (!Array.isArray(hooks)) throw new Error(`${where}.webhooks: a list of {url, secret, kinds?, areas?} expected`);
  const webhooks = hooks.map((value, i): WebhookProvision => {
    const at = `${where}.webhooks[${i}]`;
    const h = obj(value, at);
    for (const key of Object.keys(h))
      if (!['url', 'secret', 'kinds', 'areas'].includes(key))
        throw new Error(`${at}.${key}: unknown setting (known: url, secret, kinds, areas)`);
    const url = checkWebhookUrl(h['url']);
    if (url) throw new Error(`${at}.url: ${url}`);
    if (typeof h['secret'] !== 'string' || h['secret'].length < 16)
      throw new Error(`${at}.secret: a signing secret of at least 16 characters expected`);
    const kinds = h['kinds'] ?? [];
    if (!Array.isArray(kinds) || !kinds.every((k) => (NOTIFICATION_KINDS as readonly unknown[]).includes(k)))
      throw new Error(`${at}.kinds: a list of ${NOTIFICATION_KINDS.join(', ')} expected`);
    const areas = h['areas'] ?? [];
    if (!Array.isArray(areas) || !areas.every((a) => typeof a === 'string' && a))
      throw new Error(`${at}.areas: a list of area names expected`);
    return {
      url: h['url'] as string,
      secret: h['secret'],
      kinds: kinds as NotificationKind[],
      areas: areas as string[],
    };
  });

  return {
    timeZone,
    siteTimeZones,
    penalty: parsePenaltyRules(src['penalty'], `${where}.penalty`),
    workorders: parseWorkOrderSettings(src['workorders'], `${where}.workorders`),
    notifications,
    inspectors,
    webhooks,
  };
}

/** Null when the URL is usable for a webhook, else what is wrong with it. */
export function checkWebhookUrl(value: unknown): string | null {
  if (typeof value !== 'string') return 'an http:// or https:// URL expected';
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${url.protocol}" is not http: or https:`;
    if (url.username || url.password) return 'put credentials in the signing secret, not in the URL';
    return null;
  } catch {
    return `"${value}" is not a URL`;
  }
}

function obj(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where}: must be an object`);
  return value as Record<string, unknown>;
}
