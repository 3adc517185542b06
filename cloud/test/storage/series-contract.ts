/**
 * The series storage contract: every SeriesStore backend must pass these, with the
 * same figures. Each subtest gets a fresh, empty store from `open`.
 */
import type { Test } from 'tap';
import type { TelemetryBatch } from '@gridsafe/shared';
import type { SeriesStore } from '../../src/storage/series/types.js';

// 2026-01-01T00:00:00Z: aligned to every bucket width used here.
const BASE = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function batch(seq: number, readings: TelemetryBatch['readings'], gateway = 'gw-1'): TelemetryBatch {
  return { gateway, seq, sentAt: BASE, readings };
}

export function seriesContract(t: Test, open: () => Promise<SeriesStore>): void {
  const withStore = (name: string, body: (t: Test, store: SeriesStore) => Promise<void>) =>
    t.test(name, async (t) => {
      const store = await open();
      t.teardown(() => store.close());
      await body(t, store);
    });

  withStore('raw range: inclusive from, exclusive to, in time order, fields and quality kept', async (t, store) => {
    await store.writeBatch(
      batch(1, [
        { device: 'm-1', ts: BASE + 2 * MIN, values: { p_kw: 3.25, v_a: 230.1 }, quality: 'good' },
        { device: 'm-1', ts: BASE, values: { p_kw: 1.5, v_a: 229.9, i_a: 7.125 }, quality: 'stale' },
        { device: 'm-1', ts: BASE + MIN, values: { p_kw: -2.75 }, quality: 'suspect' },
        { device: 'm-2', ts: BASE + MIN, values: { p_kw: 100 }, quality: 'good' },
      ]),
    );
    const all = await store.raw({ device: 'm-1', from: BASE, to: BASE + 3 * MIN });
    t.same(all, [
      { device: 'm-1', ts: BASE, quality: 'stale', values: { p_kw: 1.5, v_a: 229.9, i_a: 7.125 } },
      { device: 'm-1', ts: BASE + MIN, quality: 'suspect', values: { p_kw: -2.75 } },
      { device: 'm-1', ts: BASE + 2 * MIN, quality: 'good', values: { p_kw: 3.25, v_a: 230.1 } },
    ]);
    t.same(
      (await store.raw({ device: 'm-1', from: BASE + MIN, to: BASE + 2 * MIN })).map((r) => r.ts),
      [BASE + MIN],
      'to is exclusive',
    );
    const onlyVoltage = await store.raw({ device: 'm-1', from: BASE, to: BASE + 3 * MIN, fields: ['v_a'] });
    t.same(
      onlyVoltage.map((r) => [r.ts, r.values]),
      [
        [BASE, { v_a: 229.9 }],
        [BASE + 2 * MIN, { v_a: 230.1 }],
      ],
      'readings without the field are left out',
    );
    t.same((await store.raw({ device: 'm-1', from: BASE, to: BASE + 3 * MIN, limit: 2 })).length, 2);
    t.same(await store.raw({ device: 'm-3', from: BASE, to: BASE + 3 * MIN }), []);
  });

  withStore('writes are idempotent and merge fields of the same (device, ts)', async (t, store) => {
    const first = batch(1, [{ device: 'm-1', ts: BASE, values: { p_kw: 10, v_a: 230 }, quality: 'good' }]);
    await store.writeBatch(first);
    await store.writeBatch(first);
    await store.writeBatch(batch(2, [{ device: 'm-1', ts: BASE, values: { i_a: 4 }, quality: 'good' }]));
    const rows = await store.raw({ device: 'm-1', from: BASE - MIN, to: BASE + MIN });
    t.equal(rows.length, 1);
    t.same(rows[0]?.values, { p_kw: 10, v_a: 230, i_a: 4 });
  });

  withStore('aggregates per interval: mean, max, min, last; buckets aligned to the epoch', async (t, store) => {
    const readings: TelemetryBatch['readings'] = [];
    // Minute 0: 1, 2, 3 (every 20 s); minute 1: 10, 20 (and v_a only in the first); minute 3: 7.
    [1, 2, 3].forEach((p, i) =>
      readings.push({ device: 'm-1', ts: BASE + i * 20_000, values: { p_kw: p }, quality: 'good' }),
    );
    readings.push({ device: 'm-1', ts: BASE + MIN, values: { p_kw: 10, v_a: 231 }, quality: 'good' });
    readings.push({ device: 'm-1', ts: BASE + MIN + 30_000, values: { p_kw: 20 }, quality: 'good' });
    readings.push({ device: 'm-1', ts: BASE + 3 * MIN + 5_000, values: { p_kw: 7 }, quality: 'good' });
    await store.writeBatch(batch(1, readings));
    const q = {
      device: 'm-1',
      from: BASE,
      to: BASE + 4 * MIN,
      everyMs: MIN,
      fields: ['p_kw' as const, 'v_a' as const],
    };
    t.same(await store.aggregate({ ...q, aggregate: 'mean' }), [
      { ts: BASE, values: { p_kw: 2 } },
      { ts: BASE + MIN, values: { p_kw: 15, v_a: 231 } },
      { ts: BASE + 3 * MIN, values: { p_kw: 7 } },
    ]);
    t.same(
      (await store.aggregate({ ...q, aggregate: 'max' })).map((p) => p.values.p_kw),
      [3, 20, 7],
    );
    t.same(
      (await store.aggregate({ ...q, aggregate: 'min' })).map((p) => p.values.p_kw),
      [1, 10, 7],
    );
    t.same(await store.aggregate({ ...q, aggregate: 'last' }), [
      { ts: BASE, values: { p_kw: 3 } },
      { ts: BASE + MIN, values: { p_kw: 20, v_a: 231 } },
      { ts: BASE + 3 * MIN, values: { p_kw: 7 } },
    ]);
    // A range that starts mid-bucket still uses epoch-aligned buckets.
    const shifted = await store.aggregate({ ...q, from: BASE + 30_000, aggregate: 'max' });
    t.same(
      shifted.map((p) => p.ts),
      [BASE, BASE + MIN, BASE + 3 * MIN],
    );
    t.same(
      shifted.map((p) => p.values.p_kw),
      [3, 20, 7],
    );
  });

  withStore('latest value per device and field', async (t, store) => {
    await store.writeBatch(
      batch(1, [
        { device: 'm-1', ts: BASE, values: { p_kw: 1, v_a: 229 }, quality: 'good' },
        { device: 'm-1', ts: BASE + MIN, values: { p_kw: 2 }, quality: 'good' },
        { device: 'm-2', ts: BASE + 5 * MIN, values: { p_kw: 50 }, quality: 'good' },
      ]),
    );
    const latest = await store.latest(['m-1', 'm-2', 'm-9'], ['p_kw', 'v_a']);
    t.same(latest.get('m-1'), { p_kw: { ts: BASE + MIN, value: 2 }, v_a: { ts: BASE, value: 229 } });
    t.same(latest.get('m-2'), { p_kw: { ts: BASE + 5 * MIN, value: 50 } });
    t.same(latest.get('m-9'), {});
  });

  withStore('15-minute demand: mean active power per aligned block', async (t, store) => {
    const readings: TelemetryBatch['readings'] = [];
    // 30 minutes of one-minute readings: 100 kW for the first block, 40 then 80 kW in the second.
    for (let i = 0; i < 30; i++)
      readings.push({
        device: 'm-1',
        ts: BASE + i * MIN,
        values: { p_kw: i < 15 ? 100 : i < 20 ? 40 : 80 },
        quality: 'good',
      });
    await store.writeBatch(batch(1, readings));
    const demand = await store.demand({ device: 'm-1', from: BASE, to: BASE + 30 * MIN });
    t.equal(demand.length, 2);
    t.same(demand[0], { ts: BASE, demandKw: 100 });
    t.equal(demand[1]?.ts, BASE + 15 * MIN);
    t.ok(Math.abs((demand[1]?.demandKw ?? 0) - (5 * 40 + 10 * 80) / 15) < 1e-9);
  });

  withStore('ids with the characters the contract allows, and values at the edges', async (t, store) => {
    const device = 'm.01:a_b-c';
    await store.writeBatch(
      batch(1, [
        { device, ts: BASE, values: { p_kw: 1e-9, e_imp_kwh: 123456789.125, pf: -0.5, breaker: 1 }, quality: 'good' },
      ]),
    );
    const rows = await store.raw({ device, from: BASE, to: BASE + 1 });
    t.same(rows[0]?.values, { p_kw: 1e-9, e_imp_kwh: 123456789.125, pf: -0.5, breaker: 1 });
    t.same(
      await store.raw({ device: "m.01' OR '1'='1", from: BASE, to: BASE + 1 }),
      [],
      'a quote in an id is data, not syntax',
    );
    t.equal(await store.ping(), true);
  });
}

