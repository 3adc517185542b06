import t from 'tap';
import { phaseUnbalance } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feedSteps } from '../../../../test/detection/series.js';

// 200 kVA at 400 V: rated current 288.7 A.
const fleet = (vectorGroup?: string) => ({
  transformers: [{ id: 'tx-1', site: 's', ratedKva: 200, ...(vectorGroup ? { vectorGroup } : {}) }],
  devices: [meter('tm-1', { transformer: 'tx-1' }), meter('cm-1', { transformer: 'tx-1', customer: 'c-1' })],
});
const S = 1000;

t.test('Yyn0: 15 % unbalance holds, 15.1 % for 15 minutes raises', async (t) => {
  const { deps, engine } = await engineWith([phaseUnbalance], fleet('Yyn0'));
  await feedSteps(engine, 'tm-1', T0, 60, 30, () => ({ i_a: 200, i_b: 185, i_c: 170 }));
  t.equal(deps.alerts.alerts.length, 0, '(200 − 170) / 200 = 15 %');
  const start = T0 + 1800 * S;
  await feedSteps(engine, 'tm-1', start, 60, 16, () => ({ i_a: 200, i_b: 185, i_c: 169.8 }));
  const a = deps.alerts.open('phase_unbalance', 'tx-1')!;
  t.equal(a.openedAt, start + 900 * S);
  t.match(a.evidence, { unbalancePct: 15.1, unbalanceLimitPct: 15, vectorGroup: 'Yyn0' });
});

t.test('Dyn11 allows 25 %', async (t) => {
  const { deps, engine } = await engineWith([phaseUnbalance], fleet('Dyn11'), { phase_unbalance: { holdSeconds: 0 } });
  await feedSteps(engine, 'tm-1', T0, 60, 3, () => ({ i_a: 200, i_b: 170, i_c: 151 }));
  t.equal(deps.alerts.alerts.length, 0, '24.5 %');
  await feedSteps(engine, 'tm-1', T0 + 180 * S, 60, 1, () => ({ i_a: 200, i_b: 170, i_c: 149 }));
  t.ok(deps.alerts.open('phase_unbalance', 'tx-1'));
});

t.test('neutral current above 25 % of rated current raises on its own', async (t) => {
  const { deps, engine } = await engineWith([phaseUnbalance], fleet(), { phase_unbalance: { holdSeconds: 0 } });
  await feedSteps(engine, 'tm-1', T0, 60, 1, () => ({ i_a: 200, i_b: 200, i_c: 200, i_n: 72 }));
  t.equal(deps.alerts.alerts.length, 0, '72 A is 24.9 %');
  await feedSteps(engine, 'tm-1', T0 + 60 * S, 60, 1, () => ({ i_a: 200, i_b: 200, i_c: 200, i_n: 73 }));
  t.match(deps.alerts.open('phase_unbalance', 'tx-1')!.evidence, { neutralA: 73, neutralLimitPct: 25 });
});

t.test('light load is not judged; customer meters are ignored when the transformer has its own meter', async (t) => {
  const { deps, engine } = await engineWith([phaseUnbalance], fleet(), { phase_unbalance: { holdSeconds: 0 } });
  await feedSteps(engine, 'tm-1', T0, 60, 3, () => ({ i_a: 57, i_b: 0, i_c: 0 }));
  t.equal(deps.alerts.alerts.length, 0, '57 A is under 20 % of 288.7 A');
  await feedSteps(engine, 'cm-1', T0 + 200 * S, 60, 3, () => ({ i_a: 200, i_b: 0, i_c: 0 }));
  t.equal(deps.alerts.alerts.length, 0, 'a customer meter (one phase bypassed, say) is not the transformer');
});
