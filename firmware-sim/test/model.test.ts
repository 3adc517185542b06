/** The scenario engine on a simulated clock: shapes, consistency, energy, events, determinism. */
import t from 'tap';
import { FleetModel, demoScenario, lineVoltage } from '../src/index.js';
import { profiles, scenarioFrom } from './support/helpers.js';

const T0 = Date.parse('2025-03-03T00:00:00+08:00'); // a Monday

const sApparent = (v: Record<string, number | undefined>) => Math.hypot(v['p_kw']!, v['q_kvar']!);

t.test(
  'the demo: about 60 kVA, ramped from 10 s to 30 s after start to 1.3 x the 100 kVA rating, then held',
  async (t) => {
    const fleet = new FleetModel(demoScenario({ port: 0, profiles }), T0 + 14 * 3600_000, profiles);
    const at = (s: number) => fleet.valuesAt('m-001', fleet.t0 + s * 1000).values;
    const before = at(5);
    t.ok(before.s_kva! > 50 && before.s_kva! < 75, `base load about 60 kVA (${before.s_kva!.toFixed(1)})`);
    t.ok(Math.abs(before.pf! - 0.95) < 0.02, 'pf about 0.95');
    const mid = at(20);
    t.ok(mid.s_kva! > before.s_kva! + 15, 'rising half-way through the ramp');
    for (const s of [31, 45, 90, 600]) {
      const v = at(s);
      t.ok(v.s_kva! > 120 && v.s_kva! < 140, `about 130 kVA at ${s} s (${v.s_kva!.toFixed(1)})`);
    }
    const truth = fleet.truth();
    t.equal(truth.length, 1);
    t.match(truth[0], {
      device: 'm-001',
      event: 'overload_ramp',
      start: fleet.t0 + 10_000,
      end: null,
      targetKva: 130,
      transformer: 'tx-001',
      ratedKva: 100,
    });
  },
);

t.test('quantities agree with each other at any instant', async (t) => {
  const fleet = new FleetModel(demoScenario({ port: 0, profiles }), T0, profiles);
  for (let k = 0; k < 50; k++) {
    const v = fleet.valuesAt('m-001', T0 + k * 1_234_567).values as Record<string, number>;
    const ok =
      Math.abs(v['v_ab']! - lineVoltage(v['v_a']!, v['v_b']!)) < 1e-9 &&
      Math.abs(v['p_kw']! - (v['p_a_kw']! + v['p_b_kw']! + v['p_c_kw']!)) < 1e-9 &&
      Math.abs(v['s_kva']! - sApparent(v)) < 1e-6 * v['s_kva']! &&
      Math.abs(v['pf']! - v['p_kw']! / v['s_kva']!) < 1e-9 &&
      Math.abs((v['i_a']! * v['v_a']!) / 1000 - v['p_a_kw']! / v['pf']!) < 1e-6 * v['i_a']! &&
      v['v_a']! > 220 &&
      v['v_a']! < 240 &&
      v['f_hz']! > 49.9 &&
      v['f_hz']! < 50.1;
    if (!ok) t.fail(`inconsistent at step ${k}: ${JSON.stringify(v)}`);
  }
  t.pass('50 instants checked');
});

t.test('energy counters integrate power', async (t) => {
  const fleet = new FleetModel(
    scenarioFrom(`
devices: [{ id: m, profile: dtsu666, bus: b, unit: 1, ctRatio: 60, load: { baseKva: 100, pf: 0.8, daily: flat, noise: 0, initialImportKwh: 500 } }]
buses: [{ id: b, kind: tcp, port: 0 }]
`),
    T0,
    profiles,
  );
  const first = fleet.valuesAt('m', T0).values;
  let last = first;
  for (let m = 1; m <= 24 * 60; m++) last = fleet.valuesAt('m', T0 + m * 60_000).values;
  const kwh = last.e_imp_kwh! - first.e_imp_kwh!;
  t.equal(first.e_imp_kwh, 500, 'starts at the configured counter');
  t.ok(Math.abs(kwh - 80 * 24) < 80 * 24 * 0.01, `80 kW for a day adds about 1920 kWh (${kwh.toFixed(1)})`);
  t.ok(Math.abs(last.demand_kw! - 80) < 2, `15-minute demand about 80 kW (${last.demand_kw!.toFixed(2)})`);
  t.equal(last.e_exp_kwh, 0, 'no export');
});

