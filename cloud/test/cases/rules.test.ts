import t from 'tap';
import { CASE_STATES, type CaseState } from '@gridsafe/shared';
import { CASE_TRANSITIONS, checkTransition, isFinal } from '../../src/cases/state-machine.js';
import { DEFAULT_PENALTY_RULES, estimatePenalty, monthsUsed, parsePenaltyRules } from '../../src/cases/penalty.js';

t.test('only the workflow moves are allowed', async (t) => {
  const allowed = new Set([
    'new>under_review',
    'under_review>field_check',
    'under_review>dismissed',
    'field_check>confirmed',
    'field_check>dismissed',
    'field_check>under_review',
  ]);
  for (const from of CASE_STATES) {
    for (const to of CASE_STATES) {
      const refusal = checkTransition(from, to, 'because');
      t.equal(refusal === null, allowed.has(`${from}>${to}`), `${from} → ${to}`);
    }
  }
  t.match(checkTransition('new', 'confirmed', 'x'), {
    code: 'not_allowed',
    params: { from: 'new', to: 'confirmed', next: 'under_review' },
  });
  t.match(checkTransition('confirmed', 'under_review', 'x'), {
    code: 'not_allowed',
    final: true,
    params: { from: 'confirmed', to: 'under_review' },
  });
  t.match(checkTransition('field_check', 'confirmed', '  '), { code: 'note_required' });
  t.match(checkTransition('field_check', 'field_check', 'x'), { code: 'same_state' });
  t.ok(isFinal('confirmed') && isFinal('dismissed') && !isFinal('new'));
  // Every state is reachable from new, and every path ends in a final state.
  const seen = new Set<CaseState>(['new']);
  const queue: CaseState[] = ['new'];
  while (queue.length)
    for (const next of CASE_TRANSITIONS[queue.shift()!])
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
  t.same([...seen].sort(), [...CASE_STATES].sort());
});

t.test('penalty under 供电营业规则 (1996) Art. 100: two-part tariff', async (t) => {
  const day = 86_400_000;
  // The seed case: 100 kVA contract, 234.2 kW measured, seen over 40 days → 2 months used.
  const estimate = estimatePenalty({
    tariff: 'two_part',
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: 0,
    lastSeen: 40 * day,
  });
  t.equal(estimate.monthsUsed, 2);
  t.equal(estimate.addedKva, 134.2);
  const rate = DEFAULT_PENALTY_RULES.twoPart.basicTariffYuanPerKvaMonth;
  t.same(
    estimate.items.map((i) => i.key),
    ['basic_tariff_months', 'two_part_penalty'],
  );
  t.equal(estimate.items[0]!.amountYuan, Math.round(134.2 * rate * 2 * 100) / 100);
  t.equal(
    estimate.items[1]!.amountYuan,
    Math.round(3 * 134.2 * rate * 100) / 100,
    'three times the basic tariff on the added capacity',
  );
  t.equal(estimate.totalYuan, Math.round((134.2 * rate * 2 + 3 * 134.2 * rate) * 100) / 100);
  t.match(estimate.citation, /第一百条/);
});

t.test('added capacity: the nameplate found when recorded, else apparent demand, else active demand', async (t) => {
  const seed = {
    tariff: 'single' as const,
    contractKva: 100,
    maxDemandKw: 234.2,
    excessKva: 134.2,
    firstSeen: 0,
    lastSeen: 0,
  };
  const withNameplate = estimatePenalty({ ...seed, maxDemandKva: 251.8, nameplateKva: 315 });
  t.match(withNameplate, {
    addedKva: 215,
    addedKvaBasis: 'nameplate',
    addedKvaFormula: 'nameplate found 315 kVA − contract 100 kVA',
    capacity: { contractKva: 100, nameplateKva: 315, apparentDemandKva: 251.8, activeDemandKw: 234.2 },
    totalYuan: 215 * 50,
  });
  const apparent = estimatePenalty({ ...seed, maxDemandKva: 251.8, nameplateKva: null });
  t.match(apparent, { addedKva: 151.8, addedKvaBasis: 'apparent_demand', totalYuan: 7590 });
  t.ok(apparent.addedKva > seed.excessKva, 'apparent demand is above the kW lower bound');
  const older = estimatePenalty(seed);
  t.match(older, { addedKva: 134.2, addedKvaBasis: 'active_demand', addedKvaFormula: /a lower bound/ });
  t.equal(
    estimatePenalty({ ...seed, nameplateKva: 80 }).addedKva,
    0,
    'a nameplate under the contract adds nothing (never negative)',
  );
});

