/** The durable outbox: seq survives reopening and kill -9, acknowledged batches go, overflow is counted, one process at a time. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteOutbox } from '../src/outbox/sqlite-outbox.js';
import { dropOldest } from '../src/outbox/overflow/drop-oldest.js';
import type { SealedBatch } from '../src/outbox/types.js';

const root = mkdtempSync(join(tmpdir(), 'gw-outbox-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `o${++n}`);

function sealed(i: number, padding = 0): SealedBatch {
  const ts = 1_700_000_000_000 + i * 1000;
  return {
    readingsJson: JSON.stringify([
      { device: 'm-1', ts, values: { p_kw: i }, quality: 'good', ...(padding ? { pad: 'x'.repeat(padding) } : {}) },
    ]),
    readingCount: 1,
    firstTs: ts,
    lastTs: ts,
  };
}

const open = (dataDir: string, maxBytes = 1024 * 1024) =>
  new SqliteOutbox({ dataDir, gatewayId: 'gw-t', maxBytes, policy: dropOldest });

t.test('seq is strictly increasing and survives reopening, even when everything was acknowledged', async (t) => {
  const dir = freshDir();
  let outbox = open(dir);
  const first = [1, 2, 3].map((i) => outbox.appendBatch(sealed(i)).seq);
  t.same(first, [1, 2, 3]);
  for (const seq of first) outbox.ackBatch(seq);
  t.equal(outbox.stats().batches, 0);
  outbox.close();
  outbox = open(dir);
  t.equal(outbox.stats().lastSeq, 3, 'last seq remembered with an empty outbox');
  t.equal(outbox.appendBatch(sealed(4)).seq, 4, 'the next batch continues the sequence');
  outbox.close();
});

t.test('unacknowledged batches survive reopening, oldest first, with their content', async (t) => {
  const dir = freshDir();
  let outbox = open(dir);
  for (let i = 1; i <= 5; i++) outbox.appendBatch(sealed(i));
  outbox.ackBatch(2);
  outbox.close();
  outbox = open(dir);
  const pending = outbox.pendingBatches(0, 100);
  t.same(
    pending.map((b) => b.seq),
    [1, 3, 4, 5],
  );
  t.same(JSON.parse(pending[1]!.readingsJson)[0].values, { p_kw: 3 });
  t.same(
    outbox.pendingBatches(3, 1).map((b) => b.seq),
    [4],
    'paging after a seq',
  );
  t.equal(
    outbox.stats().bytes,
    pending.reduce((s, b) => s + b.bytes, 0),
    'byte count rebuilt from the store',
  );
  outbox.close();
});

t.test('events have their own durable sequence', async (t) => {
  const dir = freshDir();
  let outbox = open(dir);
  const e1 = outbox.appendEvent({ ts: 1, type: 'comm_lost', device: 'm-1', detail: { error: 'timeout' } });
  t.same(e1, { gateway: 'gw-t', seq: 1, ts: 1, type: 'comm_lost', device: 'm-1', detail: { error: 'timeout' } });
  outbox.ackEvent(1);
  outbox.close();
  outbox = open(dir);
  t.equal(outbox.appendEvent({ ts: 2, type: 'comm_restored', device: 'm-1' }).seq, 2);
  t.same(
    outbox.pendingEvents(0, 10).map((e) => e.seq),
    [2],
  );
  outbox.close();
});

t.test('a full outbox drops the oldest batches and counts what it dropped, across restarts', async (t) => {
  const dir = freshDir();
  const one = Buffer.byteLength(sealed(10, 900).readingsJson); // every batch from 10 to 26 has this size
  const maxBytes = one * 10;
  let outbox = open(dir, maxBytes);
  for (let i = 1; i <= 25; i++) outbox.appendBatch(sealed(i, 900));
  let stats = outbox.stats();
  t.ok(stats.bytes <= maxBytes, `bytes ${stats.bytes} within ${maxBytes}`);
  t.equal(stats.batches, 10);
  t.same(
    outbox.pendingBatches(0, 100).map((b) => b.seq),
    [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
    'the newest are kept',
  );
  t.equal(stats.overflow['batchesDropped'], 15);
  t.equal(stats.overflow['readingsDropped'], 15);
  t.equal(stats.overflow.policy, 'drop-oldest');
  outbox.close();
  outbox = open(dir, maxBytes);
  outbox.appendBatch(sealed(26, 900));
  stats = outbox.stats();
  t.equal(stats.overflow['batchesDropped'], 16, 'counters persist');
  t.equal(stats.lastSeq, 26);
  outbox.close();
});

t.test('a second process cannot open the same outbox', async (t) => {
  const dir = freshDir();
  const outbox = open(dir);
  outbox.appendBatch(sealed(1));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./support/outbox-writer.ts', import.meta.url)), dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  t.not(code, 0, 'the second writer fails');
  t.match(stderr, /in use by another process/);
  outbox.close();
});

t.test('kill -9 during appends loses no acknowledged append and never reuses a seq', async (t) => {
  const dir = freshDir();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./support/outbox-writer.ts', import.meta.url)), dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const printed: number[] = [];
  let partial = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) printed.push(Number(line));
      if (printed.length >= 300) resolve();
    });
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const last = printed[printed.length - 1]!;
  const outbox = open(dir, 64 * 1024 * 1024);
  const stored = outbox.pendingBatches(0, 1_000_000).map((b) => b.seq);
  const storedSet = new Set(stored);
  t.ok(
    printed.every((seq) => storedSet.has(seq)),
    `every one of the ${printed.length} returned appends is stored`,
  );
  t.ok(outbox.stats().lastSeq >= last, 'the seq counter is at least the last returned seq');
  t.same(
    stored,
    stored
      .slice()
      .sort((a, b) => a - b)
      .filter((s, i, a) => a.indexOf(s) === i),
    'no seq twice',
  );
  const next = outbox.appendBatch(sealed(0)).seq;
  t.ok(next > Math.max(...stored), `a new batch gets a fresh seq (${next})`);
  outbox.close();
});
