/** Payload types of the wire contract v1 (CONTRACT.md). */
import type { Quantity } from './quantities.js';

export const READING_QUALITIES = ['good', 'stale', 'suspect'] as const;
export type ReadingQuality = (typeof READING_QUALITIES)[number];

export type ReadingValues = Partial<Record<Quantity, number>>;

export interface Reading {
  device: string;
  /** When the device was read, ms since the Unix epoch (UTC). */
  ts: number;
  values: ReadingValues;
  quality: ReadingQuality;
}

export interface TelemetryBatch {
  gateway: string;
  /** Per-gateway, strictly increasing, survives gateway restarts. */
  seq: number;
  sentAt: number;
  readings: Reading[];
}

export type GatewayState = 'online' | 'offline';

export interface GatewayStatus {
  state: GatewayState;
  since: number;
  version: string;
  /** Optional health figures (outbox depth, per-device and per-bus counters); extra fields are allowed. */
  health?: Record<string, unknown>;
}

export const KNOWN_EVENT_TYPES = [
  'comm_lost',
  'comm_restored',
  'config_applied',
  'outbox_overflow',
  'started',
] as const;

export interface GatewayEvent {
  gateway: string;
  seq: number;
  ts: number;
  device?: string;
  type: string;
  detail?: Record<string, unknown>;
}

export const ALERT_TYPES = [
  'overload',
  'capacity_violation',
  'ct_secondary_overlimit',
  'residual_current',
  'over_temperature',
  'voltage_deviation',
  'phase_unbalance',
  'low_power_factor',
  'consumption_anomaly',
  'suspected_tamper',
  'comm_loss',
  'overload_forecast',
  'line_loss_abnormal',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface Alert {
  id: string;
  type: AlertType;
  severity: Severity;
  state: AlertState;
  /** Device, transformer or customer id. */
  subject: string;
  openedAt: number;
  lastSeenAt: number;
  resolvedAt: number | null;
  /** The figures that triggered the alert. */
  evidence: Record<string, unknown>;
  /**
   * An alert is one episode (CONTRACT.md): a condition that pauses and returns within the
   * type's quiet period continues the same alert. How many times it has started ...
   */
  occurrences: number;
  /** ... when the first occurrence started (= openedAt) ... */
  firstOccurrenceAt: number;
  /** ... and when the latest one started. */
  lastOccurrenceAt: number;
}

export const CASE_STATES = ['new', 'under_review', 'field_check', 'confirmed', 'dismissed'] as const;
export type CaseState = (typeof CASE_STATES)[number];

export const TARIFFS = ['two_part', 'single'] as const;
export type Tariff = (typeof TARIFFS)[number];

export const DEVICE_KINDS = ['meter', 'terminal'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
