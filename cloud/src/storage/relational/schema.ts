/** Table types of the relational store (registry, alerts, cases, detector state, ingest ledger, users, audit). */
import type { Generated } from 'kysely';

export interface TransformerTable {
  id: string;
  site: string;
  rated_kva: number;
  vector_group: string | null;
  area: string | null;
  lat: number | null;
  lon: number | null;
  updated_at: number;
}

export interface CustomerTable {
  id: string;
  name: string;
  contract_kva: number;
  tariff: string;
  has_generation: number;
  updated_at: number;
}

export interface DeviceTable {
  id: string;
  gateway: string;
  kind: string;
  transformer: string | null;
  customer: string | null;
  ct_ratio: number;
  pt_ratio: number;
  ct_secondary_a: number;
  updated_at: number;
}

export interface GatewayTable {
  id: string;
  /** scrypt$N$r$p$salt$hash — never the secret itself. */
  secret_hash: string | null;
  status: string | null;
  status_at: number | null;
  last_seen_at: number | null;
  updated_at: number;
}

export interface AlertTable {
  id: string;
  type: string;
  severity: string;
  state: string;
  subject: string;
  subject_kind: string;
  opened_at: number;
  last_seen_at: number;
  acknowledged_at: number | null;
  resolved_at: number | null;
  evidence: string;
  notes: string;
  updated_at: number;
  occurrences: number;
  first_occurrence_at: number | null;
  last_occurrence_at: number | null;
  paused_at: number | null;
  /** JSON array of AlertOccurrence. */
  occurrence_log: string;
  /** The silence the alert was raised in (null: none), its reason, and until when it hides the alert. */
  silence_id: string | null;
  silence_reason: string | null;
  silenced_until: number | null;
}

export interface CaseTable {
  id: string;
  customer: string;
  state: string;
  contract_kva: number;
  max_demand_kw: number;
  excess_kva: number;
  first_seen: number;
  last_seen: number;
  evidence: string;
  penalty: string | null;
  created_at: number;
  updated_at: number;
  max_demand_kva: number | null;
  /** JSON of EquipmentFound, once the field check recorded it. */
  equipment: string | null;
}

export interface CaseHistoryTable {
  id: Generated<number>;
  case_id: string;
  at: number;
  actor: string;
  action: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  detail: string | null;
}

export interface DetectorStateTable {
  detector: string;
  subject: string;
  state: string;
  updated_at: number;
}

export interface IngestLedgerTable {
  gateway: string;
  seq: number;
  received_at: number;
  readings: number;
  first_ts: number | null;
  last_ts: number | null;
  /** The batch as JSON until detection has processed it, then null (replayed after a crash). */
  pending: string | null;
}

export interface GatewayEventTable {
  gateway: string;
  seq: number;
  ts: number;
  device: string | null;
  type: string;
  detail: string | null;
  received_at: number;
  /** 1 while a cluster's detection has not processed the event (0: processed, or detected in-process). */
  detection_pending: Generated<number>;
}

/** Live events of cluster instances, kept briefly for the others (cluster/live-fan-out.ts). */
export interface LiveEventTable {
  id: string;
  origin: string;
  at: number;
  event: string;
}

export interface ApiUserTable {
  name: string;
  role: string;
  areas: string;
  token_hash: string;
  token_id: string;
  created_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  target_kind: string;
  target_id: string;
  detail: string | null;
}

export interface MeterEventTable {
  id: Generated<number>;
  device: string;
  kind: string;
  at: number;
  old_reading_kwh: number;
  new_reading_kwh: number;
  by: string;
  note: string | null;
  recorded_by: string;
  recorded_at: number;
}

export interface SilenceTable {
  id: string;
  kind: string;
  target: string;
  target_kind: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  created_by: string;
  created_at: number;
  ended_at: number | null;
  ended_by: string | null;
}

export interface GatewayCommandTable {
  id: string;
  gateway: string;
  name: string;
  /** JSON, or null for none. */
  args: string | null;
  requested_by: string;
  requested_at: number;
  state: string;
  sent_at: number | null;
  finished_at: number | null;
  /** JSON: the detail of the gateway's command_done / command_rejected event. */
  result: string | null;
}

/** Cluster mode: backlog items done by one detection partition while others still have to process them. */
export interface DetectionDoneTable {
  kind: 'batch' | 'event';
  gateway: string;
  seq: number;
  partition: number;
}

export interface DatabaseSchema {
  transformers: TransformerTable;
  customers: CustomerTable;
  devices: DeviceTable;
  gateways: GatewayTable;
  alerts: AlertTable;
  cases: CaseTable;
  case_history: CaseHistoryTable;
  detector_state: DetectorStateTable;
  ingest_ledger: IngestLedgerTable;
  gateway_events: GatewayEventTable;
  live_events: LiveEventTable;
  api_users: ApiUserTable;
  audit_log: AuditLogTable;
  meter_events: MeterEventTable;
  silences: SilenceTable;
  gateway_commands: GatewayCommandTable;
  detection_done: DetectionDoneTable;
}
