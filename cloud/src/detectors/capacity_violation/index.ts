/**
 * capacity_violation: a customer's 15-minute demand (1-minute slide) above the contract
 * capacity in a sustained way; opens or updates the customer's audit case. See README.md.
 */
import type { Severity } from '@gridsafe/shared';
import type { Detector, DetectorOutput, ReadingInput } from '../../detector-kit/detector.js';
import { initialCondition, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
import { DAY_MS, apparentKva, round } from '../../detector-kit/measures.js';
import type { CapacityCaseEvidence } from '../../detector-kit/types.js';
import { CAPACITY_SETTINGS, type CapacitySettings } from './settings.js';
import { MINUTE, addSample, demandAt, newMeterDemand, type MeterDemand } from './demand.js';

const BLOCK = 15 * MINUTE;

interface Episode {
  firstSeen: number;
  lastSeen: number;
  maxDemandKw: number;
  maxDemandAt: number;
  /** Highest apparent 15-minute demand in the excess, kVA: the capacity actually drawn (issue 11). */
  maxDemandKva: number;
  /** Highest CT secondary current seen on the customer's meters during the excess, A. */
  maxSecondaryA: number | null;
}

export interface CapacityState {
  meters: Record<string, MeterDemand>;
  lastEvalMinute: number;
  /** Demand periods (15-minute blocks) above the threshold within the window: [block start, max demand]. */
  blocks: Array<[number, number]>;
  /** Highest demand of each 15-minute block, for the evidence: [block start, kW]. */
  series: Array<[number, number]>;
  episode: Episode | null;
  cond: ConditionState;
  lastCaseAt: number;
  implausible: number;
  lastImplausible: { ts: number; kw: number; device: string } | null;
}

/** Local days on which at least `minPeriods` demand periods were above the threshold. */
function daysOf(blocks: Array<[number, number]>, s: CapacitySettings): number {
  const perDay = new Map<number, number>();
  for (const [b] of blocks) {
    const day = Math.floor((b + s.utcOffsetMinutes * MINUTE) / DAY_MS);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  let days = 0;
  for (const n of perDay.values()) if (n >= s.minPeriods) days++;
  return days;
}

export const capacityViolation: Detector<CapacitySettings, CapacityState> = {
  name: 'capacity_violation',
  stateVersion: 2,
  settings: CAPACITY_SETTINGS,

  subjectsOfReading(input: ReadingInput) {
    const d = input.device;
    return d?.kind === 'meter' && d.customer ? [{ subject: d.customer, kind: 'customer' }] : [];
  },

  initialState: () => ({
    meters: {},
    lastEvalMinute: Number.NEGATIVE_INFINITY,
    blocks: [],
    series: [],
    episode: null,
    cond: initialCondition(),
    lastCaseAt: Number.NEGATIVE_INFINITY,
    implausible: 0,
    lastImplausible: null,
  }),

  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const { reading } = input;
    const customer = ctx.registry.customer(ref.subject);
    if (!customer || !(customer.contractKva > 0)) return [];
    const v = reading.values;
    const kva = apparentKva(v);
    if (kva === undefined) return [];
    const kw = v.p_kw ?? kva;
    // Plausibility bound (FACTS.md, Tianjin rule): such a reading is bad data and never counts.
    if (Math.max(Math.abs(kw), kva) > s.plausibilityFactor * customer.contractKva) {
      st.implausible++;
      st.lastImplausible = { ts: reading.ts, kw: round(kw), device: reading.device };
      return [];
    }
    const dev = input.device!;
    if (st.episode && dev.ctRatio > 1) {
      const currents = [v.i_a, v.i_b, v.i_c].filter((x): x is number => x !== undefined);
      if (currents.length > 0)
        st.episode.maxSecondaryA = Math.max(st.episode.maxSecondaryA ?? 0, Math.max(...currents) / dev.ctRatio);
    }
    let meter = st.meters[reading.device];
    if (!meter) meter = st.meters[reading.device] = newMeterDemand(reading.ts);
    const closed = addSample(meter, reading.ts, Math.max(0, kw), kva, s.demandMinutes);
    const out: DetectorOutput[] = [];
    for (const minute of closed) out.push(...evaluate(st, minute, ref.subject, customer.contractKva, s));
    return out;
  },
};

/** Judges the customer's demand as of the end of `minute`. */
function evaluate(
  st: CapacityState,
  minute: number,
  customer: string,
  contractKva: number,
  s: CapacitySettings,
): DetectorOutput[] {
  if (minute <= st.lastEvalMinute) return [];
  st.lastEvalMinute = minute;
  const end = (minute + 1) * MINUTE;
  let demand = 0;
  let apparent = 0;
  for (const [id, m] of Object.entries(st.meters)) {
    if (end - m.lastTs > s.meterStaleSeconds * 1000 + MINUTE) {
      delete st.meters[id];
      continue;
    }
    const d = demandAt(m, minute, s.demandMinutes, s.minCoverageMinutes);
    if (d === null) return []; // not enough readings in the period: no demand figure, no judgement
    demand += s.basis === 'kw' ? d.kw : d.kva;
    apparent += d.kva;
  }
  const threshold = contractKva * (1 + s.excessPct / 100);
  const blockStart = Math.floor((end - 1) / BLOCK) * BLOCK;

  const lastSeries = st.series.at(-1);
  if (lastSeries && lastSeries[0] === blockStart) lastSeries[1] = Math.max(lastSeries[1], round(demand));
  else st.series.push([blockStart, round(demand)]);
  while (st.series.length > 0 && st.series[0]![0] < end - s.seriesHours * 3_600_000) st.series.shift();

  const over = demand > threshold;
  if (over) {
    const lastBlock = st.blocks.at(-1);
    if (lastBlock && lastBlock[0] === blockStart) lastBlock[1] = Math.max(lastBlock[1], demand);
    else st.blocks.push([blockStart, demand]);
    if (!st.episode)
      st.episode = {
        firstSeen: end,
        lastSeen: end,
        maxDemandKw: demand,
        maxDemandAt: end,
        maxDemandKva: apparent,
        maxSecondaryA: null,
      };
    st.episode.lastSeen = end;
    st.episode.maxDemandKva = Math.max(st.episode.maxDemandKva, apparent);
    if (demand > st.episode.maxDemandKw) {
      st.episode.maxDemandKw = demand;
      st.episode.maxDemandAt = end;
    }
  }
  while (st.blocks.length > 0 && st.blocks[0]![0] < end - s.windowDays * DAY_MS) st.blocks.shift();
  if (st.blocks.length === 0 && st.cond.phase === 'idle') st.episode = null;

  const sustained = daysOf(st.blocks, s) >= s.minDays;
  const ep = st.episode;
  const severity: Severity = ep && ep.maxDemandKw >= s.criticalFactor * contractKva ? 'critical' : 'warning';
  const decision = stepCondition(
    st.cond,
    { ts: end, active: sustained, cleared: !over, severity },
    {
      raiseAfterMs: 0,
      clearAfterMs: s.clearSeconds * 1000,
      refreshMs: s.refreshSeconds * 1000,
      maxGapMs: Number.POSITIVE_INFINITY,
    },
  );
  if (decision.action === 'none' || !ep) return [];
  const evidence = {
    customer,
    contractKva,
    basis: s.basis,
    thresholdKw: round(threshold),
    demandKw: round(demand),
    maxDemandKw: round(ep.maxDemandKw),
    maxDemandAt: ep.maxDemandAt,
    maxDemandKva: round(ep.maxDemandKva),
    excessKva: round(ep.maxDemandKw - contractKva),
    excessPct: round(((ep.maxDemandKw - contractKva) / contractKva) * 100, 1),
    periodsAbove: st.blocks.length,
    daysAbove: daysOf(st.blocks, s),
    firstSeen: ep.firstSeen,
    lastSeen: ep.lastSeen,
    maxSecondaryA: ep.maxSecondaryA === null ? null : round(ep.maxSecondaryA, 3),
    implausibleReadingsSkipped: st.implausible,
  };
  if (decision.action === 'clear') {
    st.blocks = [];
    st.episode = null;
    return [{ kind: 'clear', type: 'capacity_violation', subject: customer, ts: end, evidence }];
  }
  const out: DetectorOutput[] = [
    {
      kind: 'raise',
      signal: {
        type: 'capacity_violation',
        subject: customer,
        subjectKind: 'customer',
        severity: decision.severity,
        ts: end,
        evidence: { ...evidence, demandSeries: st.series.slice(-16) },
      },
    },
  ];
  if (decision.opened || end - st.lastCaseAt >= s.caseUpdateSeconds * 1000) {
    st.lastCaseAt = end;
    const caseEvidence: CapacityCaseEvidence = {
      customer,
      contractKva,
      maxDemandKw: round(ep.maxDemandKw),
      maxDemandKva: round(ep.maxDemandKva),
      excessKva: round(ep.maxDemandKw - contractKva),
      firstSeen: ep.firstSeen,
      lastSeen: ep.lastSeen,
      demandSeries: st.series.map(([t, d]) => [t, d] as [number, number]),
      detail: {
        basis: s.basis,
        thresholdKw: round(threshold),
        excessPct: evidence.excessPct,
        periodsAbove: st.blocks.length,
        daysAbove: evidence.daysAbove,
        maxDemandAt: ep.maxDemandAt,
        demandPeriodMinutes: s.demandMinutes,
        slideMinutes: 1,
        maxSecondaryA: evidence.maxSecondaryA,
        implausibleReadingsSkipped: st.implausible,
        lastImplausible: st.lastImplausible,
        alertSeverity: decision.severity,
      },
    };
    out.push({ kind: 'case', evidence: caseEvidence });
  }
  return out;
}