t.test('load shapes: daily, weekday/weekend and seasonal', async (t) => {
  const fleet = new FleetModel(
    scenarioFrom(`
utcOffsetMinutes: 480
buses: [{ id: b, kind: tcp, port: 0 }]
devices:
  - { id: res, profile: dtsu666, bus: b, unit: 1, load: { baseKva: 50, daily: residential, noise: 0 } }
  - { id: off, profile: dtsu666, bus: b, unit: 2, load: { baseKva: 50, daily: commercial, weekendFactor: 0.5, noise: 0 } }
  - { id: sea, profile: dtsu666, bus: b, unit: 3, load: { baseKva: 50, seasonalAmplitude: 0.3, seasonalPeakDay: 200, noise: 0 } }
`),
    T0,
    profiles,
  );
  const s = (id: string, iso: string) => fleet.valuesAt(id, Date.parse(iso)).values.s_kva!;
  t.ok(
    s('res', '2025-03-03T19:00:00+08:00') > 2 * s('res', '2025-03-04T03:00:00+08:00'),
    'residential evening peak well above the night',
  );
  t.ok(
    s('off', '2025-03-05T10:00:00+08:00') > 1.8 * s('off', '2025-03-08T10:00:00+08:00'),
    'commercial Wednesday morning about twice Saturday morning',
  );
  t.ok(
    s('sea', '2025-07-19T12:00:00+08:00') > 1.6 * s('sea', '2026-01-17T12:00:00+08:00'),
    'seasonal: July peak above January',
  );
});

