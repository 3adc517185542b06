import t from 'tap';
import type { ReadingValues } from '@gridsafe/shared';
import { suspectedTamper } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, steps } from '../../../../test/detection/series.js';
import { DAY, commercialKw } from '../../../../test/detection/shapes.js';

const fleet = {
  customers: [
    { id: 'c-1', name: 'c', contractKva: 100, tariff: 'single' as const },
    { id: 'c-pv', name: 'pv', contractKva: 100, tariff: 'single' as const, hasGeneration: true },
  ],
  // 200/5 CT: 200 A rated primary; loss below 1 A, load at least 6 A.
  devices: [meter('m-1', { customer: 'c-1', ctRatio: 40 }), meter('m-pv', { customer: 'c-pv', ctRatio: 40 })],
};
const S = 1000;
const MIN = 60 * S;

function three(kw: number, opts: { lose?: 0 | 1 | 2; volts?: number; voltA?: number } = {}): ReadingValues {
  const volts = opts.volts ?? 220;
  const i = (kw * 1000) / (3 * volts);
  const cur = [i, i, i];
  if (opts.lose !== undefined) cur[opts.lose] = 0;
  const seen = opts.lose !== undefined ? (kw * 2) / 3 : kw;
  return { v_a: opts.voltA ?? volts, v_b: volts, v_c: volts, i_a: cur[0]!, i_b: cur[1]!, i_c: cur[2]!, p_kw: seen };
}

t.test('current loss: phase A at zero with its voltage present and B, C loaded, for 15 minutes', async (t) => {
  const { deps, engine } = await engineWith([suspectedTamper], fleet);
  await feed(
    engine,
    steps('m-1', T0, 60, 15, () => three(30, { lose: 0 })),
  );
  t.equal(deps.alerts.alerts.length, 0, '14 minutes');
  await feed(
    engine,
    steps('m-1', T0 + 15 * MIN, 60, 1, () => three(30, { lose: 0 })),
  );
  const a = deps.alerts.open('suspected_tamper', 'm-1')!;
  t.match(a.evidence, { signatures: ['current_loss'], currentLossPhase: 'a' });
  await feed(
    engine,
    steps('m-1', T0 + 16 * MIN, 60, 61, () => three(30)),
  );
  t.not(deps.alerts.alerts[0]!.pausedAt, null, 'the occurrence ended an hour after the current came back');
});

t.test('no current loss without voltage on that phase, or when the others carry no load', async (t) => {
  const { deps, engine } = await engineWith([suspectedTamper], fleet, { suspected_tamper: { lossHoldSeconds: 0 } });
  await feed(
    engine,
    steps('m-1', T0, 60, 30, () => three(30, { lose: 0, voltA: 0 })),
  );
  await feed(
    engine,
    steps('m-1', T0 + 30 * MIN, 60, 30, () => three(3, { lose: 0 })),
  );
  t.equal(deps.alerts.alerts.length, 0);
});

t.test('reverse energy for 10 minutes on a customer without generation; never on one with it', async (t) => {
  const { deps, engine } = await engineWith([suspectedTamper], fleet);
  await feed(
    engine,
    steps('m-1', T0, 60, 10, () => ({ p_kw: -2 })),
  );
  t.equal(deps.alerts.alerts.length, 0, '9 minutes');
  await feed(
    engine,
    steps('m-1', T0 + 10 * MIN, 60, 1, () => ({ p_kw: -2 })),
  );
  t.match(deps.alerts.open('suspected_tamper', 'm-1')!.evidence, {
    signatures: ['reverse_energy'],
    reverse: { pKw: -2 },
  });
  await feed(
    engine,
    steps('m-pv', T0, 60, 60, () => ({ p_kw: -20 })),
  );
  t.notOk(deps.alerts.open('suspected_tamper', 'm-pv'));
});

t.test(
  'a steady proportional drop against the baseline with the voltage unchanged (shunt), after 30 hours',
  async (t) => {
    const { deps, engine } = await engineWith([suspectedTamper], fleet);
    const start = T0 + 15 * DAY;
    await feed(
      engine,
      steps('m-1', T0, 300, 288 * 17, (_, ts) => three(commercialKw(ts) * (ts >= start ? 0.5 : 1))),
      50,
    );
    const a = deps.alerts.ofType('suspected_tamper')[0]!;
    t.ok(a, 'raised');
    t.ok(
      a.openedAt >= start + 30 * 3_600_000 && a.openedAt <= start + 32 * 3_600_000,
      `after ${(a.openedAt - start) / MIN} min`,
    );
    t.match(a.evidence, { signatures: ['proportional_drop'] });
    const ratio = (a.evidence['drop'] as { ratio: number }).ratio;
    t.ok(Math.abs(ratio - 0.5) < 0.01, `ratio ${ratio}`);
  },
);

t.test('a drop that changes the shape (daytime only) or comes with a voltage change is not a shunt', async (t) => {
  const start = T0 + 15 * DAY;
  const shape = await engineWith([suspectedTamper], fleet);
  await feed(
    shape.engine,
    steps('m-1', T0, 300, 288 * 18, (_, ts) => three(ts >= start && commercialKw(ts) > 50 ? 30 : commercialKw(ts))),
    50,
  );
  t.equal(shape.deps.alerts.alerts.length, 0, 'daytime-only drop for three days');
  const sag = await engineWith([suspectedTamper], fleet);
  await feed(
    sag.engine,
    steps('m-1', T0, 300, 288 * 18, (_, ts) =>
      three(commercialKw(ts) * (ts >= start ? 0.5 : 1), { volts: ts >= start ? 200 : 220 }),
    ),
    50,
  );
  t.equal(sag.deps.alerts.alerts.length, 0, 'with a 9 % lower voltage');
});
