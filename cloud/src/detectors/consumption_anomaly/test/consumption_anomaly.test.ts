import t from 'tap';
import { consumptionAnomaly } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, steps } from '../../../../test/detection/series.js';
import { DAY, commercialKw } from '../../../../test/detection/shapes.js';

// T0 is Monday 2025-06-02 00:00 UTC (08:00 local).
const fleet = { devices: [meter('m-1')] };
const STEP = 300; // a reading every 5 minutes
const perDay = (86_400 / STEP) | 0;
const history = (days: number, kw: (ts: number) => number = commercialKw) =>
  steps('m-1', T0, STEP, perDay * days, (_, ts) => ({ p_kw: kw(ts) }));

t.test('three weeks of a regular week raise nothing', async (t) => {
  const { deps, engine } = await engineWith([consumptionAnomaly], fleet);
  await feed(engine, history(21), 50);
  t.equal(deps.alerts.alerts.length, 0);
});

t.test(
  'a sustained rise (a load left running at night) raises within three hours, and resolves after it stops',
  async (t) => {
    const { deps, engine } = await engineWith([consumptionAnomaly], fleet);
    const start = T0 + 15 * DAY + 14 * 3_600_000; // Tuesday 22:00 local
    const end = start + 6 * 3_600_000;
    await feed(
      engine,
      history(17, (ts) => commercialKw(ts) + (ts >= start && ts < end ? 25 : 0)),
      50,
    );
    const a = deps.alerts.ofType('consumption_anomaly')[0]!;
    t.ok(a, 'raised');
    t.ok(a.openedAt > start && a.openedAt <= start + 3 * 3_600_000, `after ${(a.openedAt - start) / 60_000} min`);
    t.equal(a.evidence['direction'], 'up');
    t.not(a.pausedAt, null, 'the occurrence ended after the load stopped');
  },
);

t.test('a quarter hour at four times the load (a spike) is not a sustained shift', async (t) => {
  const { deps, engine } = await engineWith([consumptionAnomaly], fleet);
  const spike = T0 + 15 * DAY + 3 * 3_600_000;
  await feed(
    engine,
    history(17, (ts) => commercialKw(ts) * (ts >= spike && ts < spike + 15 * 60_000 ? 4 : 1)),
    50,
  );
  t.equal(deps.alerts.alerts.length, 0);
});

t.test(
  'a public holiday on a weekday: normal when listed, or when it looks like a weekend; raised when neither',
  async (t) => {
    const holiday = T0 + 16 * DAY; // Wednesday 2025-06-18 local from 08:00
    const kw = (ts: number) =>
      ts >= holiday - 8 * 3_600_000 && ts < holiday + 16 * 3_600_000
        ? 30 * (1 + 0.03 * Math.sin(ts))
        : commercialKw(ts);
    const listed = await engineWith([consumptionAnomaly], fleet, {
      consumption_anomaly: { holidays: '2025-06-18', weekendLikeIsNormal: false },
    });
    await feed(listed.engine, history(18, kw), 50);
    t.equal(listed.deps.alerts.alerts.length, 0, 'listed holiday');
    const alike = await engineWith([consumptionAnomaly], fleet);
    await feed(alike.engine, history(18, kw), 50);
    t.equal(alike.deps.alerts.alerts.length, 0, 'weekend-like weekday');
    const strict = await engineWith([consumptionAnomaly], fleet, {
      consumption_anomaly: { weekendLikeIsNormal: false },
    });
    await feed(strict.engine, history(18, kw), 50);
    t.equal(strict.deps.alerts.ofType('consumption_anomaly').length, 1, 'without either, the holiday is an anomaly');
  },
);

t.test('no judgement before the slot has minHistory values', async (t) => {
  const { deps, engine } = await engineWith([consumptionAnomaly], fleet);
  await feed(
    engine,
    history(3, (ts) => (ts > T0 + 2 * DAY ? 300 : commercialKw(ts))),
    50,
  );
  t.equal(deps.alerts.alerts.length, 0);
  await t.rejects(
    engineWith([consumptionAnomaly], fleet, { consumption_anomaly: { holidays: '2025-13-01' } }),
    /holidays: "2025-13-01" is not a date/,
  );
});

t.test(
  'the baseline is saved apart from the fast state, only when it changed, and a restart picks both up',
  async (t) => {
    const { MemoryState } = await import('../../../../test/detection/fakes.js');
    const state = new MemoryState();
    const first = await engineWith([consumptionAnomaly], fleet, {}, state);
    const all = history(17, (ts) => commercialKw(ts) + (ts >= T0 + 15 * DAY + 14 * 3_600_000 ? 25 : 0));
    const cut = all.findIndex((r) => r.ts >= T0 + 15 * DAY + 14 * 3_600_000);
    const savesBefore = state.saves;
    await feed(first.engine, all.slice(0, cut), 1);
    const baselineSaves = [...state.data.keys()].filter((k) => k.startsWith('seasonal_baseline:'));
    t.equal(baselineSaves.length, 1, 'one baseline area');
    t.match(baselineSaves[0], /^seasonal_baseline:60min:4wk:480:[0-9a-f]{8}:[0-9a-f]{8}\/m-1$/);
    const hours = (all[cut]!.ts - all[0]!.ts) / 3_600_000;
    t.ok(
      state.saves - savesBefore <= 2 * cut + hours + 1,
      'the rule and the engine once a batch, the baseline once an hour',
    );
    const second = await engineWith([consumptionAnomaly], fleet, {}, state);
    await feed(second.engine, all.slice(cut), 50);
    t.equal(
      second.deps.alerts.ofType('consumption_anomaly').length,
      1,
      'the restarted engine judged against the saved baseline',
    );
  },
);
