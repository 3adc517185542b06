import t from 'tap';
import { voltageDeviation } from '../../../src/detectors/voltage_deviation/index.js';
import { classFor, inferNominalLineV } from '../../../src/detectors/voltage_deviation/classes.js';
import { engineWith, meter } from '../../detection/fakes.js';
import { T0, feed, steps } from '../../detection/series.js';

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

t.test('LV three-phase: 204.6 V (−7.0 %) holds, 204.5 V for 300 s raises', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet);
  await feed(
    engine,
    steps('m-1', T0, 60, 20, () => three(204.6)),
  );
  t.equal(deps.alerts.alerts.length, 0);
  const start = T0 + 1200 * S;
  await feed(
    engine,
    steps('m-1', start, 60, 6, () => three(204.5)),
  );
  const a = deps.alerts.open('voltage_deviation', 'm-1')!;
  t.equal(a.openedAt, start + 300 * S);
  t.match(a.evidence, { worstPhase: 'a', limitsPct: [-7, 7] });
  t.equal(a.severity, 'warning');
});

t.test('single-phase 220 V may sag to 198 V (−10 %) but not swell past 235.4 V (+7 %)', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet, { voltage_deviation: { holdSeconds: 0 } });
  await feed(
    engine,
    steps('m-1', T0, 60, 3, () => ({ v_a: 198.5 })),
  );
  t.equal(deps.alerts.alerts.length, 0);
  await feed(
    engine,
    steps('m-1', T0 + 600 * S, 60, 1, () => ({ v_a: 235.6 })),
  );
  t.ok(deps.alerts.open('voltage_deviation', 'm-1'));
});

t.test('beyond ±10 % is critical; a short dip never raises; resolves 1 % inside the limits', async (t) => {
  const { deps, engine } = await engineWith([voltageDeviation], fleet);
  await feed(
    engine,
    steps('m-1', T0, 10, 12, () => three(150)),
  ); // 110 s dip
  await feed(
    engine,
    steps('m-1', T0 + 120 * S, 60, 10, () => three(220)),
  );
  t.equal(deps.alerts.alerts.length, 0, 'a dip under two minutes');
  await feed(
    engine,
    steps('m-1', T0 + 3600 * S, 60, 6, () => three(244)),
  );
  t.equal(deps.alerts.open('voltage_deviation', 'm-1')?.severity, 'critical');
  await feed(
    engine,
    steps('m-1', T0 + 4000 * S, 60, 10, () => three(234)),
  );
  t.ok(deps.alerts.open('voltage_deviation', 'm-1'), '+6.4 % is inside the limit but within the 1 % margin');
  await feed(
    engine,
    steps('m-1', T0 + 5000 * S, 60, 6, () => three(230)),
  );
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended');
});

t.test(
  'a 10 kV supply (primary-side readings) is judged at ±7 % of 5774 V; the nominal can be configured',
  async (t) => {
    const { deps, engine } = await engineWith([voltageDeviation], fleet, { voltage_deviation: { holdSeconds: 0 } });
    await feed(
      engine,
      steps('m-hv', T0, 60, 1, () => ({ v_a: 5774 * 1.06, v_b: 5774, v_c: 5774 })),
    );
    t.equal(deps.alerts.alerts.length, 0);
    await feed(
      engine,
      steps('m-hv', T0 + 60 * S, 60, 1, () => ({ v_a: 5774 * 1.075, v_b: 5774, v_c: 5774 })),
    );
    t.ok(deps.alerts.open('voltage_deviation', 'm-hv'));
    const other = await engineWith([voltageDeviation], fleet, {
      voltage_deviation: { holdSeconds: 0, nominalLineV: { 'm-1': 400 } },
    });
    await feed(
      other.engine,
      steps('m-1', T0, 60, 1, () => ({ v_a: 245, v_b: 231, v_c: 231 })),
    );
    t.equal(other.deps.alerts.alerts.length, 0, '245 V is +6.1 % of 231 V');
  },
);
