import t from 'tap';
import { ctSecondaryOverlimit } from '../index.js';
import { engineWith, meter } from '../../../../test/detection/fakes.js';
import { T0, feed, feedSteps, reading, steps } from '../../../../test/detection/series.js';

// 300/5 A CT: rated secondary 5 A at 300 A primary.
const fleet = {
  devices: [meter('m-1', { customer: 'c-1', ctRatio: 60, ctSecondaryA: 5 }), meter('m-direct', { ctRatio: 1 })],
};
const S = 1000;

t.test('secondary current above 5 A for 300 s raises; exactly 5 A (300 A primary) does not', async (t) => {
  const { deps, engine } = await engineWith([ctSecondaryOverlimit], fleet);
  await feedSteps(engine, 'm-1', T0, 30, 40, () => ({ i_a: 300, i_b: 290, i_c: 280 }));
  t.equal(deps.alerts.alerts.length, 0);
  const start = T0 + 1200 * S;
  await feedSteps(engine, 'm-1', start, 30, 11, () => ({ i_a: 306, i_b: 290, i_c: 280 }));
  const a = deps.alerts.open('ct_secondary_overlimit', 'm-1')!;
  t.equal(a.openedAt, start + 300 * S);
  t.match(a.evidence, { secondaryA: 5.1, ratedSecondaryA: 5, primaryA: 306, ctRatio: 60, customer: 'c-1' });
});

t.test('a motor inrush of a minute never raises it', async (t) => {
  const { deps, engine } = await engineWith([ctSecondaryOverlimit], fleet);
  const series = steps('m-1', T0, 10, 120, (i) =>
    i >= 30 && i < 36 ? { i_a: 900, i_b: 900, i_c: 900 } : { i_a: 150, i_b: 150, i_c: 150 },
  );
  await feed(engine, series);
  t.equal(deps.alerts.alerts.length, 0);
});

t.test(
  'an implausible secondary current (over 10× rated: a ratio or decoding error) is skipped, not raised',
  async (t) => {
    const { deps, engine } = await engineWith([ctSecondaryOverlimit], fleet, {
      ct_secondary_overlimit: { holdSeconds: 0 },
    });
    await feed(engine, [reading('m-1', T0, { i_a: 3001 })]);
    t.equal(deps.alerts.alerts.length, 0);
    await feed(engine, [reading('m-1', T0 + S, { i_a: 2999 })]);
    t.equal(deps.alerts.open('ct_secondary_overlimit', 'm-1')?.severity, 'critical');
    t.equal(deps.alerts.open('ct_secondary_overlimit', 'm-1')?.evidence['implausibleReadingsSkipped'], 1);
  },
);

t.test('a meter wired directly (ratio 1) has no CT to judge', async (t) => {
  const { deps, engine } = await engineWith([ctSecondaryOverlimit], fleet, {
    ct_secondary_overlimit: { holdSeconds: 0 },
  });
  await feed(engine, [reading('m-direct', T0, { i_a: 60 })]);
  t.equal(deps.alerts.alerts.length, 0);
});
