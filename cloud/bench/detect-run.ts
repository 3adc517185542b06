/**
 * One pass of bench:detect: a fresh embedded relational store with the fleet registered,
 * the detection engine and its host exactly as the cloud composes them (service.ts:
 * SQL alert, case and detector-state stores, the runner's timed state flush and ledger
 * marks), fed the fleet's batches step by step, as stored batches reach it live.
 *
 * Measures the process's CPU time (user + system, every thread) from the first batch to
 * the last state flush, minus the time spent making the readings; the detector state as
 * stored (bytes of the rows in detector_state, as saved) and the heap it grows by (heap used
 * after a full GC, from after the first step, when every subject has its state, to the
 * end, with the engine still alive: what the state grows to, without the fixed costs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger } from '@gridsafe/shared';
import type { AnyDetector } from '../src/detector-kit/detector.js';
import { openRelational } from '../src/storage/relational/db.js';
import { RegistryStore } from '../src/storage/relational/registry-store.js';
import { SqlAlertStore } from '../src/storage/relational/alert-store.js';
import { SqlCaseStore } from '../src/storage/relational/case-store.js';
import { SqlDetectorStateStore } from '../src/storage/relational/detector-state-store.js';
import { SqlIngestLedger } from '../src/storage/relational/ingest-ledger.js';
import { CaseService } from '../src/cases/service.js';
import { CloudMetrics } from '../src/metrics/metrics.js';
import { createDetectionEngine } from '../src/detection-engine/engine.js';
import { DetectionRunner } from '../src/detection-engine/runner.js';
import { applySeed } from '../src/registry/seed.js';
import { FleetReadings, type Fleet } from './detect-fleet.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Writes a CPU profile of the measured part of each pass to this folder (BENCH_PROFILE_DIR). */
const PROFILE_DIR = process.env['BENCH_PROFILE_DIR'];

async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return work();
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

export interface PassOptions {
  /** Names the pass's CPU profile. */
  name: string;
  fleet: Fleet;
  detectors: readonly AnyDetector[];
  /** Event time of the first step (ms, UTC). */
  start: number;
  /** Stretches of time one after the other, each with its own reading interval. */
  phases: ReadonlyArray<{ stepMs: number; steps: number }>;
  /**
   * Commit the state after every step, not on the cloud's timer: each subject's state is
   * then written once per reading, as it is live when devices report less often than
   * the state is saved. Without it, the pass runs through event time far faster than
   * live, and a state is written once for many readings.
   */
  saveEveryStep?: boolean;
}

export interface PassResult {
  readings: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Bytes of stored state per detector (or shared area) name, every subject together: the rows as saved. */
  stateBytesByDetector: Record<string, number>;
  stateBytes: number;
  heapDeltaBytes: number;
  /** Alerts opened, by type: healthy data should open none. */
  alertsByType: Record<string, number>;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function heapUsed(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runPass(options: PassOptions): Promise<PassResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-bench-detect-'));
  const log = createLogger('bench-detect', { level: 'silent' });
  const rdb = await openRelational({ kind: 'sqlite', path: join(dir, 'gridsafe.sqlite') });
  try {
    const registry = new RegistryStore(rdb);
    const { transformers, customers, devices, gateways } = options.fleet;
    await applySeed(registry, { transformers, customers, devices, gateways: gateways.map((id) => ({ id })) });
    await registry.refresh();
    const readingsOf = new FleetReadings(options.fleet);
    const end = options.phases.reduce((ts, phase) => ts + phase.stepMs * phase.steps, options.start);

    const state = new SqlDetectorStateStore(rdb);
    const engine = createDetectionEngine(
      {
        registry,
        alerts: new SqlAlertStore(rdb),
        cases: new CaseService(new SqlCaseStore(rdb), registry),
        state,
        settings: {},
        log,
      },
      { detectors: options.detectors, wallClock: () => end },
    );
    const runner = new DetectionRunner(engine, new SqlIngestLedger(rdb), new CloudMetrics(), log, state);
    // No clock ticks: the data's own time drives the rules; state is saved on the runner's policy, as in the cloud.
    runner.start(24 * 3_600_000);

    let readings = 0;
    /** CPU spent making readings and measuring the heap: not detection's. */
    let makingCpu = 0;
    let heapBefore = 0;
    const wallStart = performance.now();
    const cpuStart = cpuSeconds();
    await profiled(options.name, async () => {
      let seq = 0;
      let ts = options.start;
      for (const phase of options.phases)
        for (let step = 0; step < phase.steps; step++, ts += phase.stepMs) {
          seq++;
          for (const gateway of gateways) {
            const before = cpuSeconds();
            const batch = readingsOf.batch(gateway, seq, ts);
            makingCpu += cpuSeconds() - before;
            readings += batch.readings.length;
            runner.batchStored(batch);
            // Batches reach detection one network turn at a time; a short queue, as live.
            while (runner.depth > 4) await nextTurn();
          }
          if (options.saveEveryStep) await runner.saveState();
          if (seq === 1) {
            // From here: code compiled, statements prepared, every subject's state created.
            while (runner.depth > 0) await nextTurn();
            const before = cpuSeconds();
            heapBefore = heapUsed();
            makingCpu += cpuSeconds() - before;
          }
        }
      await runner.close();
    });
    const cpu = cpuSeconds() - cpuStart - makingCpu;
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const heapDeltaBytes = heapUsed() - heapBefore;

    const rows = await rdb.db.selectFrom('detector_state').select(['detector', 'state']).execute();
    const stateBytesByDetector: Record<string, number> = {};
    for (const row of rows)
      stateBytesByDetector[row.detector] = (stateBytesByDetector[row.detector] ?? 0) + Buffer.byteLength(row.state);
    const alerts = await rdb.db
      .selectFrom('alerts')
      .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('type')
      .execute();
    // Keep the engine reachable until the heap was measured.
    void engine;
    return {
      readings,
      cpuSeconds: cpu,
      wallSeconds,
      stateBytesByDetector,
      stateBytes: Object.values(stateBytesByDetector).reduce((a, b) => a + b, 0),
      heapDeltaBytes,
      alertsByType: Object.fromEntries(alerts.map((a) => [a.type, Number(a.n)])),
    };
  } finally {
    await rdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