/** For backends that keep the ingest ledger themselves (storeOnce). */
export function atomicLedgerContract(t: Test, open: () => Promise<SeriesStore>): void {
  t.test('storeOnce: batch and (gateway, seq) in one step; a repeat writes nothing', async (t) => {
    const store = await open();
    t.teardown(() => store.close());
    if (!store.storeOnce || !store.ledger) throw new Error('this backend does not offer storeOnce');
    const first = batch(5, [{ device: 'm-1', ts: BASE, values: { p_kw: 1 }, quality: 'good' }]);
    const changed = batch(5, [
      { device: 'm-1', ts: BASE, values: { p_kw: 2 }, quality: 'good' },
      { device: 'm-1', ts: BASE + MIN, values: { p_kw: 3 }, quality: 'good' },
    ]);
    const outcomes = await Promise.all([
      store.storeOnce(first, BASE, JSON.stringify(first)),
      store.storeOnce(changed, BASE, JSON.stringify(changed)),
      store.storeOnce(batch(6, []), BASE, 'not json: pending ignored below'),
    ]);
    t.same(outcomes, ['stored', 'duplicate', 'stored']);
    t.same(
      (await store.raw({ device: 'm-1', from: BASE, to: BASE + 2 * MIN })).map((r) => r.values.p_kw),
      [1],
    );
    const ledger = store.ledger();
    t.same(await ledger.recorded('gw-1'), [5, 6]);
    await ledger.markDetected([{ gateway: 'gw-1', seq: 6 }]);
    t.same(
      (await ledger.pending(10)).map((b) => b.seq),
      [5],
    );
  });
}
