/** The API's records as the console reads them. */

export interface Alert {
  id: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  state: 'open' | 'acknowledged' | 'resolved';
  subject: string;
  subjectKind?: string;
  openedAt: number;
  lastSeenAt: number;
  acknowledgedAt?: number | null;
  resolvedAt: number | null;
  evidence: Record<string, unknown>;
  notes?: Array<{ at: number; actor: string; action: string; note?: string }>;
  /** One alert per episode: the occurrences of a condition that paused and returned. */
  occurrences?: number;
  occurrenceLog?: Array<{ startedAt: number; endedAt: number | null; severity: string }>;
  /** The silence or maintenance window it was raised in; hidden from the default list until `until`. */
  silence?: { id: string; reason: string; until: number } | null;
}

export interface WorkOrder {
  id: string;
  alertId: string;
  alertType: string;
  severity: string;
  subject: string;
  area: string | null;
  site: string | null;
  skill: string;
  assignee: string | null;
  routing: string;
  state: 'open' | 'acknowledged' | 'on_site' | 'resolved';
  createdAt: number;
  acknowledgedAt: number | null;
  onSiteAt: number | null;
  resolvedAt: number | null;
  timeToAckMs: number | null;
  timeToResolveMs: number | null;
  ackDeadlineAt: number;
  escalatedAt: number | null;
  escalatedTo: string | null;
  resolution: string | null;
}

/** An inspector's routing profile (GET /api/v1/inspectors). */
export interface Inspector {
  id: string;
  name: string;
  areas: string[];
  skills: string[];
  lead: boolean;
  active: boolean;
}

export interface WorkOrderEvent {
  id: string;
  at: number;
  actor: string;
  action: string;
  note: string | null;
  detail: Record<string, unknown> | null;
}

export interface Attachment {
  id: string;
  at: number;
  author: string;
  fileName: string;
  mime: string;
  size: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface CaseRecord {
  id: string;
  customer: string;
  state: string;
  contractKva: number;
  maxDemandKw: number;
  excessKva: number;
  firstSeen: number;
  lastSeen: number;
  demandSeries: Array<[number, number]>;
  detail: Record<string, unknown>;
  openedAt: number;
  updatedAt: number;
  penalty: Penalty | null;
  history?: AuditEntry[];
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: string;
  from: string | null;
  to: string | null;
  note: string | null;
}

export interface Penalty {
  ruleSet: string;
  citation: string;
  note: string;
  tariff: string;
  addedKva: number;
  monthsUsed: number;
  items: Array<{ key: string; label: string; labelZh: string; formula: string; amountYuan: number; citation: string }>;
  totalYuan: number;
}

export interface Device {
  id: string;
  gateway: string;
  kind: string;
  transformer?: string;
  customer?: string;
}

/** The case workflow (GET /api/v1/cases/workflow): the moves from each state, and those that need a note. */
export interface CaseWorkflow {
  transitions: Record<string, string[]>;
  noteRequired: string[];
}

export interface Transformer {
  id: string;
  site: string;
  ratedKva: number;
  vectorGroup?: string;
  area?: string;
}

export interface Customer {
  id: string;
  name: string;
  contractKva: number;
  tariff: string;
}

/** GET /api/v1/transformers/{id}/loading */
export interface TransformerLoading {
  ratedKva: number;
  limits: { topOilC: number; hotSpotC: number; currentPu: number };
  ambient: string;
  meters: string[];
  points: Array<{ ts: number; kva: number | null; topOilC: number | null; hotSpotC: number | null }>;
}

/** GET /api/v1/customers/{id}/demand */
export interface CustomerDemand {
  contractKva: number;
  meters: string[];
  points: Array<{ ts: number; kva: number | null; kw: number | null }>;
}

/** GET /api/v1/forecasts/{transformers|customers}/{id}: hourly means with the interval. */
export interface Forecast {
  intervalLevel: number;
  points: Array<{ ts: number; value: number; low: number; high: number }>;
}
