/**
 * When the detection host saves detector state and marks batches (runner.ts), on the real
 * SQLite stores: not after every batch, but on its interval or batch count, at once after
 * an alert change, when asked, on close; and a crash replays the unmarked batches so each
 * reading still counts exactly once.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type, createLogger, type TelemetryBatch } from '@gridsafe/shared';
import type { Detector } from '../../src/detector-kit/detector.js';
import { defineSettings } from '../../src/detector-kit/settings.js';
import { createDetectionEngine } from '../../src/detection-engine/engine.js';
import { DetectionRunner, type StateSavePolicy } from '../../src/detection-engine/runner.js';
import { openRelational, type RelationalDb } from '../../src/storage/relational/db.js';
import { SqlDetectorStateStore } from '../../src/storage/relational/detector-state-store.js';
import { SqlIngestLedger } from '../../src/storage/relational/ingest-ledger.js';
import { CloudMetrics } from '../../src/metrics/metrics.js';
import { makeDeps, meter } from './fakes.js';
import { T0, reading } from './series.js';

/** Counts readings per device; raises when p_kw is above 10. */
const counter: Detector<{ limit: number }, { seen: number }> = {
  name: 'counter',
  stateVersion: 1,
  settings: defineSettings({ limit: Type.Number({ default: 10 }) }),
  subjectsOfReading: (input) => [{ subject: input.reading.device, kind: 'device' }],
  initialState: () => ({ seen: 0 }),
  onReading(st, input, ref, ctx) {
    st.seen++;
    const kw = input.reading.values.p_kw ?? 0;
    if (kw <= ctx.settings.limit) return [];
    const signal = { type: 'comm_loss' as const, subject: ref.subject, subjectKind: 'device' as const };
    return [{ kind: 'raise', signal: { ...signal, severity: 'info', ts: input.reading.ts, evidence: {} } }];
  },
};

const log = createLogger('test', { level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'gridsafe-runner-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function host(rdb: RelationalDb, policy: StateSavePolicy) {
  const state = new SqlDetectorStateStore(rdb);
  const ledger = new SqlIngestLedger(rdb);
  // The stores under test are the state store and the ledger; alerts may stay in memory.
  const engine = createDetectionEngine(
    { ...makeDeps({ devices: [meter('m-1')] }), state },
    { detectors: [counter], wallClock: () => T0 + 3_600_000 },
  );
  const runner = new DetectionRunner(engine, ledger, new CloudMetrics(), log, state, policy);
  let seq = 0;
  return {
    runner,
    /** Stores a batch of one reading (in the ledger, as ingest does) and hands it to detection. */
    async offer(device: string, kw: number): Promise<TelemetryBatch> {
      seq++;
      const batch = {
        gateway: 'gw-1',
        seq,
        sentAt: T0 + seq * 1000,
        readings: [reading(device, T0 + seq * 1000, { p_kw: kw })],
      };
      await ledger.record(batch, Date.now());
      runner.batchStored(batch);
      while (runner.depth > 0) await new Promise((resolve) => setImmediate(resolve));
      return batch;
    },
    /** What another instance (or the next start) would read: committed rows only. */
    async committed(device: string): Promise<number | undefined> {
      const row = (await new SqlDetectorStateStore(rdb).load('counter', device)) as { s: { seen: number } } | undefined;
      return row?.s.seen;
    },
    unmarked: async () => (await ledger.pending(100)).map((b) => b.seq),
  };
}

async function freshDb(): Promise<RelationalDb> {
  return openRelational({ kind: 'sqlite', path: join(dir, `runner-${++files}.sqlite`) });
}

t.test('state is saved on the batch count, at once after an alert change, when asked, and on close', async (t) => {
  const rdb = await freshDb();
  t.teardown(() => rdb.close());
  const h = await host(rdb, { intervalMs: 3_600_000, maxBatches: 3 });
  await h.offer('m-1', 1);
  await h.offer('m-1', 1);
  t.equal(await h.committed('m-1'), undefined, 'two quiet batches: nothing written yet');
  t.same(await h.unmarked(), [1, 2], 'and not marked, so a crash now would replay them');
  await h.offer('m-1', 1);
  t.equal(await h.committed('m-1'), 3, 'the third unmarked batch makes a save due');
  t.same(await h.unmarked(), []);

  await h.offer('m-1', 1);
  await h.offer('m-1', 50);
  t.equal(await h.committed('m-1'), 5, 'the batch that raised an alert is saved with it');
  t.same(await h.unmarked(), []);

  await h.offer('m-1', 1);
  t.equal(await h.committed('m-1'), 5);
  await h.runner.saveState();
  t.equal(await h.committed('m-1'), 6, 'saved when the owner asks');
  t.same(await h.unmarked(), []);

  await h.offer('m-1', 1);
  await h.runner.close();
  t.equal(await h.committed('m-1'), 7, 'saved on close');
  t.same(await h.unmarked(), []);
});

t.test('state is saved on the interval', async (t) => {
  const rdb = await freshDb();
  t.teardown(() => rdb.close());
  const h = await host(rdb, { intervalMs: 50, maxBatches: 1000 });
  h.runner.start(3_600_000);
  t.teardown(() => h.runner.close());
  await h.offer('m-1', 1);
  for (let i = 0; i < 100 && (await h.committed('m-1')) === undefined; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(await h.committed('m-1'), 1);
  t.same(await h.unmarked(), []);
});

t.test(
  'after a crash, the batches not marked are replayed once, from the state saved with the last mark',
  async (t) => {
    const rdb = await freshDb();
    t.teardown(() => rdb.close());
    const first = await host(rdb, { intervalMs: 3_600_000, maxBatches: 2 });
    for (let i = 0; i < 5; i++) await first.offer('m-1', 1);
    t.equal(await first.committed('m-1'), 4);
    t.same(await first.unmarked(), [5]);
    // The process dies here: no close, the state of batch 5 is lost with it.
    const second = await host(rdb, { intervalMs: 3_600_000, maxBatches: 2 });
    t.equal(await second.runner.replayPending(), 1);
    t.equal(await second.committed('m-1'), 5, 'every reading counted exactly once');
    t.same(await second.unmarked(), []);
    await second.runner.close();
  },
);
