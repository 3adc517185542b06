/**
 * One seasonal baseline per meter (issue 13): consumption_anomaly and suspected_tamper
 * share it through the engine's shared parts, it is saved packed, and what was saved
 * before (each rule's own JSON baseline) still loads.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDetectionEngine } from '../../src/detection-engine/engine.js';
import { DetectorStateCache } from '../../src/detection-engine/state-cache.js';
import type { AnyDetector } from '../../src/detector-kit/detector.js';
import { parseDetectorSettings } from '../../src/detector-kit/settings.js';
import { openRelational } from '../../src/storage/relational/db.js';
import { SqlDetectorStateStore } from '../../src/storage/relational/detector-state-store.js';
import { consumptionAnomaly } from '../../src/detectors/consumption_anomaly/index.js';
import { suspectedTamper } from '../../src/detectors/suspected_tamper/index.js';
import { tamperSavedForm } from '../../src/detectors/suspected_tamper/saved-form.js';
import {
  addToBaseline,
  baselineConfig,
  localSlot,
  newBaseline,
  settleBaseline,
} from '../../src/detector-kit/baseline.js';
import { decodeBaseline, encodeBaseline } from '../../src/detector-kit/baseline-codec.js';
import { initialCondition, packCondition, unpackCondition } from '../../src/detector-kit/condition.js';
import { engineWith, makeDeps, meter, MemoryState } from './fakes.js';
import { T0, feed, steps } from './series.js';
import { DAY, commercialKw, noise } from './shapes.js';

const cfg = baselineConfig({
  blockMinutes: 60,
  utcOffsetMinutes: 480,
  holidays: '2025-06-09',
  calendarFiles: '',
  weeks: 4,
  dayTypeTolerance: 0.1,
});
const HOUR = 3_600_000;

/** Five weeks of hourly means (with a holiday), learnt as the rules learn them. */
function learnt(kw: (ts: number) => number) {
  const b = newBaseline(cfg);
  const first = T0 / HOUR;
  for (let block = first; block < first + 35 * 24; block++) {
    settleBaseline(b, block, cfg);
    addToBaseline(b, block, localSlot(block * HOUR, cfg), kw(block * HOUR), cfg);
  }
  return b;
}

t.test('the packed form reads back exactly, and is small', async (t) => {
  const household = learnt((ts) => 0.6 + 0.4 * Math.sin(ts / 7e6) + 0.05 * noise(ts));
  const plant = learnt((ts) => commercialKw(ts) * 3 + 5 * noise(ts, 2));
  for (const [name, b] of Object.entries({ household, plant })) {
    const saved = JSON.parse(JSON.stringify(encodeBaseline(b))) as unknown;
    t.same(decodeBaseline(saved, cfg), b, `${name}: same rings, pending block and rev`);
    t.ok(b.pending !== null, 'a pending block is part of it');
    t.ok(
      b.rings.slice(7 * 24, 8 * 24).every((r) => r.length >= 1),
      'the holiday has its own rings',
    );
  }
  const bytes = JSON.stringify(encodeBaseline(household)).length;
  const slots: Record<string, number[]> = {};
  household.rings.forEach((ring, i) => ring.length > 0 && (slots[`t${Math.floor(i / 24)}:${i % 24}`] = ring));
  const asJson = JSON.stringify({ slots, rev: household.rev }).length;
  t.ok(bytes * 4 < asJson, `four weeks of hourly means in ${bytes} B, ${asJson} B as JSON`);
  const withheld = learnt(commercialKw);
  withheld.withheld = 123;
  t.equal((decodeBaseline(encodeBaseline(withheld), cfg) as typeof withheld).withheld, 123, 'a withheld block too');
});

t.test('the older JSON form reads; an unreadable one says why', async (t) => {
  const legacy = { slots: { 'd1:0': [1.0541, 1.038], 'h:23': [2.5] }, rev: 9 };
  const b = decodeBaseline(legacy, cfg);
  if ('unreadable' in b) return t.fail(b.unreadable);
  t.same(b.rings[0], [1.05, 1.04], 'Monday 00:00, to the resolution kept now');
  t.same(b.rings[7 * 24 + 23], [2.5], 'holiday 23:00');
  t.equal(b.rev, 9);
  t.match(decodeBaseline({ slots: { 'd1:24': [1] }, rev: 1 }, cfg), { unreadable: /does not fit 24 slots/ });
  const good = encodeBaseline(learnt(commercialKw));
  t.match(decodeBaseline({ ...good, packed: good.packed.slice(0, 40) }, cfg), { unreadable: /end early/ });
  t.match(decodeBaseline({ ...good, slots: 48 }, cfg), { unreadable: /48 slots a day saved, 24 configured/ });
  t.match(decodeBaseline('x', cfg), { unreadable: /not an object/ });
});

