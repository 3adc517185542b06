/** The fold-15min overflow policy on the real SQLite outbox: bounded, counted, and the energy and demand evidence exact. */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_BATCH_BYTES, checkTelemetryBatch, type Reading } from '@gridsafe/shared';
import { SqliteOutbox } from '../../src/outbox/sqlite-outbox.js';
import { FoldPolicy } from '../../src/outbox/overflow/fold-15min.js';
import { FOLD_WINDOW_MS, foldWindow } from '../../src/outbox/overflow/fold-readings.js';
import type { SealedBatch } from '../../src/outbox/types.js';

const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);
const DEVICES = ['m-1', 'm-2', 't-1'];

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-fold-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Readings a gateway would take: every 15 s, meters with energy and demand, a terminal with leakage and temperature. */
function* cycles(count: number): Generator<Reading[]> {
  const energy = new Map(DEVICES.map((d) => [d, 1000]));
  for (let c = 0; c < count; c += 1) {
    const ts = T0 + c * 15_000 + 3;
    yield DEVICES.map((device, i) => {
      const wave = Math.sin(c / 37 + i) * 10;
      if (device.startsWith('t-')) {
        return {
          device,
          ts: ts + i,
          values: {
            i_res_ma: Math.round(120 + wave * 3 + (c % 97 === 0 ? 300 : 0)),
            t1_c: Math.round((40 + wave) * 10) / 10,
            breaker: c % 500 < 490 ? 1 : 0,
          },
          quality: 'good',
        };
      }
      const p = Math.round((30 + wave) * 1000) / 1000;
      energy.set(device, Math.round(((energy.get(device) as number) + p / 240) * 100) / 100);
      return {
        device,
        ts: ts + i,
        values: {
          v_a: Math.round((230 + wave / 5) * 10) / 10,
          p_kw: p,
          e_imp_kwh: energy.get(device) as number,
          demand_kw: Math.round((30 + wave + (c % 61 === 0 ? 25 : 0)) * 100) / 100,
        },
        quality: c % 300 === 7 ? 'suspect' : 'good',
      };
    });
  }
}

const sealedOf = (readings: Reading[]): SealedBatch => ({
  readingsJson: JSON.stringify(readings),
  readingCount: readings.length,
  firstTs: Math.min(...readings.map((r) => r.ts)),
  lastTs: Math.max(...readings.map((r) => r.ts)),
});

interface WindowEvidence {
  lastEnergy?: number;
  maxDemand?: number;
  maxLeak?: number;
  meanPower?: number;
}

