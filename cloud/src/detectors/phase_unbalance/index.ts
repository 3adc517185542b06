/**
 * phase_unbalance: a transformer's three-phase load unbalance, or its neutral current,
 * above the limit of its vector group. See README.md.
 */
import type { Detector, ReadingInput } from '../../detector-kit/detector.js';
import { initialCondition, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round, transformerMeters } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { timingOf, timingSchema } from '../../detector-kit/threshold.js';

/** Limits by vector group; a file's table is laid over these, so naming one group keeps the others. */
const UNBALANCE_PCT = { default: 15, Yyn0: 15, Dyn11: 25 };
const NEUTRAL_PCT = { default: 25, Yyn0: 25, Dyn11: 40 };

const SETTINGS = defineSettings(
  {
    /**
     * Unbalance limit (I_max − I_min) / I_max, % by vector group. FACTS.md: SD 292-1988 15 %
     * (the default, and Yyn0); Q/GDW 1519-2014 allows Dyn11 25 % (unconfirmed).
     */
    unbalancePct: Type.Record(Type.String(), Type.Number({ minimum: 0 }), { default: {} }),
    /** Neutral current limit, % of rated current, by vector group. FACTS.md: SD 292 25 %; Dyn11 40 % (unconfirmed). */
    neutralPct: Type.Record(Type.String(), Type.Number({ minimum: 0 }), { default: {} }),
    /** Hysteresis: resolves once both figures are this share of their limits or less. */
    clearShare: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
    /** Unbalance means little at light load: not judged while the heaviest phase is under this share of rated current. */
    minLoadPu: Type.Number({ default: 0.2, minimum: 0, maximum: 1 }),
    /** Secondary line voltage of the transformer, V, to turn rated kVA into rated current (0.4 kV distribution). */
    lvLineV: Type.Number({ default: 400, minimum: 100 }),
    /** A meter whose latest reading is older than this no longer counts. */
    meterStaleSeconds: Type.Number({ default: 900, minimum: 1 }),
    /** Unbalance is a loading condition, not an event: 15 minutes sustained (one demand period). */
    ...timingSchema(900, 900),
  },
  (s) => ({
    ...s,
    unbalancePct: { ...UNBALANCE_PCT, ...s.unbalancePct },
    neutralPct: { ...NEUTRAL_PCT, ...s.neutralPct },
  }),
);
export type UnbalanceSettings = SettingsOf<typeof SETTINGS>;

interface UnbalanceState {
  meters: Record<string, { ts: number; i: [number, number, number]; n: number | null }>;
  cond: ConditionState;
}

function limitFor(table: Record<string, number>, group: string | undefined): number {
  return (group !== undefined ? table[group] : undefined) ?? table['default'] ?? 15;
}

export const phaseUnbalance: Detector<UnbalanceSettings, UnbalanceState> = {
  name: 'phase_unbalance',
  stateVersion: 1,
  settings: SETTINGS,
  subjectsOfReading(input: ReadingInput, ctx) {
    const d = input.device;
    const v = input.reading.values;
    if (!d?.transformer || v.i_a === undefined || v.i_b === undefined || v.i_c === undefined) return [];
    if (!transformerMeters(ctx.registry, d.transformer).some((m) => m.id === d.id)) return [];
    return [{ subject: d.transformer, kind: 'transformer' }];
  },
  initialState: () => ({ meters: {}, cond: initialCondition() }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const { reading } = input;
    const v = reading.values;
    const ts = reading.ts;
    const prev = st.meters[reading.device];
    if (prev && ts < prev.ts) return [];
    st.meters[reading.device] = { ts, i: [v.i_a!, v.i_b!, v.i_c!], n: v.i_n ?? null };
    const tx = ctx.registry.transformer(ref.subject);
    if (!tx || !(tx.ratedKva > 0)) return [];

    const sum: [number, number, number] = [0, 0, 0];
    let neutral: number | null = null;
    for (const [id, m] of Object.entries(st.meters)) {
      if (ts - m.ts > s.meterStaleSeconds * 1000) {
        delete st.meters[id];
        continue;
      }
      for (let k = 0; k < 3; k++) sum[k] = sum[k]! + m.i[k]!;
      // Neutral currents of several meters do not add arithmetically: take the largest reported.
      if (m.n !== null) neutral = Math.max(neutral ?? 0, m.n);
    }
    const ratedA = (tx.ratedKva * 1000) / (Math.sqrt(3) * s.lvLineV);
    const iMax = Math.max(...sum);
    const iMin = Math.min(...sum);
    if (iMax < s.minLoadPu * ratedA) return []; // light load: not judged, and the hold does not run on
    const unbalancePct = ((iMax - iMin) / iMax) * 100;
    const neutralPct = neutral === null ? null : (neutral / ratedA) * 100;
    const uLimit = limitFor(s.unbalancePct, tx.vectorGroup);
    const nLimit = limitFor(s.neutralPct, tx.vectorGroup);
    const usage = Math.max(unbalancePct / uLimit, neutralPct === null ? 0 : neutralPct / nLimit);
    const decision = stepCondition(
      st.cond,
      { ts, active: usage > 1, cleared: usage <= s.clearShare, severity: usage >= 2 ? 'critical' : 'warning' },
      timingOf(s),
    );
    if (decision.action === 'none') return [];
    const evidence = {
      currentsA: sum.map((x) => round(x, 1)),
      unbalancePct: round(unbalancePct, 1),
      unbalanceLimitPct: uLimit,
      neutralA: neutral === null ? null : round(neutral, 1),
      neutralPct: neutralPct === null ? null : round(neutralPct, 1),
      neutralLimitPct: nLimit,
      ratedA: round(ratedA, 1),
      vectorGroup: tx.vectorGroup ?? null,
      since: decision.since,
    };
    if (decision.action === 'clear')
      return [{ kind: 'clear', type: 'phase_unbalance', subject: ref.subject, ts, evidence }];
    return [
      {
        kind: 'raise',
        signal: {
          type: 'phase_unbalance',
          subject: ref.subject,
          subjectKind: 'transformer',
          severity: decision.severity,
          ts,
          evidence,
        },
      },
    ];
  },
};
