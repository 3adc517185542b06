/** voltage_deviation: supply voltage outside the limits of its class, sustained. See README.md. */
import { Type, type Severity } from '@gridsafe/shared';
import type { Detector, DetectorOutput } from '../../detector-kit/detector.js';
import { initialCondition, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { timingOf, timingSchema } from '../../detector-kit/threshold.js';
import { classFor, inferNominalLineV } from './classes.js';

const SETTINGS = defineSettings({
  /** Nominal line-to-line voltage per device id, V; a device not listed gets the nearest standard class. */
  nominalLineV: Type.Record(Type.String(), Type.Number({ minimum: 100 }), { default: {} }),
  /** Hysteresis: resolves once every phase is this many percent inside its limits. */
  clearMarginPct: Type.Number({ default: 1, minimum: 0 }),
  /** FACTS.md: ±10 % is allowed only under abnormal system conditions: beyond it, critical. */
  criticalPct: Type.Number({ default: 10, minimum: 0 }),
  /** 35 kV and above: the upper share of the 10 % total band (FACTS.md: |+dev| + |−dev| ≤ 10 %). */
  highVoltageUpperPct: Type.Number({ default: 5, minimum: 0, maximum: 10 }),
  /**
   * Deviation is judged on aggregated RMS values, never single samples (FACTS.md: IEC
   * 61000-4-30 aggregates 10-minute values; China's voltage qualification rate counts
   * 1-minute averages). Each phase's readings are aggregated per clock-aligned interval of
   * this many minutes as √(mean v²); 1 or 10 are the usual choices.
   */
  aggregateMinutes: Type.Integer({ default: 10, minimum: 1, maximum: 60 }),
  /**
   * Two consecutive 10-minute aggregates beyond the limit before opening, two inside the
   * clear band before the occurrence ends: a sustained excursion, with hysteresis
   * (FACTS.md), so a motor-start dip never raises it and noise at the limit never flaps.
   */
  ...timingSchema(600, 600),
});
export type VoltageSettings = SettingsOf<typeof SETTINGS>;

/** The open aggregation interval: its start and, per phase, the sum of v² and the count. */
interface Aggregate {
  start: number;
  sumSq: Record<string, number>;
  n: Record<string, number>;
}

interface VoltageState {
  cond: ConditionState;
  /** Nominal line voltage in use, fixed once inferred so a long sag cannot shift it. */
  nominalLineV: number | null;
  agg: Aggregate | null;
  /** Whether the meter reports one phase only (220 V single-phase class). */
  singlePhase: boolean;
}

const PHASES = [
  ['a', 'v_a'],
  ['b', 'v_b'],
  ['c', 'v_c'],
] as const;

export const voltageDeviation: Detector<VoltageSettings, VoltageState> = {
  name: 'voltage_deviation',
  stateVersion: 2,
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' && input.reading.values.v_a !== undefined
      ? [{ subject: input.reading.device, kind: 'device' }]
      : [],
  initialState: () => ({ cond: initialCondition(), nominalLineV: null, agg: null, singlePhase: false }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const v = input.reading.values;
    const ts = input.reading.ts;
    const present = PHASES.filter(([, q]) => v[q] !== undefined && v[q]! > 0);
    if (present.length === 0) return [];
    // A phase at 0 V is a loss of voltage (a tamper or supply matter), not a deviation of the class.
    const configured = s.nominalLineV[ref.subject];
    if (configured !== undefined) st.nominalLineV = configured;
    if (st.nominalLineV === null) {
      const sorted = present.map(([, q]) => v[q]!).sort((a, b) => a - b);
      st.nominalLineV = inferNominalLineV(sorted[Math.floor(sorted.length / 2)]!);
    }
    const intervalMs = s.aggregateMinutes * 60_000;
    const intervalStart = Math.floor(ts / intervalMs) * intervalMs;
    if (st.agg && intervalStart < st.agg.start) return []; // a stray older reading: its interval is judged
    const out: DetectorOutput[] = [];
    // A reading of a later interval closes the open one: its aggregate is judged at the interval's end.
    if (st.agg && intervalStart > st.agg.start) {
      out.push(...judge(st, st.agg, st.agg.start + intervalMs, ref.subject, s));
      st.agg = null;
    }
    st.agg ??= { start: intervalStart, sumSq: {}, n: {} };
    for (const [ph, q] of present) {
      st.agg.sumSq[ph] = (st.agg.sumSq[ph] ?? 0) + v[q]! * v[q]!;
      st.agg.n[ph] = (st.agg.n[ph] ?? 0) + 1;
    }
    st.singlePhase = v.v_b === undefined && v.v_c === undefined;
    return out;
  },
};

/** Judges one closed interval's RMS aggregates against the class limits, at the interval's end `ts`. */
function judge(st: VoltageState, agg: Aggregate, ts: number, subject: string, s: VoltageSettings): DetectorOutput[] {
  const rms: Record<string, number> = {};
  for (const [ph, n] of Object.entries(agg.n)) rms[ph] = Math.sqrt(agg.sumSq[ph]! / n);
  const cls = classFor(st.nominalLineV!, st.singlePhase, s.highVoltageUpperPct);
  let usage = 0;
  let worstPct = 0;
  let worstPhase = 'a';
  let inside = true;
  const perPhase: Record<string, number> = {};
  for (const [ph, value] of Object.entries(rms)) {
    const dev = ((value - cls.nominalV) / cls.nominalV) * 100;
    perPhase[ph] = round(dev, 2);
    const u = dev >= 0 ? dev / cls.upperPct : dev / cls.lowerPct;
    if (u > usage) {
      usage = u;
      worstPct = dev;
      worstPhase = ph;
    }
    if (dev > cls.upperPct - s.clearMarginPct || dev < cls.lowerPct + s.clearMarginPct) inside = false;
  }
  const severity: Severity = Math.abs(worstPct) >= s.criticalPct ? 'critical' : 'warning';
  // 1e-9: a reading exactly at the limit (204.6 V = −7 %) must not raise through rounding.
  const decision = stepCondition(st.cond, { ts, active: usage > 1 + 1e-9, cleared: inside, severity }, timingOf(s));
  if (decision.action === 'none') return [];
  const evidence = {
    class: cls.name,
    nominalV: round(cls.nominalV, 1),
    limitsPct: [cls.lowerPct, cls.upperPct],
    aggregateMinutes: s.aggregateMinutes,
    aggregateEnd: ts,
    rmsV: Object.fromEntries(Object.entries(rms).map(([ph, value]) => [ph, round(value, 1)])),
    deviationPct: perPhase,
    worstPhase,
    worstDeviationPct: round(worstPct, 2),
    // The start of the first interval beyond the limit.
    since: decision.since - s.aggregateMinutes * 60_000,
  };
  if (decision.action === 'clear') return [{ kind: 'clear', type: 'voltage_deviation', subject, ts, evidence }];
  return [
    {
      kind: 'raise',
      signal: {
        type: 'voltage_deviation',
        subject,
        subjectKind: 'device',
        severity: decision.severity,
        ts,
        evidence,
      },
    },
  ];
}
