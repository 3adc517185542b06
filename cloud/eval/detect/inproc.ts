/**
 * The same scoring with the detection engine alone, in-process, over in-memory stores:
 * seconds instead of a minute, for tuning rules. Not the evaluation of record (that goes
 * through the real ingest path, replay.ts); `--in-process` on the command line.
 */
import { createLogger, type TelemetryBatch } from '@gridsafe/shared';
import { createDetectionEngine } from '../../src/detection-engine/engine.js';
import { BUILTIN_DETECTORS } from '../../src/detectors/index.js';
import type {
  CapacityCaseEvidence,
  DetectorStateStore,
  MeterEvent,
  RegistryView,
} from '../../src/detector-kit/types.js';
import { MemoryAlerts } from '../../test/detection/fakes.js';
import { occurrencesOf } from './score.js';
import type { FleetPlan } from './plan.js';
import type { Generated } from './generate.js';
import type { ReplayResult } from './replay.js';

export async function runInProcess(
  plan: FleetPlan,
  gen: Generated,
  settings: Record<string, Record<string, unknown>>,
): Promise<ReplayResult> {
  const devices = plan.registry.devices.map((d) => ({ ...d }));
  const recorded: MeterEvent[] = [];
  const registry: RegistryView = {
    meterEvents: (id) => recorded.filter((e) => e.device === id),
    device: (id) => devices.find((d) => d.id === id),
    transformer: (id) => plan.registry.transformers.find((t) => t.id === id),
    customer: (id) => plan.registry.customers.find((c) => c.id === id),
    devicesOnTransformer: (id) => devices.filter((d) => d.transformer === id),
    devicesOfCustomer: (id) => devices.filter((d) => d.customer === id),
    devicesOfGateway: (id) => devices.filter((d) => d.gateway === id),
  };
  const alerts = new MemoryAlerts();
  const cases = new Map<string, CapacityCaseEvidence>();
  const state = new Map<string, string>();
  const store: DetectorStateStore = {
    load: async (d, s) => {
      const v = state.get(`${d}/${s}`);
      return v === undefined ? undefined : (JSON.parse(v) as unknown);
    },
    save: async (d, s, v) => void state.set(`${d}/${s}`, JSON.stringify(v)),
    delete: async (d, s) => void state.delete(`${d}/${s}`),
  };
  const engine = createDetectionEngine(
    {
      registry,
      alerts,
      cases: { openOrUpdate: async (e) => (cases.set(e.customer, e), e.customer) },
      state: store,
      settings,
      log: createLogger('eval-inproc', { level: 'warn' }),
    },
    { detectors: BUILTIN_DETECTORS, wallClock: () => 0 },
  );
  type Item = { at: number; run: () => Promise<void> };
  const items: Item[] = [];
  let batches = 0;
  for (const gw of plan.registry.gateways) {
    const readings = gen.readings.get(gw.id) ?? [];
    let seq = 1;
    for (let i = 0, w = plan.start; w < plan.end; w += 15 * 60_000) {
      const chunk = [];
      while (i < readings.length && readings[i]!.ts < w + 15 * 60_000) chunk.push(readings[i++]!);
      if (chunk.length === 0) continue;
      const batch: TelemetryBatch = { gateway: gw.id, seq: seq++, sentAt: w + 15 * 60_000, readings: chunk };
      items.push({ at: batch.sentAt, run: () => engine.processBatch(batch) });
    }
    for (const e of gen.events.get(gw.id) ?? []) items.push({ at: e.ts - 0.5, run: () => engine.processEvent(e) });
  }
  for (const c of plan.registryChanges) {
    items.push({
      at: c.at - 0.25,
      run: async () => {
        const i = devices.findIndex((d) => d.id === c.device.id);
        devices[i] = { ...c.device };
      },
    });
  }
  for (const e of gen.meterEvents ?? [])
    items.push({
      at: e.at - 0.25,
      run: async () => void recorded.push({ ...e, recordedBy: 'eval', recordedAt: e.at }),
    });
  items.sort((a, b) => a.at - b.at);
  const started = Date.now();
  for (const item of items) {
    await item.run();
    batches++;
  }
  return {
    alerts: alerts.alerts.flatMap(occurrencesOf),
    cases: [...cases.values()].map((c) => ({
      customer: c.customer,
      contractKva: c.contractKva,
      maxDemandKw: c.maxDemandKw,
      excessKva: c.excessKva,
    })),
    seconds: (Date.now() - started) / 1000,
    batches,
  };
}
