/**
 * The register and wiring signatures of suspected_tamper (issue 11): register against
 * ∫P dt (stalled, creeping), register stepping back without a recorded meter event,
 * voltage loss on a loaded phase (失压), one phase reversed (反接); and their look-alikes.
 */
import t from 'tap';
import type { ReadingValues } from '@gridsafe/shared';
import { suspectedTamper } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, steps } from '../../../../test/detection/series.js';

const fleet = {
  customers: [
    { id: 'c-1', name: 'c', contractKva: 100, tariff: 'single' as const },
    { id: 'c-pv', name: 'pv', contractKva: 100, tariff: 'single' as const, hasGeneration: true },
  ],
  // 200/5 CT: 200 A rated primary.
  devices: [meter('m-1', { customer: 'c-1', ctRatio: 40 }), meter('m-pv', { customer: 'c-pv', ctRatio: 40 })],
};
const MIN = 60_000;
const HOUR = 3_600_000;

/** A balanced three-phase load of `kw` at 220 V with unity power factor, phases as given. */
function load(
  kw: number,
  o: { volts?: [number, number, number]; amps?: [number, number, number]; signs?: [number, number, number] } = {},
): ReadingValues {
  const volts = o.volts ?? [220, 220, 220];
  const amps = o.amps ?? [0, 1, 2].map(() => (kw * 1000) / 3 / 220);
  const signs = o.signs ?? [1, 1, 1];
  const p = [0, 1, 2].map((k) => (signs[k]! * volts[k]! * amps[k]!) / 1000);
  return {
    v_a: volts[0],
    v_b: volts[1],
    v_c: volts[2],
    i_a: amps[0],
    i_b: amps[1],
    i_c: amps[2],
    p_a_kw: p[0],
    p_b_kw: p[1],
    p_c_kw: p[2],
    p_kw: p[0]! + p[1]! + p[2]!,
  };
}

/** Minute readings of a load whose register advances by `registerShare` of ∫P dt from `from` on (a register counter kept across calls). */
function metered(
  device: string,
  start: number,
  minutes: number,
  kw: (ts: number) => number,
  register: { kwh: number },
  registerShare = 1,
) {
  return steps(device, start, 60, minutes, (_, ts) => {
    const values = load(kw(ts));
    register.kwh += (values.p_kw! / 60) * registerShare;
    return { ...values, e_imp_kwh: Math.round(register.kwh * 100) / 100 };
  });
}

t.test(
  'a stalled register under a steady load raises register_mismatch within the window; a sound one never',
  async (t) => {
    const { deps, engine } = await engineWith([suspectedTamper], fleet);
    const reg = { kwh: 1000 };
    await feed(
      engine,
      metered('m-1', T0, 12 * 60, () => 30, reg),
    );
    t.equal(deps.alerts.alerts.length, 0, '12 sound hours');
    await feed(
      engine,
      metered('m-1', T0 + 12 * HOUR, 8 * 60, () => 30, reg, 0),
    );
    const a = deps.alerts.open('suspected_tamper', 'm-1')!;
    t.ok(a, 'raised');
    t.ok(
      a.openedAt > T0 + 12 * HOUR && a.openedAt <= T0 + 19 * HOUR,
      `after ${(a.openedAt - T0 - 12 * HOUR) / HOUR} h`,
    );
    t.match(a.evidence, { signatures: ['register_mismatch'], register: { ratio: Number } });
    t.ok((a.evidence['register'] as { ratio: number }).ratio < 0.2, 'ratio near zero');
  },
);

t.test('a register creeping at 50 % of ∫P dt is a mismatch; a genuine load drop on every phase is not', async (t) => {
  const creep = await engineWith([suspectedTamper], fleet);
  const reg = { kwh: 500 };
  await feed(
    creep.engine,
    metered('m-1', T0, 8 * 60, () => 40, reg),
  );
  await feed(
    creep.engine,
    metered('m-1', T0 + 8 * HOUR, 10 * 60, () => 40, reg, 0.5),
  );
  t.match(creep.deps.alerts.open('suspected_tamper', 'm-1')?.evidence, { signatures: ['register_mismatch'] });

  const drop = await engineWith([suspectedTamper], fleet);
  const reg2 = { kwh: 500 };
  await feed(
    drop.engine,
    metered('m-1', T0, 8 * 60, () => 40, reg2),
  );
  // Production stops: a quarter of the load on every phase; the register follows the power.
  await feed(
    drop.engine,
    metered('m-1', T0 + 8 * HOUR, 30 * 60, () => 10, reg2),
  );
  t.equal(drop.deps.alerts.alerts.length, 0);
});

t.test(
  'a register with whole-kWh resolution under a light load is not judged until the window holds enough energy',
  async (t) => {
    const { deps, engine } = await engineWith([suspectedTamper], fleet);
    let exact = 200;
    await feed(
      engine,
      steps('m-1', T0, 60, 24 * 60, () => {
        exact += 1.2 / 60; // 1.2 kW: 7.2 kWh in 6 h, under the 10 kWh a window needs
        return { ...load(1.2), e_imp_kwh: Math.floor(exact) };
      }),
    );
    t.equal(deps.alerts.alerts.length, 0);
  },
);

