/**
 * The boundary between the cloud's core (ingest, storage, registry, alert and case
 * stores) and detection. Detection sees the registry and the readings, and speaks
 * only through these stores; it never touches the database or the broker itself.
 */
import type {
  Alert,
  AlertType,
  Customer,
  Device,
  GatewayEvent,
  Severity,
  SubjectKind,
  TelemetryBatch,
  Transformer,
} from '@gridsafe/shared';

/**
 * A meter replacement or register reset as a technician recorded it: the register before
 * and after. The register rules of suspected_tamper take a step in the register at that
 * time as explained; an unrecorded step is the tamper signal.
 */
export interface MeterEvent {
  device: string;
  kind: 'replacement' | 'register_reset';
  /** When the meter was replaced or reset (ms, UTC). */
  at: number;
  /** Import register (kWh) of the old meter, or before the reset. */
  oldReadingKwh: number;
  /** Import register (kWh) of the new meter, or after the reset. */
  newReadingKwh: number;
  /** Who did it (the technician's name or id). */
  by: string;
  note?: string;
  /** Who recorded it through the API, and when. */
  recordedBy: string;
  recordedAt: number;
}

/** Read-only view of the registry, as it is when a batch is processed. */
export interface RegistryView {
  /** The device's recorded meter events, oldest first. */
  meterEvents(device: string): readonly MeterEvent[];
  device(id: string): Device | undefined;
  transformer(id: string): Transformer | undefined;
  customer(id: string): Customer | undefined;
  devicesOnTransformer(transformerId: string): readonly Device[];
  devicesOfCustomer(customerId: string): readonly Device[];
  devicesOfGateway(gatewayId: string): readonly Device[];
}

/** What a detector says when a condition holds (after its own debounce). */
export interface AlertSignal {
  type: AlertType;
  subject: string;
  subjectKind: SubjectKind;
  severity: Severity;
  /** Event time of the reading that confirmed the condition (ms, UTC). */
  ts: number;
  evidence: Record<string, unknown>;
}

export interface AlertStore {
  /**
   * Opens an alert, or updates the one already open (or acknowledged) for this type and
   * subject: lastSeenAt, evidence, and severity if it rose. One transaction, so a burst
   * of batches cannot open two.
   */
  raise(signal: AlertSignal): Promise<{ alert: Alert; opened: boolean }>;
  /**
   * Ends the present occurrence of the open alert of this type and subject without
   * resolving it: the episode is quiet. A later raise continues the same alert as a new
   * occurrence (CONTRACT.md: one alert per episode). Returns null when none is open.
   */
  pause(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>): Promise<Alert | null>;
  /** Resolves the open alert of this type and subject, if there is one. */
  clear(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>): Promise<Alert | null>;
}

export interface CapacityCaseEvidence {
  customer: string;
  contractKva: number;
  /** Highest 15-minute demand seen, kW (or kVA where only apparent power is known). */
  maxDemandKw: number;
  /**
   * Highest apparent 15-minute demand seen, kVA: beside kW, what the capacity rules are
   * about. Absent where no demand was measured (a case opened from a line-loss lead).
   */
  maxDemandKva?: number;
  excessKva: number;
  firstSeen: number;
  lastSeen: number;
  /** Demand series that shows the excess: [ts, kW] pairs. */
  demandSeries: Array<[number, number]>;
  detail: Record<string, unknown>;
}

export interface CaseStore {
  /** Opens a case for the customer, or adds the new evidence to its open one. Returns the case id. */
  openOrUpdate(evidence: CapacityCaseEvidence): Promise<string>;
}

/** Per-detector, per-subject state that must survive a restart (event-time windows, counters). */
export interface DetectorStateStore {
  load(detector: string, subject: string): Promise<unknown | undefined>;
  /**
   * Saves a subject's state. A write-behind store may keep the object and serialize it
   * only when it commits, so the state saved is the state as it is then: whoever commits
   * does so between two engine calls (detection-engine/runner.ts).
   */
  save(detector: string, subject: string, state: unknown): Promise<void>;
  /**
   * Removes a subject's state. A write-behind store commits the removal with the saves
   * handed to it before (in the same commit, or a later one), never ahead of them.
   */
  delete(detector: string, subject: string): Promise<void>;
}

export interface DetectionDependencies {
  registry: RegistryView;
  alerts: AlertStore;
  cases: CaseStore;
  state: DetectorStateStore;
  /** Per-detector settings from the cloud's configuration, overriding each detector's defaults. */
  settings: Record<string, Record<string, unknown>>;
  log: import('@gridsafe/shared').Logger;
}

/** What the core calls. Implementations process calls one at a time, in order. */
export interface DetectionEngine {
  /** Called once a batch is durably stored (never for a duplicate). */
  processBatch(batch: TelemetryBatch): Promise<void>;
  /** Called for each gateway event (comm_lost, comm_restored, ...). */
  processEvent(event: GatewayEvent): Promise<void>;
  /** Called by the core's clock for silence-based rules (deadman); `now` is wall-clock ms. */
  tick(now: number): Promise<void>;
  /** How many times so far a call changed alerts or cases (the host saves state soon after one). */
  changes(): number;
}
