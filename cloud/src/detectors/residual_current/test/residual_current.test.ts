import t from 'tap';
import { residualCurrent } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, reading } from '../../../../test/detection/series.js';

const fleet = { devices: [{ ...meter('t-1', { transformer: 'tx-1' }), kind: 'terminal' as const }] };
const S = 1000;

t.test('300 mA is the alarm setting: 300 does not raise, 300.1 does at once (GB 31252: within 30 s)', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], fleet);
  await feed(engine, [reading('t-1', T0, { i_res_ma: 150 }), reading('t-1', T0 + 10 * S, { i_res_ma: 300 })]);
  t.equal(deps.alerts.alerts.length, 0);
  await feed(engine, [reading('t-1', T0 + 20 * S, { i_res_ma: 300.1 })]);
  const a = deps.alerts.open('residual_current', 't-1')!;
  t.equal(a.openedAt, T0 + 20 * S);
  t.equal(a.severity, 'warning');
  t.match(a.evidence, { residualMa: 300.1, alarmMa: 300, transformer: 'tx-1' });
});

t.test('500 mA (top of the GB 50116 range) is critical; severity rises on the open alert', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], fleet);
  await feed(engine, [reading('t-1', T0, { i_res_ma: 400 }), reading('t-1', T0 + S, { i_res_ma: 499 })]);
  t.equal(deps.alerts.open('residual_current', 't-1')?.severity, 'warning');
  await feed(engine, [reading('t-1', T0 + 2 * S, { i_res_ma: 500 })]);
  t.equal(deps.alerts.open('residual_current', 't-1')?.severity, 'critical');
  t.equal(deps.alerts.alerts.length, 1);
});

t.test('resolves only below 250 mA held for 300 s', async (t) => {
  const { deps, engine } = await engineWith([residualCurrent], fleet);
  await feed(engine, [
    reading('t-1', T0, { i_res_ma: 350 }),
    reading('t-1', T0 + 10 * S, { i_res_ma: 260 }),
    reading('t-1', T0 + 1000 * S, { i_res_ma: 260 }),
  ]);
  t.ok(deps.alerts.open('residual_current', 't-1'), '260 mA is inside the hysteresis band');
  await feed(engine, [
    reading('t-1', T0 + 1010 * S, { i_res_ma: 250 }),
    reading('t-1', T0 + 1309 * S, { i_res_ma: 200 }),
  ]);
  t.ok(deps.alerts.open('residual_current', 't-1'));
  await feed(engine, [reading('t-1', T0 + 1310 * S, { i_res_ma: 200 })]);
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended');
});

t.test('settings: the alarm setting is bounded by GB 14287.2 and the clear level must be below it', async (t) => {
  await t.rejects(
    engineWith([residualCurrent], fleet, { residual_current: { alarmMa: 5 } }),
    /alarmMa: must be a number from 20 to 1000, got 5/,
  );
  await t.rejects(
    engineWith([residualCurrent], fleet, { residual_current: { clearMa: 400 } }),
    /clearMa: 400 must not be above alarmMa/,
  );
  const { deps, engine } = await engineWith([residualCurrent], fleet, {
    residual_current: { alarmMa: 500, clearMa: 400, criticalMa: 800 },
  });
  await feed(engine, [reading('t-1', T0, { i_res_ma: 450 })]);
  t.equal(deps.alerts.alerts.length, 0, 'a site set to 500 mA does not alarm at 450');
});