/** A baseline in the JSON form each rule saved before it was shared: hourly slots by day type. */
function legacySlots(b: ReturnType<typeof newBaseline>): Record<string, number[]> {
  const slots: Record<string, number[]> = {};
  const types = ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'h', 'w'];
  b.rings.forEach((ring, i) => ring.length > 0 && (slots[`${types[Math.floor(i / 24)]}:${i % 24}`] = ring));
  return slots;
}

const fleet = {
  devices: [meter('m-1', { customer: 'c-1' })],
  customers: [{ id: 'c-1', name: 'c', contractKva: 500, tariff: 'single' as const }],
};
const history = (fromDay: number, days: number) =>
  steps('m-1', T0 + fromDay * DAY, 300, days * 288, (_, ts) => ({ p_kw: commercialKw(ts) }));

t.test('both rules of a meter learn and save one baseline', async (t) => {
  const state = new MemoryState();
  const { engine } = await engineWith([consumptionAnomaly, suspectedTamper], fleet, {}, state);
  await feed(engine, history(0, 3), 50);
  const keys = [...state.data.keys()];
  t.same(
    keys.filter((k) => k.includes('baseline')).map((k) => k.replace(/:[0-9a-f]{8}:[0-9a-f]{8}/, '')),
    ['seasonal_baseline:60min:4wk:480/m-1'],
    'one row, no per-rule copy',
  );
  const saved = JSON.parse(state.data.get(keys.find((k) => k.startsWith('seasonal_baseline'))!)!) as unknown;
  const b = decodeBaseline(saved, cfg);
  if ('unreadable' in b) return t.fail(b.unreadable);
  const values = b.rings.reduce((n, r) => n + r.length, 0) + (b.pending ? 1 : 0);
  t.equal(values, 3 * 24 - 1, 'every closed hour learnt once (the last hour is still open)');
});

t.test('state saved before the baseline was shared still loads, and an unreadable one restarts warm-up', async (t) => {
  // Three weeks through the engine as it saved before: each rule's own `${subject}#baseline`.
  const first = new MemoryState();
  const { engine } = await engineWith([consumptionAnomaly], fleet, {}, first);
  await feed(engine, history(0, 21), 50);
  const areaKey = [...first.data.keys()].find((k) => k.startsWith('seasonal_baseline'))!;
  const packed = JSON.parse(first.data.get(areaKey)!) as Parameters<typeof decodeBaseline>[0];
  const now = decodeBaseline(packed, cfg);
  if ('unreadable' in now) return t.fail(now.unreadable);
  const slots = legacySlots(now);
  const old = new MemoryState();
  for (const [key, raw] of first.data) if (key.startsWith('consumption_anomaly/')) old.data.set(key, raw);
  const hot = JSON.parse(old.data.get('consumption_anomaly/m-1')!) as { v: number; s: Record<string, unknown> };
  hot.s['cond'] = unpackCondition(hot.s['cond'] as Parameters<typeof unpackCondition>[0]);
  old.data.set('consumption_anomaly/m-1', JSON.stringify(hot));
  old.data.set('consumption_anomaly/m-1#baseline', JSON.stringify({ v: 4, s: { slots, rev: 5 } }));
  // A shunt from day 22 (half the load): suspected_tamper needs the learnt baseline to see it.
  const shunt = steps('m-1', T0 + 21 * DAY, 300, 3 * 288, (_, ts) => ({ p_kw: 0.5 * commercialKw(ts) }));
  const migrated = await engineWith([consumptionAnomaly, suspectedTamper], fleet, {}, old);
  await feed(migrated.engine, shunt, 50);
  t.equal(migrated.deps.alerts.ofType('suspected_tamper').length, 1, 'the old baseline was read: the shunt is seen');
  t.ok(
    [...old.data.keys()].some((k) => k.startsWith('seasonal_baseline')),
    'and is saved in the shared form',
  );

  const broken = new MemoryState();
  broken.data.set(areaKey, JSON.stringify({ rev: 1, slots: 24, packed: '////' }));
  const fresh = await engineWith([consumptionAnomaly, suspectedTamper], fleet, {}, broken);
  await feed(fresh.engine, shunt, 50);
  t.equal(fresh.deps.alerts.alerts.length, 0, 'unreadable: warm-up again, nothing judged, nothing crashed');
  const rewritten = decodeBaseline(JSON.parse(broken.data.get(areaKey)!) as unknown, cfg);
  t.notOk('unreadable' in rewritten, 'a readable baseline replaced it');
});

