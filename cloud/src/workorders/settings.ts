/**
 * Routing and escalation settings with their defaults. None of these figures is in
 * FACTS.md: they are the project's starting points, and every one is configuration.
 */
import nodeCron from 'node-cron';
import {
  ALERT_TYPES,
  ConfigError,
  ConfigSource,
  SEVERITIES,
  Section,
  Type,
  checkSchema,
  problemAt,
  type AlertType,
  type Severity,
  type Static,
} from '@gridsafe/shared';

export interface WorkOrderSettings {
  /** Skill an alert type calls for, where the configuration overrides the type's own (its metadata's defaultSkill). */
  skillByType: Partial<Record<AlertType, string>>;
  /** Time to acknowledge before the order is escalated to the area lead, per severity. */
  ackWithinMs: Record<Severity, number>;
  /** node-cron schedule of the escalation check (seconds field allowed). */
  escalationCron: string;
  /** Who receives escalations in an area without a lead. */
  fallbackEscalation: string | null;
  attachments: { maxBytes: number; maxPerOrder: number };
}

export const DEFAULT_WORK_ORDER_SETTINGS: WorkOrderSettings = {
  skillByType: {},
  // A leakage or overheating alarm is a fire risk: a quarter of an hour to answer.
  ackWithinMs: { critical: 15 * 60_000, warning: 60 * 60_000, info: 4 * 60 * 60_000 },
  escalationCron: '*/30 * * * * *',
  fallbackEscalation: null,
  // Phone photos are 2–8 MB; 10 MB leaves room without letting one upload fill the disk.
  attachments: { maxBytes: 10 * 1024 * 1024, maxPerOrder: 20 },
};

const skill = Type.String({ pattern: '^[a-z0-9_-]{1,40}$', hint: 'must be a skill name like "fire_safety"' });

/** The `workflow.workorders` settings (TypeBox, checked by the shared validator). */
export const WORK_ORDER_SCHEMA = Section({
  skillByType: Type.Optional(Section(Object.fromEntries(ALERT_TYPES.map((type) => [type, Type.Optional(skill)])))),
  ackWithinMinutes: Type.Optional(
    Section(
      Object.fromEntries(
        SEVERITIES.map((severity) => [
          severity,
          Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 7 * 24 * 60 })),
        ]),
      ),
    ),
  ),
  escalationCron: Type.Optional(Type.String({ minLength: 1 })),
  /** A user name, or null for none. */
  fallbackEscalation: Type.Optional(Type.Unsafe<string | null>({ type: ['string', 'null'] })),
  attachments: Type.Optional(
    Section({
      maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024 })),
      maxPerOrder: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
  ),
});

/** Problems the schema cannot see: the escalation schedule must be a cron expression. */
export function workOrderSettingsProblem(
  src: Static<typeof WORK_ORDER_SCHEMA>,
): [field: string, problem: string] | undefined {
  if (src.escalationCron !== undefined && !nodeCron.validate(src.escalationCron))
    return ['escalationCron', `"${src.escalationCron}" is not a cron expression like "*/30 * * * * *"`];
  return undefined;
}

/** Checked settings over the defaults. */
export function workOrderSettingsOf(src: Static<typeof WORK_ORDER_SCHEMA> | undefined): WorkOrderSettings {
  const d = DEFAULT_WORK_ORDER_SETTINGS;
  if (!src) return d;
  const ackWithinMs = { ...d.ackWithinMs };
  for (const [severity, minutes] of Object.entries(src.ackWithinMinutes ?? {}))
    if (minutes !== undefined) ackWithinMs[severity as Severity] = Math.round(minutes * 60_000);
  return {
    skillByType: { ...d.skillByType, ...(src.skillByType as Partial<Record<AlertType, string>>) },
    ackWithinMs,
    escalationCron: src.escalationCron ?? d.escalationCron,
    fallbackEscalation: src.fallbackEscalation === undefined ? d.fallbackEscalation : src.fallbackEscalation,
    attachments: { ...d.attachments, ...src.attachments },
  };
}

/** Work-order settings from a value in code; a ConfigError names `where` and the field. */
export function parseWorkOrderSettings(raw: unknown, where: string): WorkOrderSettings {
  if (raw === undefined || raw === null) return DEFAULT_WORK_ORDER_SETTINGS;
  const data = structuredClone(raw);
  const source = ConfigSource.fromData(data, where);
  const src = checkSchema(WORK_ORDER_SCHEMA, data, source);
  const problem = workOrderSettingsProblem(src);
  if (problem) throw new ConfigError([problemAt(source, [problem[0]], problem[1])]);
  return workOrderSettingsOf(src);
}