t.test('each injected event shows in the readings, and is labelled', async (t) => {
  const fleet = new FleetModel(
    scenarioFrom(`
seed: 3
transformers: [{ id: tx, ratedKva: 100 }]
customers: [{ id: c, contractKva: 100 }]
buses: [{ id: b, kind: tcp, port: 0 }]
devices:
  - { id: m, profile: dtsu666, bus: b, unit: 1, ctRatio: 60, transformer: tx, customer: c, load: { baseKva: 60, pf: 0.95, noise: 0.01 } }
  - { id: r, profile: gridsafe-rcm4, bus: b, unit: 2 }
events:
  - { device: m, type: voltage_sag, at: 1m, duration: 1m, factor: 0.85, phases: [a] }
  - { device: m, type: voltage_swell, at: 3m, duration: 1m, factor: 1.1 }
  - { device: m, type: phase_unbalance, at: 5m, duration: 1m, shares: [0.5, 0.3, 0.2] }
  - { device: m, type: low_power_factor, at: 7m, duration: 1m, pf: 0.7 }
  - { device: m, type: meter_bypass, at: 9m, duration: 1m, phase: b }
  - { device: m, type: demand_above_contract, at: 11m, duration: 5m, targetKw: 234.2, ramp: 1m }
  - { device: r, type: leakage_step, at: 1m, duration: 2m, residualMa: 450 }
  - { device: r, type: over_temperature, at: 5m, channel: 2, rateCPerMin: 5, maxC: 95 }
  - { device: m, type: comm_fault, at: 20m, duration: 1m, fault: exception, code: 6 }
`),
    T0,
    profiles,
  );
  const m = (min: number) => fleet.valuesAt('m', T0 + min * 60_000).values;
  const r = (min: number) => fleet.valuesAt('r', T0 + min * 60_000);
  const base = m(0.5);
  const sag = m(1.5);
  t.ok(sag.v_a! < 0.88 * 230 && sag.v_b! > 225, 'sag on phase a only');
  t.ok(m(2.5).v_a! > 225, 'sag over');
  t.ok(m(3.5).v_c! > 1.08 * 230, 'swell');
  const unb = m(5.5);
  t.ok((unb.i_a! - unb.i_c!) / unb.i_a! > 0.5, 'unbalance: (Imax - Imin) / Imax well above 15 %');
  t.ok(unb.i_n! > 0.2 * unb.i_a!, 'and a neutral current');
  t.ok(base.i_n! < 0.1 * base.i_a!, 'balanced load: small neutral current');
  t.ok(Math.abs(m(7.5).pf! - 0.7) < 0.02, 'low power factor');
  const bypass = m(9.5);
  t.equal(bypass.i_b, 0, 'bypass: phase b current reads zero');
  t.equal(bypass.p_b_kw, 0, 'and its power');
  t.ok(bypass.v_b! > 220, 'while its voltage is present');
  t.ok(bypass.i_a! > 50, 'and the other phases carry load');
  const demand = m(14);
  t.ok(
    Math.abs(demand.p_kw! - 234.2) < 234.2 * 0.05,
    `demand above contract: about 234.2 kW (${demand.p_kw!.toFixed(1)})`,
  );
  t.ok(demand.i_a! / 60 > 5, `CT secondary above its rated 5 A (${(demand.i_a! / 60).toFixed(2)} A)`);
  t.ok(r(0.5).values.i_res_ma! < 200 && r(1.5).values.i_res_ma! > 400, 'leakage step to 450 mA');
  t.equal(r(1.5).extras['alarm_status'], 2, 'terminal alarm status 2 above the rated 300 mA');
  t.ok(r(3.5).values.i_res_ma! < 200, 'leakage step over');
  t.ok(r(10).values.t2_c! > r(5).values.t2_c! + 20, 'temperature 2 drifts up');
  t.ok(Math.abs(r(60).values.t2_c! - 95) < 4, 'and levels off at its maximum');
  t.same(fleet.servedAt('m', T0 + 20.5 * 60_000).commFault, 'exception', 'comm fault in force');
  t.same(fleet.servedAt('m', T0 + 22 * 60_000).commFault, null, 'and over');

  const truth = fleet.truth();
  t.equal(truth.length, 9, 'one label per event');
  const label = truth.find((e) => e.event === 'demand_above_contract')!;
  t.match(label, {
    device: 'm',
    start: T0 + 11 * 60_000,
    end: T0 + 16 * 60_000,
    targetKw: 234.2,
    customer: 'c',
    contractKva: 100,
  });
  t.ok((label['ctSecondaryA'] as number) > 5, 'the label carries the implied CT secondary current');
  t.match(
    truth.find((e) => e.event === 'over_temperature'),
    { device: 'r', end: null, channel: 2 },
  );
});

t.test('deterministic with a seed', async (t) => {
  const text = (seed: number) => `
seed: ${seed}
buses: [{ id: b, kind: tcp, port: 0 }]
devices: [{ id: m, profile: sdm630, bus: b, unit: 1, load: { baseKva: 40, noise: 0.05, dailyVariation: 0.1 } }]`;
  const run = (seed: number) => {
    const fleet = new FleetModel(scenarioFrom(text(seed)), T0, profiles);
    return Array.from({ length: 20 }, (_, k) => fleet.servedAt('m', T0 + k * 3_600_000).values);
  };
  t.same(run(5), run(5), 'same seed, same values');
  t.not(JSON.stringify(run(5)), JSON.stringify(run(6)), 'another seed, other values');
  // Jumping straight to an instant gives what living through the day gives (bar the energy counters).
  const lived = new FleetModel(scenarioFrom(text(5)), T0, profiles);
  for (let k = 0; k < 600; k++) lived.valuesAt('m', T0 + k * 60_000);
  const livedV = lived.valuesAt('m', T0 + 600 * 60_000).values;
  const jumped = new FleetModel(scenarioFrom(text(5)), T0, profiles).valuesAt('m', T0 + 600 * 60_000).values;
  t.equal(livedV.s_kva, jumped.s_kva, 'instantaneous values do not depend on the path');
});