t.test("a rule's own baseline row from before is deleted once the shared row is committed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-baseline-'));
  const rdb = await openRelational({ kind: 'sqlite', path: join(dir, 'state.sqlite') });
  t.teardown(async () => {
    await rdb.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Three weeks through the engine, then the shared row turned back into each rule's own.
  const store = new SqlDetectorStateStore(rdb);
  const both: AnyDetector[] = [consumptionAnomaly, suspectedTamper];
  const deps = { ...makeDeps(fleet), state: store };
  await feed(createDetectionEngine(deps, { detectors: both, wallClock: () => 0 }), history(0, 21), 50);
  await store.flush();
  const area = (
    await rdb.db
      .selectFrom('detector_state')
      .select('detector')
      .where('detector', 'like', 'seasonal_baseline%')
      .executeTakeFirstOrThrow()
  ).detector;
  const learnt = decodeBaseline(await store.load(area, 'm-1'), cfg);
  if ('unreadable' in learnt) return t.fail(learnt.unreadable);
  const legacy = { v: 4, s: { slots: legacySlots(learnt), rev: 5 } };
  for (const d of both) await store.save(d.name, 'm-1#baseline', legacy);
  await store.delete(area, 'm-1');
  await store.flush();

  const ref = { subject: 'm-1', kind: 'device' as const };
  const loadBoth = async (cache: DetectorStateCache) => {
    const states = [];
    for (const d of both) {
      const ctx = { registry: deps.registry, settings: parseDetectorSettings(d, {}), log: deps.log };
      const entry = await cache.load(d, ctx, ref);
      cache.touched(entry);
      states.push(entry.state as { baseline: unknown });
    }
    return states;
  };
  const migrating = new SqlDetectorStateStore(rdb);
  const cache = new DetectorStateCache(migrating);
  const [anomaly, tamper] = await loadBoth(cache);
  t.equal(anomaly!.baseline, tamper!.baseline, 'one baseline object for both rules');
  t.same(anomaly!.baseline, decodeBaseline(legacy.s, cfg), 'read from the old row');
  await cache.flush();
  const committed = () => new SqlDetectorStateStore(rdb);
  t.ok(await committed().load('consumption_anomaly', 'm-1#baseline'), 'the old rows stay until the store commits');
  await migrating.flush();
  t.ok(await committed().load(area, 'm-1'), 'the shared row is committed');
  for (const d of both)
    t.equal(await committed().load(d.name, 'm-1#baseline'), undefined, `${d.name}'s old row is gone`);
  const [again] = await loadBoth(new DetectorStateCache(committed()));
  t.same(again!.baseline, anomaly!.baseline, 'a fresh cache loads the same baseline from the shared row');
});

t.test('condition trackers and register buckets are saved compactly; the object form still reads', async (t) => {
  const c = { ...initialCondition(), phase: 'active' as const, since: 5, severity: 'warning' as const };
  t.same(unpackCondition(JSON.parse(JSON.stringify(packCondition(c))) as ReturnType<typeof packCondition>), {
    ...c,
  });
  const idle = initialCondition();
  t.same(unpackCondition(JSON.parse(JSON.stringify(packCondition(idle))) as ReturnType<typeof packCondition>), idle);
  t.throws(() => unpackCondition([7, 0, 0, 0, null, 0]), /phase 7 is not one of 0-3/);
  const st = suspectedTamper.initialState({ subject: 'm-1', kind: 'device' }, { settings: { cfg } } as never);
  st.register.buckets.push({ hour: 1, registerKwh: 2, powerKwh: 3 });
  // As the engine hands it: without the shared baseline.
  const { baseline: _shared, ...own } = st;
  const packed = JSON.parse(JSON.stringify(tamperSavedForm.encode(own as typeof st))) as unknown;
  const asSaved = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  t.same(asSaved(tamperSavedForm.decode(packed)), asSaved(own), 'packed form');
  t.ok(Array.isArray(packed), 'saved as an array of its fields, without keys');
  t.throws(() => tamperSavedForm.decode([1, 2]), /saved state has 2 fields, 19 expected/);
  t.same(tamperSavedForm.decode(JSON.parse(JSON.stringify(own))), JSON.parse(JSON.stringify(own)), 'object form');
});
