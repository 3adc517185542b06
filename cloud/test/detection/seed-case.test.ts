/**
 * The case from the seed documents (FACTS.md "capacity violation"): contract 100 kVA,
 * load rising to 234.2 kW. Screening raises ct_secondary_overlimit first; the demand
 * record then confirms capacity_violation with a case that shows the excess.
 * All built-in detectors run, with their defaults.
 */
import t from 'tap';
import type { ReadingValues } from '@gridsafe/shared';
import { createDetectionEngine } from '../../src/detection-engine/engine.js';
import { BUILTIN_DETECTORS } from '../../src/detectors/index.js';
import { makeDeps } from './fakes.js';
import { DEMO_METER } from '../support/cloud.js';
import { T0, feed, steps } from './series.js';

const S = 1000;
const MIN = 60 * S;

/** A balanced three-phase load at 220 V phase voltage, pf 0.95, as the gateway reports it (primary side). */
function load(pKw: number): ReadingValues {
  const pf = 0.95;
  const s = pKw / pf;
  const q = Math.sqrt(s * s - pKw * pKw);
  const i = (s * 1000) / (3 * 220);
  return { v_a: 220, v_b: 220, v_c: 220, i_a: i, i_b: i, i_c: i, p_kw: pKw, q_kvar: q, s_kva: s, pf, f_hz: 50 };
}

t.test(
  'a 100 kVA contract customer rising to 234.2 kW: CT screening first, then a capacity case with the excess',
  async (t) => {
    const deps = makeDeps({
      transformers: [{ id: 'tx-001', site: 'dedicated', ratedKva: 100, vectorGroup: 'Dyn11' }],
      customers: [{ id: 'c-001', name: 'Seed customer', contractKva: 100, tariff: 'two_part' }],
      devices: [DEMO_METER],
    });
    const engine = createDetectionEngine(deps, { detectors: BUILTIN_DETECTORS, wallClock: () => 0 });
    // An hour at 60 kW, a 20-minute rise to 234.2 kW, then three hours there. Readings every 10 s.
    const series = steps('m-001', T0, 10, 6 * 60 * 4 + 6 * 20, (_i, ts) => {
      const m = (ts - T0) / MIN;
      return load(m < 60 ? 60 : m < 80 ? 60 + ((234.2 - 60) * (m - 60)) / 20 : 234.2);
    });
    await feed(engine, series, 30, 'gw-001');

    const ct = deps.alerts.ofType('ct_secondary_overlimit');
    const cap = deps.alerts.ofType('capacity_violation');
    t.equal(ct.length, 1, 'one CT secondary alert');
    t.equal(cap.length, 1, 'one capacity alert');
    t.ok(
      ct[0]!.openedAt < cap[0]!.openedAt,
      `CT screening (${(ct[0]!.openedAt - T0) / MIN} min) before capacity (${(cap[0]!.openedAt - T0) / MIN} min)`,
    );
    t.ok(
      (ct[0]!.evidence['secondaryA'] as number) > 5,
      `secondary ${ct[0]!.evidence['secondaryA']} A above the 5 A rating`,
    );
    t.equal(ct[0]!.subject, 'm-001');
    t.equal(cap[0]!.subject, 'c-001');

    t.equal(deps.cases.cases.size, 1, 'one case for the customer');
    const kase = [...deps.cases.cases.values()][0]!;
    const ev = kase.updates.at(-1)!;
    t.equal(ev.customer, 'c-001');
    t.equal(ev.contractKva, 100);
    t.ok(Math.abs(ev.maxDemandKw - 234.2) < 0.5, `maximum demand ${ev.maxDemandKw} kW`);
    t.ok(Math.abs(ev.excessKva - 134.2) < 0.5, `excess ${ev.excessKva} kVA`);
    t.ok(ev.firstSeen >= T0 + 60 * MIN && ev.firstSeen < T0 + 80 * MIN, 'first seen during the rise');
    t.ok(
      ev.demandSeries.some(([, d]) => d > 200),
      'the demand series shows the excess',
    );
    t.ok((ev.detail['maxSecondaryA'] as number) > 5, 'the case notes the CT secondary current too');
    t.equal(cap[0]!.severity, 'critical', '234 % of contract');

    t.ok(deps.alerts.ofType('overload').length === 1, 'the 100 kVA transformer is overloaded as well');
    t.same(
      deps.alerts.alerts
        .filter((a) => !['ct_secondary_overlimit', 'capacity_violation', 'overload'].includes(a.type))
        .map((a) => a.type),
      [],
      'nothing else',
    );
  },
);