t.test('a register stepping back raises register_backward once the grace for a record has passed', async (t) => {
  const { deps, engine } = await engineWith([suspectedTamper], fleet);
  const reg = { kwh: 8000 };
  await feed(
    engine,
    metered('m-1', T0, 60, () => 20, reg),
  );
  reg.kwh = 0; // reset to zero, nobody recorded it
  await feed(
    engine,
    metered('m-1', T0 + HOUR, 100, () => 20, reg),
  );
  t.equal(deps.alerts.alerts.length, 0, 'waiting for a record (2 h)');
  await feed(
    engine,
    metered('m-1', T0 + HOUR + 100 * MIN, 30, () => 20, reg),
  );
  const a = deps.alerts.open('suspected_tamper', 'm-1')!;
  t.match(a.evidence, { signatures: ['register_backward'], registerStep: { toKwh: Number } });
  t.ok((a.evidence['registerStep'] as { fromKwh: number }).fromKwh > 8000);
});

t.test('a recorded meter replacement explains the step, whether recorded before or within the grace', async (t) => {
  for (const recordAfterMinutes of [0, 90]) {
    const { deps, engine } = await engineWith([suspectedTamper], fleet);
    const reg = { kwh: 8000 };
    await feed(
      engine,
      metered('m-1', T0, 60, () => 20, reg),
    );
    const record = () =>
      deps.registry.recordedMeterEvents.push({
        device: 'm-1',
        kind: 'replacement',
        at: T0 + 70 * MIN,
        oldReadingKwh: 8020,
        newReadingKwh: 3,
        by: 'technician 7',
        recordedBy: 'inspector',
        recordedAt: T0 + 70 * MIN,
      });
    if (recordAfterMinutes === 0) record();
    reg.kwh = 3; // the new meter
    await feed(
      engine,
      metered('m-1', T0 + 80 * MIN, recordAfterMinutes || 10, () => 20, reg),
    );
    if (recordAfterMinutes > 0) record();
    await feed(
      engine,
      metered('m-1', T0 + 80 * MIN + (recordAfterMinutes || 10) * MIN, 10 * 60, () => 20, reg),
    );
    t.equal(deps.alerts.alerts.length, 0, `recorded ${recordAfterMinutes} min after the swap`);
  }
});

t.test(
  'voltage loss (失压): phase B near 0 V while it carries current, for 15 minutes; a phase lost upstream is not',
  async (t) => {
    const { deps, engine } = await engineWith([suspectedTamper], fleet);
    const amps: [number, number, number] = [45, 45, 45];
    await feed(
      engine,
      steps('m-1', T0, 60, 15, () => load(0, { volts: [221, 12, 220], amps })),
    );
    t.equal(deps.alerts.alerts.length, 0, '14 minutes');
    await feed(
      engine,
      steps('m-1', T0 + 15 * MIN, 60, 1, () => load(0, { volts: [221, 12, 220], amps })),
    );
    t.match(deps.alerts.open('suspected_tamper', 'm-1')?.evidence, {
      signatures: ['voltage_loss'],
      voltageLossPhase: 'b',
    });

    const upstream = await engineWith([suspectedTamper], fleet);
    await feed(
      upstream.engine,
      steps('m-1', T0, 60, 120, () => load(0, { volts: [221, 0.8, 220], amps: [45, 0, 45] })),
    );
    t.equal(upstream.deps.alerts.alerts.length, 0, 'voltage and current gone together');
    const sag = await engineWith([suspectedTamper], fleet);
    await feed(
      sag.engine,
      steps('m-1', T0, 60, 120, () => load(0, { volts: [221, 190, 220], amps })),
    );
    t.equal(sag.deps.alerts.alerts.length, 0, 'a 14 % sag on one phase is a supply matter');
  },
);

t.test('reversed phase (反接): one phase exporting while two import, 15 minutes; never with generation', async (t) => {
  const { deps, engine } = await engineWith([suspectedTamper], fleet);
  const reversed = () => load(30, { signs: [1, -1, 1] });
  await feed(engine, steps('m-1', T0, 60, 16, reversed));
  const a = deps.alerts.open('suspected_tamper', 'm-1')!;
  t.match(a.evidence, { signatures: ['reversed_phase'], reversedPhase: 'b' });
  t.ok((a.evidence['phasePowersKw'] as number[])[1]! < 0);

  const pv = await engineWith([suspectedTamper], fleet);
  await feed(pv.engine, steps('m-pv', T0, 60, 120, reversed));
  t.equal(pv.deps.alerts.alerts.length, 0, 'a single-phase inverter may export on one phase');
  const light = await engineWith([suspectedTamper], fleet);
  await feed(
    light.engine,
    steps('m-1', T0, 60, 120, () => ({ ...load(1), p_b_kw: -0.05 })),
  );
  t.equal(light.deps.alerts.alerts.length, 0, 'noise around zero on one phase is not a reversal');
});
