/**
 * Routing and escalation settings with their defaults. None of these figures is in
 * FACTS.md: they are the project's starting points, and every one is configuration.
 */
import nodeCron from 'node-cron';
import { ALERT_TYPES, SEVERITIES, type AlertType, type Severity } from '@gridsafe/shared';

export interface WorkOrderSettings {
  /** Skill an alert type calls for. */
  skillByType: Record<AlertType, string>;
  /** Time to acknowledge before the order is escalated to the area lead, per severity. */
  ackWithinMs: Record<Severity, number>;
  /** node-cron schedule of the escalation check (seconds field allowed). */
  escalationCron: string;
  /** Who receives escalations in an area without a lead. */
  fallbackEscalation: string | null;
  attachments: { maxBytes: number; maxPerOrder: number };
}

export const DEFAULT_WORK_ORDER_SETTINGS: WorkOrderSettings = {
  skillByType: {
    overload: 'high_voltage',
    voltage_deviation: 'high_voltage',
    phase_unbalance: 'high_voltage',
    low_power_factor: 'high_voltage',
    residual_current: 'fire_safety',
    over_temperature: 'fire_safety',
    capacity_violation: 'metering',
    ct_secondary_overlimit: 'metering',
    consumption_anomaly: 'metering',
    suspected_tamper: 'metering',
    comm_loss: 'communications',
    overload_forecast: 'high_voltage',
    line_loss_abnormal: 'metering',
  },
  // A leakage or overheating alarm is a fire risk: a quarter of an hour to answer.
  ackWithinMs: { critical: 15 * 60_000, warning: 60 * 60_000, info: 4 * 60 * 60_000 },
  escalationCron: '*/30 * * * * *',
  fallbackEscalation: null,
  // Phone photos are 2–8 MB; 10 MB leaves room without letting one upload fill the disk.
  attachments: { maxBytes: 10 * 1024 * 1024, maxPerOrder: 20 },
};

/** Merges operator settings over the defaults; throws naming the field that is wrong. */
export function parseWorkOrderSettings(raw: unknown, where: string): WorkOrderSettings {
  const d = DEFAULT_WORK_ORDER_SETTINGS;
  if (raw === undefined || raw === null) return d;
  const src = asObject(raw, where);
  const known = ['skillByType', 'ackWithinMinutes', 'escalationCron', 'fallbackEscalation', 'attachments'];
  for (const key of Object.keys(src))
    if (!known.includes(key)) throw new Error(`${where}.${key}: unknown setting (known: ${known.join(', ')})`);
  const skillByType = { ...d.skillByType };
  for (const [type, skill] of Object.entries(asObject(src['skillByType'] ?? {}, `${where}.skillByType`))) {
    if (!(ALERT_TYPES as readonly string[]).includes(type))
      throw new Error(`${where}.skillByType.${type}: not an alert type (${ALERT_TYPES.join(', ')})`);
    if (typeof skill !== 'string' || !/^[a-z0-9_-]{1,40}$/.test(skill))
      throw new Error(`${where}.skillByType.${type}: a skill name like "fire_safety" is expected`);
    skillByType[type as AlertType] = skill;
  }
  const ackWithinMs = { ...d.ackWithinMs };
  for (const [severity, minutes] of Object.entries(
    asObject(src['ackWithinMinutes'] ?? {}, `${where}.ackWithinMinutes`),
  )) {
    if (!(SEVERITIES as readonly string[]).includes(severity))
      throw new Error(`${where}.ackWithinMinutes.${severity}: not a severity (${SEVERITIES.join(', ')})`);
    if (typeof minutes !== 'number' || !(minutes > 0) || minutes > 7 * 24 * 60)
      throw new Error(
        `${where}.ackWithinMinutes.${severity}: minutes from 0 to 10080 expected, got ${JSON.stringify(minutes)}`,
      );
    ackWithinMs[severity as Severity] = Math.round(minutes * 60_000);
  }
  const cron = src['escalationCron'] ?? d.escalationCron;
  if (typeof cron !== 'string' || !nodeCron.validate(cron))
    throw new Error(`${where}.escalationCron: a cron expression like "*/30 * * * * *" is expected`);
  const fallback = src['fallbackEscalation'] ?? d.fallbackEscalation;
  if (fallback !== null && typeof fallback !== 'string')
    throw new Error(`${where}.fallbackEscalation: a user name or null is expected`);
  const att = asObject(src['attachments'] ?? {}, `${where}.attachments`);
  const maxBytes = att['maxBytes'] ?? d.attachments.maxBytes;
  const maxPerOrder = att['maxPerOrder'] ?? d.attachments.maxPerOrder;
  if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1024 || maxBytes > 100 * 1024 * 1024) {
    throw new Error(`${where}.attachments.maxBytes: whole bytes from 1024 to 104857600 expected`);
  }
  if (typeof maxPerOrder !== 'number' || !Number.isInteger(maxPerOrder) || maxPerOrder < 1)
    throw new Error(`${where}.attachments.maxPerOrder: a whole number ≥ 1 expected`);
  return {
    skillByType,
    ackWithinMs,
    escalationCron: cron,
    fallbackEscalation: fallback,
    attachments: { maxBytes, maxPerOrder },
  };
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${where}: must be an object`);
  return value as Record<string, unknown>;
}
