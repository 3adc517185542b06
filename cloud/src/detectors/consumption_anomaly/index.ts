/**
 * consumption_anomaly: a meter's consumption departs from its own seasonal baseline
 * in a sustained way (CUSUM on robust z-scores of 15-minute means). See README.md.
 */
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
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
  slotCandidates,
  dayTypeLabel,
  type Baseline,
  type BlockAcc,
  type SlotStats,
} from '../../detector-kit/baseline.js';

const SETTINGS = defineSettings(
  {
    ...BASELINE_SETTINGS,
    /** Also accept a weekday that looks like a weekend (an unlisted holiday or a plant shutdown day). */
    weekendLikeIsNormal: Type.Boolean({ default: true }),
    /**
     * CUSUM reference value k, in robust σ. FACTS.md (Montgomery) gives k = 0.5 σ for
     * independent samples; one meter's hourly means move together over a day (a busy day
     * is busy all day), and at 0.5 σ ordinary busy days add up to an alarm. 1 σ, measured
     * by `npm run eval:detect` (see README).
     */
    kSigma: Type.Number({ default: 1, minimum: 0 }),
    /** CUSUM decision interval h, in robust σ. FACTS.md: h = 5 σ; see README for the figure used. */
    hSigma: Type.Number({ default: 5, minimum: 0.5 }),
    /** One block's z is clipped here (FACTS.md: |M| > 3.5 is an outlier): a lone spike cannot decide. */
    zClip: Type.Number({ default: 3.5, minimum: 0.5 }),
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
  last: { block: number; kw: number; median: number; z: number } | null;
}

function zOf(x: number, st: SlotStats, s: AnomalySettings): number {
  const sigma = Math.max(1.4826 * st.mad, s.sigmaFloorShare * Math.abs(st.median), s.sigmaFloorKw);
  return (x - st.median) / sigma;
}

export const consumptionAnomaly: Detector<AnomalySettings, AnomalyState> = {
  name: 'consumption_anomaly',
  stateVersion: 3,
  coldParts: ['baseline'],
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: () => ({ acc: null, baseline: newBaseline(), up: 0, down: 0, cond: initialCondition(), last: null }),
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
    const { primary: own, alternatives, rest } = slotCandidates(st.baseline, where, s.cfg, s.minHistory);
    addToBaseline(st.baseline, where, x, s.cfg);
    if (!own || own.n < s.minHistory) return [];
    let z = zOf(x, own, s);
    // A day the calendar makes ambiguous is also compared with its own weekday; with
    // weekendLikeIsNormal a working day may be an unlisted day off. The closer one counts.
    const others = [...alternatives, ...(s.weekendLikeIsNormal && rest ? [rest] : [])];
    for (const other of others) {
      if (other.n < Math.min(s.minHistory, 2)) continue;
      const zo = zOf(x, other, s);
      if (Math.abs(zo) < Math.abs(z)) z = zo;
    }
    const zc = Math.max(-s.zClip, Math.min(s.zClip, z));
    // Capped at 2h so a long episode does not take as long again to be forgotten.
    st.up = Math.min(2 * s.hSigma, Math.max(0, st.up + zc - s.kSigma));
    st.down = Math.min(2 * s.hSigma, Math.max(0, st.down - zc - s.kSigma));
    st.last = { block: blockStart, kw: x, median: own.median, z };
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
