import t from 'tap';
import { lowPowerFactor } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, steps } from '../../../../test/detection/series.js';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const fleet = {
  customers: [
    { id: 'c-hv', name: 'HV plant', contractKva: 400, tariff: 'two_part' as const },
    { id: 'c-lv', name: 'LV workshop', contractKva: 200, tariff: 'two_part' as const },
    { id: 'c-small', name: 'shop', contractKva: 50, tariff: 'single' as const },
    { id: 'c-agri', name: 'pumping station', contractKva: 150, tariff: 'single' as const },
    { id: 'c-pv', name: 'PV roof', contractKva: 200, tariff: 'two_part' as const, hasGeneration: true },
  ],
  devices: [
    meter('m-hv', { customer: 'c-hv', ptRatio: 100 }), // behind a voltage transformer: high-voltage metering
    meter('m-lv', { customer: 'c-lv' }),
    meter('m-small', { customer: 'c-small' }),
    meter('m-agri', { customer: 'c-agri' }),
    meter('m-pv', { customer: 'c-pv' }),
    meter('m-tx'),
  ],
};

/** p kW at power factor pf (q from it), one reading a minute. */
const at = (device: string, from: number, minutes: number, p: number, pf: number) =>
  steps(device, from, 60, minutes, () => ({ p_kw: p, q_kvar: (p * Math.sqrt(1 - pf * pf)) / pf }));

t.test('each customer against its own standard, by class and size (FACTS.md tariff rules)', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet, {
    low_power_factor: { standards: { 'c-agri': 0.8 } },
  });
  for (const device of ['m-hv', 'm-lv', 'm-agri', 'm-tx']) await feed(engine, at(device, T0, 120, 150, 0.88), 60);
  await feed(engine, at('m-small', T0, 120, 40, 0.6), 60);
  const raised = deps.alerts.alerts.map((a) => a.subject).sort();
  t.same(raised, ['m-hv', 'm-tx'], '0.88 is under 0.90 (HV 160 kVA and above; no customer) but not under 0.85 or 0.80');
  t.match(deps.alerts.open('low_power_factor', 'm-hv')!.evidence, {
    pf: 0.88,
    standard: 0.9,
    standardBasis: 'high-voltage customer of 160 kVA and above',
    windowMinutes: 60,
    customer: 'c-hv',
  });
  t.notOk(deps.alerts.open('low_power_factor', 'm-small'), 'under 100 kVA: not assessed, even at 0.6');

  await feed(engine, at('m-lv', T0 + 2 * HOUR, 120, 150, 0.83), 60);
  await feed(engine, at('m-agri', T0 + 2 * HOUR, 120, 150, 0.83), 60);
  t.match(deps.alerts.open('low_power_factor', 'm-lv')!.evidence, { standard: 0.85, standardBasis: /100 kVA/ });
  t.notOk(deps.alerts.open('low_power_factor', 'm-agri'), '0.83 meets the agricultural customer’s configured 0.80');
});

t.test('judged on the window’s energies, not on samples: a short dip in a good hour does not raise', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet);
  // 50 minutes at 0.95 and 10 at 0.5, every hour for six hours: each sample at 0.5 is far under
  // 0.85, the hour's kWh / √(kWh² + kvarh²) is 0.87.
  const hourly = (h: number) => [
    ...at('m-lv', T0 + h * HOUR, 50, 100, 0.95),
    ...at('m-lv', T0 + h * HOUR + 50 * MIN, 10, 100, 0.5),
  ];
  await feed(engine, Array.from({ length: 6 }, (_, h) => hourly(h)).flat(), 60);
  t.equal(deps.alerts.alerts.length, 0);
});