t.test('penalty for other tariffs: 50 yuan per kVA', async (t) => {
  const estimate = estimatePenalty({
    tariff: 'single',
    contractKva: 50,
    maxDemandKw: 80,
    excessKva: 30,
    firstSeen: 0,
    lastSeen: 1,
  });
  t.same(
    estimate.items.map((i) => [i.key, i.amountYuan]),
    [['single_penalty', 1500]],
  );
  t.equal(estimate.totalYuan, 1500);
  t.equal(estimate.monthsUsed, 1, 'a month begun is a month used');
});

t.test('633号 demand rule as an option', async (t) => {
  const rules = parsePenaltyRules(
    { demandRule: { enabled: true, demandTariffYuanPerKwMonth: 40 } },
    'cloud.yaml: cases.penalty',
  );
  const estimate = estimatePenalty(
    { tariff: 'two_part', contractKva: 100, maxDemandKw: 115, excessKva: 15, firstSeen: 0, lastSeen: 0 },
    rules,
  );
  const demand = estimate.items.find((i) => i.key === 'demand_over_105');
  t.ok(demand, 'applies above 105 %');
  t.equal(demand!.amountYuan, 2 * 10 * 40, 'the part above 105 kW is charged twice');
  const under = estimatePenalty(
    { tariff: 'two_part', contractKva: 100, maxDemandKw: 104, excessKva: 4, firstSeen: 0, lastSeen: 0 },
    rules,
  );
  t.notOk(
    under.items.some((i) => i.key === 'demand_over_105'),
    'not at or below 105 %',
  );
  const off = estimatePenalty({
    tariff: 'two_part',
    contractKva: 100,
    maxDemandKw: 115,
    excessKva: 15,
    firstSeen: 0,
    lastSeen: 0,
  });
  t.notOk(
    off.items.some((i) => i.key === 'demand_over_105'),
    'off by default',
  );
});

t.test('penalty rules configuration is checked with the field named', async (t) => {
  t.throws(
    () => parsePenaltyRules({ single: { yuanPerKva: -1 } }, 'cloud.yaml: cases.penalty'),
    /cloud\.yaml: cases\.penalty: single\.yuanPerKva: must be a number of at least 0, got -1/,
  );
  t.throws(() => parsePenaltyRules({ multiplier: 3 }, 'cfg'), /cfg: multiplier: is not a known field/);
  t.throws(
    () => parsePenaltyRules({ demandRule: { enabled: 'yes' } }, 'cfg'),
    /cfg: demandRule\.enabled: must be true or false, got "yes"/,
  );
  t.throws(
    () => parsePenaltyRules({ demandRule: { thresholdRatio: 0.9 } }, 'cfg'),
    /thresholdRatio: must be a number of at least 1, got 0\.9/,
  );
  t.equal(parsePenaltyRules(undefined, 'cfg'), DEFAULT_PENALTY_RULES);
  t.equal(parsePenaltyRules({ single: { yuanPerKva: 60 } }, 'cfg').single.yuanPerKva, 60);
  t.equal(monthsUsed(0, 30 * 86_400_000, 30), 1);
  t.equal(monthsUsed(0, 30 * 86_400_000 + 1, 30), 2);
});
