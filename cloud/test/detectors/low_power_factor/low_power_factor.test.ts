import t from 'tap';
import { lowPowerFactor } from '../../../src/detectors/low_power_factor/index.js';
import { engineWith, meter } from '../../detection/fakes.js';
import { T0, feed, reading, steps } from '../../detection/series.js';

const fleet = {
  customers: [{ id: 'c-1', name: 'c', contractKva: 200, tariff: 'two_part' as const }],
  devices: [meter('m-1', { customer: 'c-1' })],
};
const S = 1000;

t.test('below 0.90 for 15 minutes raises; 0.90 itself does not', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet);
  await feed(
    engine,
    steps('m-1', T0, 60, 30, () => ({ p_kw: 90, s_kva: 100, pf: 0.9 })),
  );
  t.equal(deps.alerts.alerts.length, 0);
  const start = T0 + 1800 * S;
  await feed(
    engine,
    steps('m-1', start, 60, 15, () => ({ p_kw: 85, s_kva: 100, pf: 0.85 })),
  );
  t.equal(deps.alerts.alerts.length, 0, '14 minutes');
  await feed(engine, [reading('m-1', start + 900 * S, { p_kw: 85, s_kva: 100, pf: -0.85 })]);
  t.match(deps.alerts.open('low_power_factor', 'm-1')!.evidence, { pf: 0.85, limit: 0.9, since: start });
});

t.test('light load is not judged (under 10 % of contract), and pf is derived from p and s when absent', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet, { low_power_factor: { holdSeconds: 0 } });
  await feed(engine, [reading('m-1', T0, { p_kw: 5, s_kva: 19.9 })]);
  t.equal(deps.alerts.alerts.length, 0, '19.9 kVA is under 20 kVA');
  await feed(engine, [reading('m-1', T0 + S, { p_kw: 16, s_kva: 20 })]);
  t.match(deps.alerts.open('low_power_factor', 'm-1')!.evidence, { pf: 0.8 });
});

t.test('critical under 0.7; resolves at 0.92 and above for 15 minutes', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet, { low_power_factor: { holdSeconds: 0 } });
  await feed(engine, [reading('m-1', T0, { p_kw: 60, s_kva: 100, pf: 0.6 })]);
  t.equal(deps.alerts.open('low_power_factor', 'm-1')!.severity, 'critical');
  await feed(
    engine,
    steps('m-1', T0 + 60 * S, 60, 20, () => ({ p_kw: 91, s_kva: 100, pf: 0.91 })),
  );
  t.ok(deps.alerts.open('low_power_factor', 'm-1'), '0.91 is in the band');
  await feed(
    engine,
    steps('m-1', T0 + 1300 * S, 60, 16, () => ({ p_kw: 92, s_kva: 100, pf: 0.92 })),
  );
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended');
});
