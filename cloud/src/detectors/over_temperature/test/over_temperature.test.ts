import t from 'tap';
import { overTemperature } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, reading } from '../../../../test/detection/series.js';

const fleet = { devices: [{ ...meter('t-1'), kind: 'terminal' as const }] };
const S = 1000;

t.test('the hottest channel above 70 °C raises, naming the channel; 90 °C is critical', async (t) => {
  const { deps, engine } = await engineWith([overTemperature], fleet);
  await feed(engine, [reading('t-1', T0, { t1_c: 40, t2_c: 70, t3_c: 30, t4_c: 25 })]);
  t.equal(deps.alerts.alerts.length, 0, 'exactly at the setting');
  await feed(engine, [reading('t-1', T0 + S, { t1_c: 40, t2_c: 70.5, t3_c: 30, t4_c: 25 })]);
  t.match(deps.alerts.open('over_temperature', 't-1')!.evidence, { channel: 't2_c', temperatureC: 70.5, alarmC: 70 });
  await feed(engine, [reading('t-1', T0 + 2 * S, { t1_c: 40, t2_c: 90, t3_c: 30, t4_c: 25 })]);
  t.equal(deps.alerts.open('over_temperature', 't-1')!.severity, 'critical');
});

t.test('hysteresis of 5 K, held for clearSeconds', async (t) => {
  const { deps, engine } = await engineWith([overTemperature], fleet, { over_temperature: { clearSeconds: 60 } });
  await feed(engine, [
    reading('t-1', T0, { t1_c: 75 }),
    reading('t-1', T0 + 10 * S, { t1_c: 66 }),
    reading('t-1', T0 + 100 * S, { t1_c: 66 }),
  ]);
  t.ok(deps.alerts.open('over_temperature', 't-1'), '66 °C is above 65 °C');
  await feed(engine, [reading('t-1', T0 + 110 * S, { t1_c: 65 }), reading('t-1', T0 + 170 * S, { t1_c: 64 })]);
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended');
});

t.test('a channel left out of `channels` (ambient) is not watched; a bad channel name is refused', async (t) => {
  const { deps, engine } = await engineWith([overTemperature], fleet, {
    over_temperature: { channels: 't1_c,t2_c,t3_c' },
  });
  await feed(engine, [reading('t-1', T0, { t1_c: 30, t4_c: 80 })]);
  t.equal(deps.alerts.alerts.length, 0);
  await t.rejects(
    engineWith([overTemperature], fleet, { over_temperature: { channels: 't1_c,t9_c' } }),
    /"t9_c" is not a temperature channel/,
  );
  await t.rejects(
    engineWith([overTemperature], fleet, { over_temperature: { alarmC: 30 } }),
    /alarmC: must be a number from 55 to 140, got 30/,
  );
});
