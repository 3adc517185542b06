import t from 'tap';
import { voltageDeviation } from '../index.js';
import { classFor, inferNominalLineV } from '../classes.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, feedSteps, steps } from '../../../../test/detection/series.js';

const fleet = { devices: [meter('m-1'), meter('m-hv', { ptRatio: 100 })] };
const S = 1000;
const three = (v: number) => ({ v_a: v, v_b: 220, v_c: 220 });

t.test('classes: LV three-phase ±7 %, 220 V single-phase +7/−10 %, 35 kV and above split 10 %', async (t) => {
  t.equal(inferNominalLineV(198), 380);
  t.equal(inferNominalLineV(5774 * 0.9), 10_000);
  t.same([classFor(380, false, 5).upperPct, classFor(380, false, 5).lowerPct], [7, -7]);
  t.same(
    [classFor(380, true, 5).upperPct, classFor(380, true, 5).lowerPct, classFor(380, true, 5).nominalV],
    [7, -10, 220],
  );
  t.same([classFor(110_000, false, 5).upperPct, classFor(110_000, false, 5).lowerPct], [5, -5]);
});

const MIN = 60 * S;
const HOUR = 60 * MIN;
/** One-minute aggregates with a 5-minute hold, for the boundary tests. */
const oneMinute = { aggregateMinutes: 1, holdSeconds: 300, clearSeconds: 300 };

t.test('LV three-phase, 1-minute aggregates: 204.6 V (−7.0 %) holds, 204.5 V for 5 minutes raises', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet, { voltage_deviation: oneMinute });
  await feedSteps(engine, 'm-1', T0, 60, 20, () => three(204.6));
  t.equal(deps.alerts.alerts.length, 0);
  const start = T0 + 20 * MIN;
  await feedSteps(engine, 'm-1', start, 60, 6, () => three(204.5));
  t.equal(deps.alerts.alerts.length, 0, 'minute 4 is judged when minute 5 begins: four minutes of aggregates');
  await feedSteps(engine, 'm-1', start + 6 * MIN, 60, 1, () => three(204.5));
  const a = deps.alerts.open('voltage_deviation', 'm-1')!;
  // The first aggregate beyond is judged at its end (start + 1 min); five minutes of aggregates later it opens.
  t.equal(a.openedAt, start + 6 * MIN);
  t.match(a.evidence, { worstPhase: 'a', limitsPct: [-7, 7], aggregateMinutes: 1, since: start, rmsV: { a: 204.5 } });
  t.equal(a.severity, 'warning');
});

t.test('judged on RMS aggregates, not samples: samples beyond the limits either way do not raise', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet);
  // Every sample is 13.6 % or 9.1 % off, alternately; the 10-minute RMS is 226.4 V (+2.9 %).
  await feedSteps(engine, 'm-1', T0, 30, 6 * 60, (i) => three(i % 2 === 0 ? 250 : 200));
  t.equal(deps.alerts.alerts.length, 0);
});

t.test('10-minute aggregates (the default): two intervals beyond the limit open it', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet);
  await feedSteps(engine, 'm-1', T0, 60, 35, () => three(236.5)); // +7.5 % from T0 to T0 + 34 min
  const a = deps.alerts.open('voltage_deviation', 'm-1')!;
  t.equal(a.openedAt, T0 + 20 * MIN, 'the second interval, judged at its end');
  t.match(a.evidence, { aggregateMinutes: 10, since: T0, worstDeviationPct: 7.5 });
});

t.test('a voltage hovering at +7.1 % for three days, lower at night, is one alert', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet);
  const DAY = 24 * HOUR;
  await feed(
    engine,
    steps('m-1', T0, 60, 3 * 24 * 60, (i, ts) => {
      const hour = ((ts - T0) % DAY) / HOUR;
      const level = hour >= 7 && hour < 23 ? 1.071 : 1.04;
      return three(220 * level + 0.8 * Math.sin(i * 1.7)); // ±0.8 V of noise about the level
    }),
    120,
  );
  const alerts = deps.alerts.ofType('voltage_deviation');
  t.equal(alerts.length, 1, 'one alert for the whole episode');
  t.equal(alerts[0]!.occurrences, 3, 'one occurrence each day');
  t.ok(alerts[0]!.lastOccurrenceAt >= T0 + 2 * DAY + 7 * HOUR);
});

t.test('beyond ±10 % is critical; a short dip never raises; the occurrence ends 1 % inside the limits', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet, { voltage_deviation: oneMinute });
  await feedSteps(engine, 'm-1', T0, 10, 12, () => three(150)); // 110 s dip
  await feedSteps(engine, 'm-1', T0 + 120 * S, 60, 10, () => three(220));
  t.equal(deps.alerts.alerts.length, 0, 'a dip under two minutes');
  await feedSteps(engine, 'm-1', T0 + 3600 * S, 60, 7, () => three(244));
  t.equal(deps.alerts.open('voltage_deviation', 'm-1')?.severity, 'critical');
  await feedSteps(engine, 'm-1', T0 + 4000 * S, 60, 10, () => three(234));
  t.equal(deps.alerts.alerts[0]!.pausedAt, null, '+6.4 % is inside the limit but within the 1 % margin');
  await feedSteps(engine, 'm-1', T0 + 5000 * S, 60, 7, () => three(230));
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended');
});

t.test(
  'a 10 kV supply (primary-side readings) is judged at ±7 % of 5774 V; the nominal can be configured',
  async (t) => {
    const now = { voltage_deviation: { aggregateMinutes: 1, holdSeconds: 0 } };
    const { deps, engine } = await engineWith([voltageDeviation], fleet, now);
    await feedSteps(engine, 'm-hv', T0, 60, 2, (i) => ({ v_a: 5774 * (i === 0 ? 1.06 : 1), v_b: 5774, v_c: 5774 }));
    t.equal(deps.alerts.alerts.length, 0);
    await feedSteps(engine, 'm-hv', T0 + 120 * S, 60, 2, (i) => ({
      v_a: 5774 * (i === 0 ? 1.075 : 1),
      v_b: 5774,
      v_c: 5774,
    }));
    t.ok(deps.alerts.open('voltage_deviation', 'm-hv'));
    const other = await engineWith([voltageDeviation], fleet, {
      voltage_deviation: { ...now.voltage_deviation, nominalLineV: { 'm-1': 400 } },
    });
    await feed(
      other.engine,
      steps('m-1', T0, 60, 2, () => ({ v_a: 245, v_b: 231, v_c: 231 })),
    );
    t.equal(other.deps.alerts.alerts.length, 0, '245 V is +6.1 % of 231 V');
  },
);

t.test('aggregateMinutes is a whole number of minutes', async (t) => {
  await t.rejects(
    engineWith([voltageDeviation], fleet, { voltage_deviation: { aggregateMinutes: 0.5 } }),
    /detectors\.voltage_deviation\.aggregateMinutes/,
  );
});