/** Evidence per device, quality and 15-minute window, from raw readings or from what the outbox holds. */
function evidence(readings: Reading[]): Map<string, WindowEvidence> {
  const groups = new Map<string, Reading[]>();
  for (const r of readings) {
    const key = `${r.device}/${r.quality}/${Math.floor(r.ts / FOLD_WINDOW_MS)}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const out = new Map<string, WindowEvidence>();
  for (const [key, list] of groups) {
    list.sort((a, b) => a.ts - b.ts);
    const e: WindowEvidence = {};
    const last = list[list.length - 1]!;
    if (last.values.e_imp_kwh !== undefined) e.lastEnergy = last.values.e_imp_kwh;
    const demand = list.map((r) => r.values.demand_kw).filter((v): v is number => v !== undefined);
    if (demand.length) e.maxDemand = Math.max(...demand);
    const leak = list.map((r) => r.values.i_res_ma).filter((v): v is number => v !== undefined);
    if (leak.length) e.maxLeak = Math.max(...leak);
    const power = list.map((r) => r.values.p_kw).filter((v): v is number => v !== undefined);
    if (power.length) e.meanPower = power.reduce((a, b) => a + b, 0) / power.length;
    out.set(key, e);
  }
  return out;
}

function stored(t: Test, outbox: SqliteOutbox): { readings: Reading[]; seqs: number[]; biggest: number } {
  const readings: Reading[] = [];
  const seqs: number[] = [];
  let biggest = 0;
  for (let after = 0; ;) {
    const batches = outbox.pendingBatches(after, 500);
    if (batches.length === 0) break;
    for (const b of batches) {
      const list = JSON.parse(b.readingsJson) as Reading[];
      readings.push(...list);
      seqs.push(b.seq);
      biggest = Math.max(biggest, b.bytes);
      after = b.seq;
      t.equal(b.readingCount, list.length, `seq ${b.seq}: readingCount`, { diagnostic: false });
      const check = checkTelemetryBatch(
        { gateway: 'gw-f', seq: b.seq, sentAt: T0 + 86_400_000, readings: list },
        { now: T0 + 86_400_000 },
      );
      if (!check.ok) t.fail(`seq ${b.seq} would be rejected: ${check.message}`);
    }
  }
  return { readings, seqs, biggest };
}

t.test('a window folds by its rules; a window of one reading is left exactly as it was', async (t) => {
  const base = { device: 'm-1', quality: 'good' as const };
  const folded = foldWindow([
    {
      ...base,
      ts: 1000,
      values: { p_kw: 10.5, e_imp_kwh: 100.25, demand_kw: 12, i_res_ma: 150, breaker: 1, v_a: 230.1 },
    },
    { ...base, ts: 2000, values: { p_kw: 11.25, e_imp_kwh: 100.3, demand_kw: 14.5, i_res_ma: 320, breaker: 0 } },
    { ...base, ts: 3000, values: { p_kw: 9, e_imp_kwh: 100.41, demand_kw: 13, i_res_ma: 140, breaker: 1, v_a: 229.9 } },
  ]);
  t.strictSame(folded, {
    device: 'm-1',
    ts: 3000,
    quality: 'good',
    values: { v_a: 230, p_kw: 10.25, e_imp_kwh: 100.41, demand_kw: 14.5, i_res_ma: 320, breaker: 1 },
  });
  const single: Reading = { ...base, ts: 5, values: { p_kw: 1.23456789 } };
  t.equal(foldWindow([single]), single);
});

t.test(
  'a long outage: the outbox stays bounded, readings are folded and counted, and the evidence is exact',
  async (t) => {
    const dir = tempDir(t);
    const maxBytes = 96 * 1024;
    const outbox = new SqliteOutbox({ dataDir: dir, gatewayId: 'gw-f', maxBytes, policy: new FoldPolicy() });
    t.teardown(() => outbox.close());
    const all: Reading[] = [];
    let maxSeen = 0;
    const count = 6 * 240; // six hours every 15 s
    for (const readings of cycles(count)) {
      all.push(...readings);
      outbox.appendBatch(sealedOf(readings), readings[0]!.ts);
      maxSeen = Math.max(maxSeen, outbox.stats().bytes);
    }
    const stats = outbox.stats();
    t.ok(maxSeen <= maxBytes, `the outbox never held more than ${maxBytes} bytes (at most ${maxSeen})`);
    t.equal(stats.overflow.policy, 'fold-15min');
    t.ok(
      Number(stats.overflow['readingsFolded']) > all.length / 2,
      `readingsFolded ${stats.overflow['readingsFolded']} of ${all.length}`,
    );
    t.ok(
      Number(stats.overflow['bytesFreedByFolding']) > 0,
      `bytesFreedByFolding ${stats.overflow['bytesFreedByFolding']}`,
    );
    t.equal(stats.overflow['batchesDropped'], undefined, 'nothing had to be dropped');
    t.equal(stats.lastSeq, count, 'every batch got its seq');

    const kept = stored(t, outbox);
    t.ok(
      kept.seqs.every((s, i) => i === 0 || s > kept.seqs[i - 1]!),
      'seqs ascending, none reused',
    );
    t.ok(kept.biggest < MAX_BATCH_BYTES / 2, `largest batch ${kept.biggest} bytes: the cloud will accept it`);
    t.strictSame(kept.readings.slice(-DEVICES.length), all.slice(-DEVICES.length), 'the newest readings are untouched');
    const want = evidence(all);
    const got = evidence(kept.readings);
    t.strictSame([...got.keys()].sort(), [...want.keys()].sort(), 'every device, quality and window is still there');
    let energyExact = 0;
    let powerClose = 0;
    for (const [key, w] of want) {
      const g = got.get(key)!;
      if (g.lastEnergy !== w.lastEnergy || g.maxDemand !== w.maxDemand || g.maxLeak !== w.maxLeak) {
        t.fail(`${key}: evidence differs: ${JSON.stringify(g)} vs ${JSON.stringify(w)}`);
        break;
      }
      energyExact += 1;
      if (w.meanPower !== undefined && Math.abs((g.meanPower as number) - w.meanPower) > 1e-3) {
        t.fail(
          `${key}: mean power ${g.meanPower} vs ${w.meanPower} (a window split between an aggregate and raw readings?)`,
        );
        break;
      }
      powerClose += 1;
    }
    t.equal(
      energyExact,
      want.size,
      'energy at each window end, maximum demand and maximum leakage are exact in every window',
    );
    t.equal(powerClose, want.size, 'the mean power of every window is kept (average demand)');
  },
);

t.test(
  'folding resumes after a restart and stays exact; when even aggregates do not fit, the oldest go and are counted',
  async (t) => {
    const dir = tempDir(t);
    const all: Reading[] = [];
    const source = cycles(8 * 240);
    const append = (outbox: SqliteOutbox, n: number) => {
      for (let i = 0; i < n; i += 1) {
        const readings = source.next().value as Reading[];
        all.push(...readings);
        outbox.appendBatch(sealedOf(readings), readings[0]!.ts);
      }
    };
    let outbox = new SqliteOutbox({ dataDir: dir, gatewayId: 'gw-f', maxBytes: 80 * 1024, policy: new FoldPolicy() });
    append(outbox, 3 * 240);
    outbox.close();
    outbox = new SqliteOutbox({ dataDir: dir, gatewayId: 'gw-f', maxBytes: 80 * 1024, policy: new FoldPolicy() });
    append(outbox, 2 * 240);
    const afterRestart = evidence(stored(t, outbox).readings);
    const want = evidence(all);
    const differing = [...want].filter(
      ([key, w]) =>
        JSON.stringify({ ...afterRestart.get(key), meanPower: 0 }) !== JSON.stringify({ ...w, meanPower: 0 }),
    );
    t.same(differing, [], 'after a restart, every window still has its exact energy and peaks');
    const meanOff = [...want].filter(
      ([key, w]) =>
        w.meanPower !== undefined && Math.abs((afterRestart.get(key)?.meanPower ?? Number.NaN) - w.meanPower) > 1e-3,
    );
    t.same(
      meanOff.map(([key]) => key),
      [],
      'and its mean power: re-folding after the restart did not weigh an aggregate as one reading',
    );
    outbox.close();

    // Now a bound too small for the hours of aggregates: the oldest must go, counted.
    const small = 8 * 1024;
    outbox = new SqliteOutbox({ dataDir: dir, gatewayId: 'gw-f', maxBytes: small, policy: new FoldPolicy() });
    t.teardown(() => outbox.close());
    append(outbox, 3 * 240);
    const stats = outbox.stats();
    t.ok(stats.bytes <= small, `bounded: ${stats.bytes} bytes`);
    t.ok(
      Number(stats.overflow['batchesDropped']) > 0,
      `batchesDropped ${stats.overflow['batchesDropped']}, readingsDropped ${stats.overflow['readingsDropped']}`,
    );
    const kept = stored(t, outbox);
    t.strictSame(kept.readings.slice(-DEVICES.length), all.slice(-DEVICES.length), 'the newest readings are kept');
    t.ok(kept.readings[0]!.ts > T0, 'the oldest were the ones dropped');
  },
);
