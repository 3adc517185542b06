/**
 * Cluster detection saves state as the single-instance runner does (runner.ts's
 * StateSavePolicy), not after every step: the owner processes each stored batch once,
 * leaves it unmarked in the shared backlog until a save is due (enough batches, the
 * interval, or a call that changed alerts or cases), then commits state and marks; an
 * owner that loses its partition before a save leaves the unmarked batches to the next
 * owner, which processes exactly those again. Real PostgreSQL, leases and backlog; the
 * engine is a recorder of what it is handed.
 */
import t from 'tap';
import { createLogger, type Device, type GatewayEvent, type TelemetryBatch } from '@gridsafe/shared';
import { waitFor } from '@gridsafe/testkit';
import { startPostgres } from '../support/postgres.js';
import { openRelational, type RelationalDb } from '../../src/storage/relational/db.js';
import { SqlIngestLedger } from '../../src/storage/relational/ingest-ledger.js';
import { DetectionBacklog } from '../../src/storage/relational/detection-backlog.js';
import { RegistrySnapshot } from '../../src/storage/relational/registry-snapshot.js';
import { SubjectPartitions } from '../../src/cluster/subject-partitions.js';
import { PartitionLeases } from '../../src/cluster/leases.js';
import { PartitionedDetection } from '../../src/cluster/partitioned-detection.js';
import { CloudMetrics } from '../../src/metrics/metrics.js';
import type { DetectionEngine } from '../../src/detector-kit/types.js';

const log = createLogger('test', { level: 'silent' });
const PARTITIONS = 4;
const GATEWAY = 'gw-a';
const meter: Device = {
  id: 'm-1',
  gateway: GATEWAY,
  kind: 'meter',
  transformer: 'tx-1',
  ctRatio: 1,
  ptRatio: 1,
  ctSecondaryA: 5,
};

const batch = (seq: number): TelemetryBatch => ({
  gateway: GATEWAY,
  seq,
  sentAt: 1_700_000_000_000 + seq * 60_000,
  readings: [{ device: 'm-1', ts: 1_700_000_000_000 + seq * 60_000, quality: 'good', values: { p_kw: 10 } }],
});

/** Records the seqs it is handed; a batch with seq in `raising` counts as a call that changed alerts. */
class RecordingEngine implements DetectionEngine {
  readonly seen: number[] = [];
  private changed = 0;
  constructor(private readonly raising: ReadonlySet<number>) {}
  async processBatch(b: TelemetryBatch): Promise<void> {
    this.seen.push(b.seq);
    if (this.raising.has(b.seq)) this.changed++;
  }
  async processEvent(_event: GatewayEvent): Promise<void> {}
  async tick(): Promise<void> {}
  changes(): number {
    return this.changed;
  }
}

function host(url: string, rdb: RelationalDb, name: string, engine: RecordingEngine, flushes: { n: number }) {
  const registry = new RegistrySnapshot();
  registry.replace([], [], [meter]);
  const partitioned: PartitionedDetection = new PartitionedDetection({
    settings: { partitions: PARTITIONS, takeoverSeconds: 1, instanceId: name },
    tickIntervalMs: 3_600_000,
    leases: new PartitionLeases(url, name, log, () => partitioned.dropAll()),
    backlog: new DetectionBacklog(rdb),
    subjects: new SubjectPartitions(registry, PARTITIONS),
    newPartition: () => ({ engine, state: { flush: async () => void flushes.n++ } }),
    savePolicy: { intervalMs: 600_000, maxBatches: 3 },
    metrics: new CloudMetrics(),
    log,
  });
  return partitioned;
}

t.test('state saved and batches marked by the save policy; unmarked batches redone by the next owner', async (t) => {
  const postgres = await startPostgres();
  t.teardown(() => postgres.stop());
  const url = await postgres.createDatabase('saves');
  const rdb = await openRelational({ kind: 'postgres', url });
  t.teardown(() => rdb.close());
  const ledger = new SqlIngestLedger(rdb);
  const pendingSeqs = async () => (await ledger.pending(100)).map((b) => b.seq);
  const store = async (seq: number, partitioned: PartitionedDetection) => {
    t.ok(await ledger.record(batch(seq), Date.now()), `batch ${seq} recorded`);
    partitioned.batchStored(batch(seq));
  };

  const first = new RecordingEngine(new Set([4]));
  const firstFlushes = { n: 0 };
  const one = host(url, rdb, 'inst-1', first, firstFlushes);
  await one.start();
  t.equal(one.partitions().length, PARTITIONS, 'the only instance holds every partition');

  await store(1, one);
  await store(2, one);
  await waitFor('batches 1 and 2 processed', async () => first.seen.length === 2, 10_000, 20);
  // Two poll rounds (1 s each) pass: the processed batches are not handed over again, nor saved yet.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.same(first.seen, [1, 2], 'each processed once, though still in the backlog');
  t.same(await pendingSeqs(), [1, 2], 'not marked: no save due (2 of 3 batches, no alert change)');
  t.equal(firstFlushes.n, 0, 'no state written yet');

  await store(3, one);
  await waitFor('the third batch makes a save due', async () => (await pendingSeqs()).length === 0, 10_000, 20);
  t.same(first.seen, [1, 2, 3], 'batch 3 processed once');
  t.ok(firstFlushes.n >= 1, 'state committed before the marks');

  await store(4, one);
  await waitFor('a call that changed alerts saves at once', async () => (await pendingSeqs()).length === 0, 10_000, 20);
  t.same(first.seen, [1, 2, 3, 4], 'batch 4 processed once and marked at once');

  await store(5, one);
  await waitFor('batch 5 processed', async () => first.seen.length === 5, 10_000, 20);
  // The lease session is lost before a save: nothing of batch 5 may be marked by this owner.
  one.dropAll();
  await one.close();
  t.same(await pendingSeqs(), [5], 'batch 5 left unmarked for the next owner');

  const second = new RecordingEngine(new Set());
  const two = host(url, rdb, 'inst-2', second, { n: 0 });
  await two.start();
  await waitFor('the next owner redoes batch 5', async () => second.seen.length === 1, 10_000, 20);
  t.same(second.seen, [5], 'only the unmarked batch is redone');
  await two.close();
  t.same(await pendingSeqs(), [], 'marked on close');
});
