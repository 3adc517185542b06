/** The series contract on the embedded SQLite backend (a file per subtest, WAL as in production). */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSeriesStore } from '../../src/storage/series/sqlite.js';
import { atomicLedgerContract, seriesContract } from './series-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'gridsafe-series-sqlite-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const open = async () => {
  const store = new SqliteSeriesStore({ path: join(dir, `series-${++n}.sqlite`) });
  await store.init();
  return store;
};
seriesContract(t, open);
atomicLedgerContract(t, open);

t.test(
  'the writer thread lost: writes waiting on it fail (ingest retries them), the next write starts a new one',
  async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    const batch = (seq: number) => ({
      gateway: 'gw',
      seq,
      sentAt: 0,
      readings: [{ device: 'm', ts: seq * 1000, values: { p_kw: seq }, quality: 'good' as const }],
    });
    t.equal(await store.storeOnce(batch(1), 0, '{}'), 'stored');
    // White box: the thread is private; a crash of it (out of memory, a native fault) looks like this.
    const thread = (store as unknown as { writerThread: import('node:worker_threads').Worker }).writerThread;
    const writing = store.storeOnce(batch(2), 0, '{}');
    await new Promise((resolve) => setImmediate(resolve)); // the group is sent to the old thread
    await thread.terminate();
    await t.rejects(writing, /series writer thread stopped/);
    // The old thread may have committed batch 2 before it stopped (only its reply was lost):
    // then the retry is a duplicate, which ingest acknowledges; either way it is stored once.
    t.match(await store.storeOnce(batch(2), 0, '{}'), /^(stored|duplicate)$/, 'a new writer takes the retry');
    t.equal(await store.storeOnce(batch(1), 0, '{}'), 'duplicate', 'and sees what the old one committed');
    t.same(
      (await store.raw({ device: 'm', from: 0, to: 10_000 })).map((r) => r.values.p_kw),
      [1, 2],
    );
  },
);

t.test('pending batches: kept deflated; a file from before that holds them as JSON text still replays', async (t) => {
  const path = join(dir, `series-${++n}.sqlite`);
  const store = new SqliteSeriesStore({ path });
  await store.init();
  t.teardown(() => store.close());
  const fresh = {
    gateway: 'gw',
    seq: 2,
    sentAt: 0,
    readings: [{ device: 'm', ts: 2000, values: { p_kw: 2 }, quality: 'good' as const }],
  };
  const older = { ...fresh, seq: 1, readings: [{ ...fresh.readings[0]!, ts: 1000, values: { p_kw: 1 } }] };
  const { default: Database } = await import('better-sqlite3');
  const other = new Database(path);
  other
    .prepare('INSERT INTO ingest_ledger (gateway, seq, received_at, readings, pending) VALUES (?, ?, ?, ?, ?)')
    .run('gw', 1, 1, 1, JSON.stringify(older));
  other.close();
  t.equal(await store.storeOnce(fresh, 2, JSON.stringify(fresh)), 'stored');
  const raw = new Database(path, { readonly: true });
  t.teardown(() => raw.close());
  const stored = raw
    .prepare('SELECT typeof(pending) AS type, length(pending) AS bytes FROM ingest_ledger WHERE seq = 2')
    .get() as { type: string; bytes: number };
  t.equal(stored.type, 'blob', 'the new one is kept packed');
  t.same(await store.ledger().pending(10), [older, fresh], 'both come back whole, oldest first');
});

t.test('storeOnce: of many concurrent batches with the same (gateway, seq), the first called wins', async (t) => {
  const store = await open();
  t.teardown(() => store.close());
  const seqs = 20;
  const variants = 8;
  const calls: Array<{ seq: number; variant: number; outcome: Promise<'stored' | 'duplicate'> }> = [];
  // All submitted in one turn; the first of each seq carries the largest pending text, so its
  // packing takes longest: scheduling that follows finishing order would let a later one win.
  for (let variant = 0; variant < variants; variant++) {
    for (let seq = 1; seq <= seqs; seq++) {
      const sent = {
        gateway: 'gw-dup',
        seq,
        sentAt: 0,
        readings: [{ device: 'm-dup', ts: seq * 1000, values: { p_kw: variant }, quality: 'good' as const }],
      };
      const padding = 'x'.repeat((variants - variant) * 200_000);
      calls.push({ seq, variant, outcome: store.storeOnce(sent, variant, JSON.stringify({ ...sent, padding })) });
    }
  }
  const outcomes = await Promise.all(calls.map((call) => call.outcome));
  t.same(
    outcomes,
    calls.map((call) => (call.variant === 0 ? 'stored' : 'duplicate')),
    'the first call of each seq is stored, every later one is a duplicate',
  );
  t.same(
    (await store.raw({ device: 'm-dup', from: 0, to: (seqs + 1) * 1000 })).map((r) => r.values.p_kw),
    Array.from({ length: seqs }, () => 0),
    "and the stored readings are the first call's",
  );
  t.same(
    await store.ledger().recorded('gw-dup'),
    Array.from({ length: seqs }, (_, i) => i + 1),
  );
});