t.test('the window must be half covered by real load; critical under 0.7; hysteresis to end', async (t) => {
  const { deps, engine } = await engineWith([lowPowerFactor], fleet);
  await feed(engine, at('m-lv', T0, 29, 150, 0.6), 60);
  t.equal(deps.alerts.alerts.length, 0, '28 minutes of energy: under half the window');
  await feed(engine, at('m-lv', T0 + 29 * MIN, 3, 150, 0.6), 60);
  const a = deps.alerts.open('low_power_factor', 'm-lv')!;
  t.equal(a.openedAt, T0 + 30 * MIN, 'once 30 minutes are covered');
  t.equal(a.severity, 'critical');
  // Back to 0.86: the hour's figure climbs through 0.85 but must reach 0.87 for 15 minutes.
  await feed(engine, at('m-lv', T0 + 32 * MIN, 120, 150, 0.86), 60);
  t.equal(a.pausedAt ?? null, null, '0.86 is above the standard but inside the 0.02 band');
  await feed(engine, at('m-lv', T0 + 152 * MIN, 90, 150, 0.95), 60);
  t.not(a.pausedAt, null, 'the occurrence ended');
});

t.test(
  'a customer with generation is judged on its import periods: a month of PV gives at most one episode',
  async (t) => {
    const { deps, engine } = await engineWith([lowPowerFactor], fleet);
    // Load 60 kW at 0.92 with 25 kvar of motors; PV up to 110 kW at midday, so noon exports,
    // and the shoulders import little active power against the same reactive load.
    const readings = steps('m-pv', T0, 60, 30 * 24 * 60, (i, ts) => {
      const hour = ((ts - T0) % DAY) / HOUR + 8; // T0 is 08:00 local
      const sun = Math.max(0, Math.sin((((hour % 24) - 6) / 12) * Math.PI));
      const cloud = 0.6 + 0.4 * Math.abs(Math.sin(Math.floor((ts - T0) / DAY) * 2.3));
      const p = 60 + 5 * Math.sin(i / 7) - 110 * sun * cloud;
      return { p_kw: p, q_kvar: 25 };
    });
    await feed(engine, readings, 240);
    const alerts = deps.alerts.ofType('low_power_factor');
    t.ok(alerts.length <= 1, `at most one low-PF episode in a month (${alerts.length})`);

    // The same load without hasGeneration, judged on every interval, does raise: the rule is not simply blind.
    const plain = await engineWith([lowPowerFactor], {
      ...fleet,
      customers: fleet.customers.map((c) => (c.id === 'c-pv' ? { ...c, hasGeneration: false } : c)),
    });
    await feed(plain.engine, readings.slice(0, 3 * 24 * 60), 240);
    t.ok(plain.deps.alerts.ofType('low_power_factor').length >= 1, 'net power at the shoulders is a low power factor');
  },
);

t.test('a transformer meter with a PV customer behind it is judged outside daylight hours only', async (t) => {
  const pvSite = {
    transformers: [{ id: 'tx-1', site: 's', ratedKva: 400 }],
    customers: fleet.customers,
    devices: [meter('m-site', { transformer: 'tx-1' }), meter('m-pv', { customer: 'c-pv', transformer: 'tx-1' })],
  };
  const { deps, engine } = await engineWith([lowPowerFactor], pvSite);
  // T0 is 08:00 local: 150 kW at 0.8 all day long at the site meter.
  await feed(engine, at('m-site', T0, 10 * 60, 150, 0.8), 60);
  t.equal(deps.alerts.alerts.length, 0, '08:00-18:00: daylight, the net figure is not judged');
  await feed(engine, at('m-site', T0 + 11 * HOUR, 60, 150, 0.8), 60);
  t.match(deps.alerts.open('low_power_factor', 'm-site')?.evidence, { importOnly: true, standard: 0.9 });
});

t.test('settings are checked', async (t) => {
  await t.rejects(
    engineWith([lowPowerFactor], fleet, { low_power_factor: { standards: { 'c-1': 1.2 } } }),
    /detectors\.low_power_factor\.standards/,
  );
  await t.rejects(
    engineWith([lowPowerFactor], fleet, { low_power_factor: { criticalAt: 0.95 } }),
    /criticalAt.*0\.95 must not be above a standard/,
  );
});
