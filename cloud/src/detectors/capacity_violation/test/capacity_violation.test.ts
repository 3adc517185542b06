import t from 'tap';
import { capacityViolation } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, feedSteps, steps } from '../../../../test/detection/series.js';

const fleet = {
  customers: [{ id: 'c-1', name: 'c', contractKva: 100, tariff: 'two_part' as const }],
  devices: [meter('m-1', { customer: 'c-1' }), meter('m-2', { customer: 'c-1' })],
};
const S = 1000;
const MIN = 60 * S;
const kw = (p: number) => ({ p_kw: p, q_kvar: 0 });

t.test('demand exactly at 105 % of contract never counts; just above it for four periods raises', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  await feedSteps(engine, 'm-1', T0, 10, 6 * 3 * 60, () => kw(105));
  t.equal(deps.alerts.alerts.length, 0, 'three hours at 105 kW');
  const { deps: d2, engine: e2 } = await engineWith([capacityViolation], fleet);
  await feedSteps(e2, 'm-1', T0, 10, 6 * 60, () => kw(105.2));
  const a = d2.alerts.open('capacity_violation', 'c-1')!;
  // First demand figure once 10 minutes are covered (block 1), then blocks 2, 3, 4: the 4th starts at 45 min.
  t.equal(a.openedAt, T0 + 46 * MIN);
  t.match(a.evidence, { contractKva: 100, thresholdKw: 105, periodsAbove: 4, maxDemandKw: 105.2, excessKva: 5.2 });
  t.equal(d2.cases.cases.size, 1);
});

t.test('a motor inrush, however high, is never a violation', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  // Three minutes at 400 kW on a 60 kW base: the 15-minute demand reaches 128 kW for 15 minutes only.
  await feedSteps(engine, 'm-1', T0, 10, 6 * 180, (i) => kw(i >= 6 * 60 && i < 6 * 63 ? 400 : 60));
  t.equal(deps.alerts.alerts.length, 0);
  t.equal(deps.cases.cases.size, 0);
});

t.test("the demand is summed over the customer's meters, minute by minute", async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  const a = steps('m-1', T0, 10, 6 * 60, () => kw(60));
  const b = steps('m-2', T0 + 5 * S, 10, 6 * 60, () => kw(50));
  await feed(
    engine,
    [...a, ...b].sort((x, y) => x.ts - y.ts),
  );
  t.match(deps.alerts.open('capacity_violation', 'c-1')?.evidence, { maxDemandKw: 110 });
});

t.test('plausibility: readings above 5× contract (a ratio or decoding error) never open a case', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  await feedSteps(engine, 'm-1', T0, 10, 6 * 60, () => kw(60));
  await feedSteps(engine, 'm-1', T0 + 60 * MIN, 10, 6 * 600, () => kw(60 * 60)); // the CT ratio applied twice
  t.equal(deps.alerts.alerts.length, 0);
  t.equal(deps.cases.cases.size, 0);
  const { deps: d2, engine: e2 } = await engineWith([capacityViolation], fleet, {
    capacity_violation: { plausibilityFactor: 100 },
  });
  await feedSteps(e2, 'm-1', T0, 10, 6 * 60, () => kw(3600));
  t.equal(d2.cases.cases.size, 1, 'the bound is what stops it');
});

t.test('minDays: an excess on one day only is not enough when two days are asked for', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet, { capacity_violation: { minDays: 2 } });
  const day = 86_400 * S;
  const load = (ts: number) => kw((ts - T0) % day >= 10 * 3600 * S && (ts - T0) % day < 12 * 3600 * S ? 130 : 60);
  await feed(
    engine,
    steps('m-1', T0, 30, 2 * 60 * 24, (_, ts) => load(ts)),
    60,
  );
  t.equal(deps.alerts.alerts.length, 0, 'day one: two hours above');
  await feed(
    engine,
    steps('m-1', T0 + day, 30, 2 * 60 * 24, (_, ts) => load(ts)),
    60,
  );
  const a = deps.alerts.open('capacity_violation', 'c-1')!;
  t.ok(a.openedAt > T0 + day + 10 * 3600 * S && a.openedAt < T0 + day + 11 * 3600 * S, "on the second day's excess");
  t.match(a.evidence, { daysAbove: 2 });
});

t.test(
  'the case carries the evidence and is updated, never duplicated; the alert resolves after a day below',
  async (t) => {
    const { deps, engine } = await engineWith([capacityViolation], fleet, {
      capacity_violation: { caseUpdateSeconds: 3600 },
    });
    await feed(
      engine,
      steps('m-1', T0, 10, 6 * 60 * 3, (i) => kw(i < 6 * 60 * 2 ? 150 : 180)),
      60,
    );
    t.equal(deps.cases.cases.size, 1);
    const c = [...deps.cases.cases.values()][0]!;
    t.ok(c.updates.length >= 3, `updated hourly (${c.updates.length})`);
    const last = c.updates.at(-1)!;
    t.match(last, { customer: 'c-1', contractKva: 100, maxDemandKw: 180, excessKva: 80 });
    t.ok(last.firstSeen < last.lastSeen);
    t.ok(
      last.demandSeries.length >= 10 &&
        last.demandSeries.every(([ts, d]) => typeof ts === 'number' && typeof d === 'number'),
    );
    t.equal(deps.alerts.open('capacity_violation', 'c-1')?.severity, 'critical', '180 % of contract');
    await feed(
      engine,
      steps('m-1', T0 + 3 * 3600 * S, 60, 60 * 25, () => kw(50)),
      60,
    );
    t.not(deps.alerts.ofType('capacity_violation')[0]!.pausedAt, null, 'the occurrence ended');
    t.equal(deps.alerts.ofType('capacity_violation').length, 1);
  },
);

t.test('a gap leaves too few minutes for a demand figure: no judgement across it', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  // 9 minutes of readings every 20 minutes: never 10 minutes in a period.
  for (let k = 0; k < 12; k++) await feedSteps(engine, 'm-1', T0 + k * 20 * MIN, 10, 6 * 9, () => kw(200));
  t.equal(deps.alerts.alerts.length, 0);
});

t.test(
  'motor starts scattered over a week never add up to a violation: the periods must fall on one day',
  async (t) => {
    const { deps, engine } = await engineWith([capacityViolation], fleet);
    const day = 86_400 * S;
    // Every day at 10:00 local (02:00 UTC), two minutes at 700 kW on a 90 kW base: one or two periods above a day.
    const series = steps('m-1', T0, 60, 60 * 24 * 7, (_, ts) => {
      const m = ((ts - T0) % day) / MIN;
      return kw(m >= 120 && m < 122 ? 480 : 90);
    });
    await feed(engine, series, 60);
    t.equal(deps.alerts.alerts.length, 0);
    t.equal(deps.cases.cases.size, 0);
  },
);

t.test('the case records the apparent maximum demand (kVA) beside kW', async (t) => {
  const { deps, engine } = await engineWith([capacityViolation], fleet);
  // 120 kW at 0.8 power factor (90 kvar): 150 kVA of apparent demand on a 100 kVA contract.
  await feedSteps(engine, 'm-1', T0, 10, 6 * 90, () => ({ p_kw: 120, q_kvar: 90 }));
  t.match(deps.alerts.open('capacity_violation', 'c-1')!.evidence, { maxDemandKw: 120, maxDemandKva: 150 });
  const [kase] = [...deps.cases.cases.values()];
  t.match(kase!.updates.at(-1), { maxDemandKw: 120, maxDemandKva: 150, excessKva: 20 });
});
