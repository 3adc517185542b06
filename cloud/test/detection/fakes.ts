/**
 * In-memory stand-ins for the core's stores, for unit tests of detection only. They
 * keep the documented semantics of the interfaces in src/detector-kit/types.ts (one open
 * alert per type and subject, severity only rises, state round-trips through JSON as
 * a real store would); the real stores are tested by the core's own suites.
 */
import type { Alert, AlertOccurrence, AlertType, Customer, Device, Severity, Transformer } from '@gridsafe/shared';
import { createLogger } from '@gridsafe/shared';
import type {
  AlertSignal,
  AlertStore,
  CapacityCaseEvidence,
  CaseStore,
  DetectionDependencies,
  DetectorStateStore,
  MeterEvent,
  RegistryView,
} from '../../src/detector-kit/types.js';

export interface Fleet {
  transformers?: Transformer[];
  customers?: Customer[];
  devices?: Device[];
}

export class MemoryRegistry implements RegistryView {
  /** Recorded meter events, as the API would store them (tests push to it). */
  readonly recordedMeterEvents: MeterEvent[] = [];
  constructor(public fleet: Required<Fleet>) {}
  meterEvents(device: string) {
    return this.recordedMeterEvents.filter((e) => e.device === device);
  }
  device(id: string) {
    return this.fleet.devices.find((d) => d.id === id);
  }
  transformer(id: string) {
    return this.fleet.transformers.find((d) => d.id === id);
  }
  customer(id: string) {
    return this.fleet.customers.find((d) => d.id === id);
  }
  devicesOnTransformer(id: string) {
    return this.fleet.devices.filter((d) => d.transformer === id);
  }
  devicesOfCustomer(id: string) {
    return this.fleet.devices.filter((d) => d.customer === id);
  }
  devicesOfGateway(id: string) {
    return this.fleet.devices.filter((d) => d.gateway === id);
  }
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** An alert as the memory store keeps it: with its occurrence log and the end of the present occurrence while paused. */
export interface MemoryAlert extends Alert {
  pausedAt: number | null;
  occurrenceLog: AlertOccurrence[];
}

export class MemoryAlerts implements AlertStore {
  readonly alerts: MemoryAlert[] = [];
  /** Every call, in order, for tests of what the engine asked. */
  readonly calls: Array<{
    op: 'raise' | 'pause' | 'clear';
    type: AlertType;
    subject: string;
    ts: number;
    severity?: Severity;
  }> = [];
  private next = 1;
  async raise(signal: AlertSignal) {
    this.calls.push({
      op: 'raise',
      type: signal.type,
      subject: signal.subject,
      ts: signal.ts,
      severity: signal.severity,
    });
    const open = this.open(signal.type, signal.subject);
    if (open) {
      if (open.pausedAt !== null) {
        // A paused episode that returns: a new occurrence of the same alert.
        open.pausedAt = null;
        open.occurrences++;
        open.lastOccurrenceAt = signal.ts;
        open.occurrenceLog.push({ startedAt: signal.ts, endedAt: null, severity: signal.severity });
      }
      const present = open.occurrenceLog[open.occurrenceLog.length - 1]!;
      if (RANK[signal.severity] > RANK[present.severity]) present.severity = signal.severity;
      open.lastSeenAt = signal.ts;
      open.evidence = signal.evidence;
      if (RANK[signal.severity] > RANK[open.severity]) open.severity = signal.severity;
      return { alert: open, opened: false };
    }
    const alert: MemoryAlert = {
      id: `a-${this.next++}`,
      type: signal.type,
      severity: signal.severity,
      state: 'open',
      subject: signal.subject,
      openedAt: signal.ts,
      lastSeenAt: signal.ts,
      resolvedAt: null,
      evidence: signal.evidence,
      occurrences: 1,
      firstOccurrenceAt: signal.ts,
      lastOccurrenceAt: signal.ts,
      pausedAt: null,
      occurrenceLog: [{ startedAt: signal.ts, endedAt: null, severity: signal.severity }],
    };
    this.alerts.push(alert);
    return { alert, opened: true };
  }
  async pause(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>) {
    this.calls.push({ op: 'pause', type, subject, ts });
    const open = this.open(type, subject);
    if (!open || open.pausedAt !== null) return null;
    open.pausedAt = ts;
    open.occurrenceLog[open.occurrenceLog.length - 1]!.endedAt = ts;
    open.evidence = { ...open.evidence, cleared: evidence };
    return open;
  }
  async clear(type: AlertType, subject: string, ts: number, evidence: Record<string, unknown>) {
    this.calls.push({ op: 'clear', type, subject, ts });
    const open = this.open(type, subject);
    if (!open) return null;
    open.state = 'resolved';
    open.resolvedAt = ts;
    const present = open.occurrenceLog[open.occurrenceLog.length - 1]!;
    present.endedAt ??= ts;
    open.evidence = { ...open.evidence, resolution: evidence };
    return open;
  }
  open(type: AlertType, subject: string): MemoryAlert | undefined {
    return this.alerts.find((a) => a.type === type && a.subject === subject && a.state !== 'resolved');
  }
  ofType(type: AlertType): MemoryAlert[] {
    return this.alerts.filter((a) => a.type === type);
  }
}

export class MemoryCases implements CaseStore {
  readonly cases = new Map<string, { id: string; customer: string; updates: CapacityCaseEvidence[] }>();
  async openOrUpdate(evidence: CapacityCaseEvidence) {
    const existing = [...this.cases.values()].find((c) => c.customer === evidence.customer);
    if (existing) {
      existing.updates.push(evidence);
      return existing.id;
    }
    const id = `case-${this.cases.size + 1}`;
    this.cases.set(id, { id, customer: evidence.customer, updates: [evidence] });
    return id;
  }
}

export class MemoryState implements DetectorStateStore {
  readonly data = new Map<string, string>();
  saves = 0;
  async load(detector: string, subject: string) {
    const raw = this.data.get(`${detector}/${subject}`);
    return raw === undefined ? undefined : (JSON.parse(raw) as unknown);
  }
  async save(detector: string, subject: string, state: unknown) {
    this.saves++;
    // Through JSON, as a database column would: state that does not survive this is a bug.
    this.data.set(`${detector}/${subject}`, JSON.stringify(state));
  }
  async delete(detector: string, subject: string) {
    this.data.delete(`${detector}/${subject}`);
  }
}

export interface TestDeps extends DetectionDependencies {
  alerts: MemoryAlerts;
  cases: MemoryCases;
  state: MemoryState;
  registry: MemoryRegistry;
}

export function makeDeps(
  fleet: Fleet,
  settings: DetectionDependencies['settings'] = {},
  state = new MemoryState(),
): TestDeps {
  return {
    registry: new MemoryRegistry({
      transformers: fleet.transformers ?? [],
      customers: fleet.customers ?? [],
      devices: fleet.devices ?? [],
    }),
    alerts: new MemoryAlerts(),
    cases: new MemoryCases(),
    state,
    settings,
    log: createLogger('test', { level: process.env['GRIDSAFE_LOG_LEVEL'] ?? 'silent' }),
  };
}

export function meter(id: string, extra: Partial<Device> = {}): Device {
  return { id, gateway: 'gw-1', kind: 'meter', ctRatio: 60, ptRatio: 1, ctSecondaryA: 5, ...extra };
}

/** An engine with only the given detectors and a frozen wall clock (event time only). */
export async function engineWith(
  detectors: import('../../src/detector-kit/detector.js').AnyDetector[],
  fleet: Fleet,
  settings: DetectionDependencies['settings'] = {},
  state?: MemoryState,
) {
  const { createDetectionEngine } = await import('../../src/detection-engine/engine.js');
  const deps = makeDeps(fleet, settings, state);
  return { deps, engine: createDetectionEngine(deps, { detectors, wallClock: () => 0 }) };
}
