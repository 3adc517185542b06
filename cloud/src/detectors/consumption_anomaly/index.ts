/**
 * consumption_anomaly: a meter's consumption departs from its own seasonal baseline
 * in a sustained way (CUSUM on robust z-scores of hourly block means). See README.md.
 */
import type { Detector } from '../../detector-kit/detector.js';
import {
  initialCondition,
  packCondition,
  stepCondition,
  unpackCondition,
  type ConditionState,
  type PackedCondition,
} from '../../detector-kit/condition.js';
import { apparentKva, round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import {
  BASELINE_SETTINGS,
  addBlockSample,
  addToBaseline,
  localSlot,
  baselineConfig,
  newBaseline,
  settleBaseline,
  slotCandidates,
  slotSpread,
  slotExports,
  dayTypeLabel,
  type Baseline,
  type BlockAcc,
  type SlotStats,
} from '../../detector-kit/baseline.js';
import { baselinePart } from '../../detector-kit/baseline-codec.js';
import { packFields, unpackFields, type AllFields } from '../../detector-kit/packed-fields.js';

const SETTINGS = defineSettings(
  {
    ...BASELINE_SETTINGS,
    /**
     * Days of the block's own kind (its weekday; for a holiday the subject's Sundays and past
     * holidays) the slot must have seen before it is judged. Until then a pool of other
     * weekdays stands in for it, and one odd week decides too much: not yet judged.
     */
    minSameDays: Type.Integer({ default: 2, minimum: 1 }),
    /** Also accept a weekday that looks like a weekend (an unlisted holiday or a plant shutdown day). */
    weekendLikeIsNormal: Type.Boolean({ default: true }),
    /**
     * CUSUM reference value k, in robust σ. FACTS.md (Montgomery) gives k = 0.5 σ for
     * independent samples. One meter's hourly means are not independent: a hot, busy or
     * sunny day moves every hour of it together, so a whole day 1.5–2 σ off (about one day
     * in twenty) would add up to an alarm at any k below that. k = 2 σ: only the part of a
     * deviation beyond the subject's ordinary day-to-day band accumulates (see README).
     */
    kSigma: Type.Number({ default: 2, minimum: 0 }),
    /** CUSUM decision interval h, in robust σ. FACTS.md: h = 5 σ; see README for the figure used. */
    hSigma: Type.Number({ default: 5, minimum: 0.5 }),
    /**
     * Sustained, not sampled: a deviation must last at least this many blocks before it can
     * raise. One block adds at most hSigma / (minBlocks − 1) to a sum, so however far off a
     * lone hour (or two) is, it cannot decide alone.
     */
    minBlocks: Type.Integer({ default: 3, minimum: 2 }),
    /** σ is at least this share of the slot median (a very steady load must still move to count). */
    sigmaFloorShare: Type.Number({ default: 0.1, minimum: 0 }),
    /** ... and at least this many kW. */
    sigmaFloorKw: Type.Number({ default: 0.5, minimum: 0 }),
    /** The alert resolves after the sums have been back under h/2 this long. */
    clearSeconds: Type.Number({ default: 7200, minimum: 0 }),
    refreshSeconds: Type.Number({ default: 3600, minimum: 1 }),
  },
  (s) => ({ ...s, cfg: baselineConfig(s) }),
);
export type AnomalySettings = SettingsOf<typeof SETTINGS>;

export interface AnomalyState {
  acc: BlockAcc | null;
  baseline: Baseline;
  up: number;
  down: number;
  cond: ConditionState;
  last: { block: number; kw: number; median: number; sigma: number; z: number } | null;
  /** Blocks closed but not judged because the history of their day type was still thin (warm-up). */
  notJudged: number;
  /** Start of the first block judged (null: still warming up). */
  judgedSince: number | null;
}

/** The state's fields in the order they are saved (as an array, without keys; the baseline is shared). */
const ANOMALY_FIELD_LIST = ['acc', 'up', 'down', 'cond', 'last', 'notJudged', 'judgedSince'] as const;
const ANOMALY_FIELDS: AllFields<AnomalyState, 'baseline', typeof ANOMALY_FIELD_LIST> = ANOMALY_FIELD_LIST;

/**
 * Robust z of a block against a pool: σ is the pool's own MAD, widened to the subject's
 * day-to-day spread at that hour (`spreadKw`), and never under the floors.
 */
function judge(x: number, st: SlotStats, spreadKw: number, s: AnomalySettings): { z: number; sigma: number } {
  const sigma = Math.max(1.4826 * st.mad, spreadKw, s.sigmaFloorShare * Math.abs(st.median), s.sigmaFloorKw);
  return { z: (x - st.median) / sigma, sigma };
}

export const consumptionAnomaly: Detector<AnomalySettings, AnomalyState> = {
  name: 'consumption_anomaly',
  stateVersion: 4,
  // One baseline per meter, shared with suspected_tamper (learnt and saved once).
  sharedParts: { baseline: baselinePart<AnomalySettings>() },
  // Saved compactly (the object form saved before still reads): see ANOMALY_FIELDS.
  savedForm: {
    encode: (st) =>
      packFields(
        {
          ...st,
          cond: packCondition(st.cond) as unknown as ConditionState,
          acc: st.acc && { ...st.acc, sum: round(st.acc.sum, 6) },
          last: st.last && {
            ...st.last,
            kw: round(st.last.kw, 6),
            sigma: round(st.last.sigma, 6),
            z: round(st.last.z, 6),
          },
        },
        ANOMALY_FIELDS,
      ),
    decode: (saved) => {
      const st = unpackFields<AnomalyState>(saved, ANOMALY_FIELDS);
      return { ...st, cond: unpackCondition(st.cond as ConditionState | PackedCondition) };
    },
  },
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: (_ref, ctx) => ({
    acc: null,
    baseline: newBaseline(ctx.settings.cfg),
    up: 0,
    down: 0,
    cond: initialCondition(),
    last: null,
    notJudged: 0,
    judgedSince: null,
  }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const v = input.reading.values;
    const kw = v.p_kw ?? apparentKva(v);
    if (kw === undefined) return [];
    const { acc, closed } = addBlockSample(st.acc, input.reading.ts, kw, undefined, s.cfg.blockMinutes * 60_000);
    st.acc = acc;
    if (!closed) return [];
    // Too few samples (a gap) make no fair block mean: neither judged nor learned.
    if (closed.n < 3) return [];
    const x = closed.sum / closed.n;
    const blockStart = closed.block * s.cfg.blockMinutes * 60_000;
    const where = localSlot(blockStart, s.cfg);
    settleBaseline(st.baseline, closed.block, s.cfg);
    const { primary: own, alternatives, rest, sameDays } = slotCandidates(st.baseline, where, s.cfg, s.minHistory);
    const spreadKw = slotSpread(st.baseline, where.slot)?.sigma ?? 0;
    // A customer with generation: at an hour it has exported, the meter nets the load against
    // an output that follows the clouds, which no consumption baseline can tell apart.
    const customer = input.device?.customer ? ctx.registry.customer(input.device.customer) : undefined;
    const netted = customer?.hasGeneration === true && (x < 0 || slotExports(st.baseline, where.slot));
    addToBaseline(st.baseline, closed.block, where, x, s.cfg);
    if (!own || own.n < s.minHistory || sameDays < s.minSameDays || netted) {
      st.notJudged++;
      return [];
    }
    st.judgedSince ??= blockStart;
    let { z, sigma } = judge(x, own, spreadKw, s);
    // A day the calendar makes ambiguous is also compared with its own weekday: the closer counts.
    for (const other of alternatives) {
      if (other.n < 2) continue;
      const o = judge(x, other, spreadKw, s);
      if (Math.abs(o.z) < Math.abs(z)) ({ z, sigma } = o);
    }
    // With weekendLikeIsNormal a working day may be an unlisted day off, but only a block
    // inside the rest days' ordinary band (|z| ≤ k) looks like one: a shunt that leaves a
    // weekday at half its load, below even a Sunday's, is not explained by a day off.
    if (s.weekendLikeIsNormal && rest && rest.n >= 2) {
      const r = judge(x, rest, spreadKw, s);
      if (Math.abs(r.z) <= s.kSigma && Math.abs(r.z) < Math.abs(z)) ({ z, sigma } = r);
    }
    const gainCap = s.hSigma / (s.minBlocks - 1);
    const gain = (excess: number) => Math.min(gainCap, excess - s.kSigma);
    // Capped at 2h so a long episode does not take as long again to be forgotten.
    st.up = Math.min(2 * s.hSigma, Math.max(0, st.up + gain(z)));
    st.down = Math.min(2 * s.hSigma, Math.max(0, st.down + gain(-z)));
    st.last = { block: blockStart, kw: x, median: own.median, sigma, z };
    const ts = blockStart + s.cfg.blockMinutes * 60_000;
    const active = st.up > s.hSigma || st.down > s.hSigma;
    const cleared = st.up <= s.hSigma / 2 && st.down <= s.hSigma / 2;
    const decision = stepCondition(
      st.cond,
      { ts, active, cleared, severity: 'info' },
      {
        raiseAfterMs: 0,
        clearAfterMs: s.clearSeconds * 1000,
        refreshMs: s.refreshSeconds * 1000,
        maxGapMs: Number.POSITIVE_INFINITY,
      },
    );
    if (decision.action === 'none') return [];
    const evidence = {
      blockStart,
      blockKw: round(x),
      baselineKw: round(own.median),
      baselineMadKw: round(own.mad),
      sigmaKw: round(sigma),
      z: round(z, 2),
      cusumUp: round(st.up, 2),
      cusumDown: round(st.down, 2),
      direction: st.up >= st.down ? 'up' : 'down',
      dayType: dayTypeLabel(where.dayType),
      baselinePool: own.pool,
      localDate: where.date,
      slot: where.slot,
      since: decision.since,
    };
    if (decision.action === 'clear')
      return [{ kind: 'clear', type: 'consumption_anomaly', subject: ref.subject, ts, evidence }];
    return [
      {
        kind: 'raise',
        signal: {
          type: 'consumption_anomaly',
          subject: ref.subject,
          subjectKind: 'device',
          severity: decision.severity,
          ts,
          evidence,
        },
      },
    ];
  },
};
