/** voltage_deviation: supply voltage outside the limits of its class, sustained. See README.md. */
import type { Severity } from '@gridsafe/shared';
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, stepCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { readSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { timingOf, timingSchema } from '../../detector-kit/threshold.js';
import { classFor, inferNominalLineV } from './classes.js';

const SCHEMA = {
  /** Nominal line-to-line voltage per device id, V; a device not listed gets the nearest standard class. */
  nominalLineV: { kind: 'record', default: {}, min: 100 },
  /** Hysteresis: resolves once every phase is this many percent inside its limits. */
  clearMarginPct: { kind: 'number', default: 1, min: 0 },
  /** FACTS.md: ±10 % is allowed only under abnormal system conditions: beyond it, critical. */
  criticalPct: { kind: 'number', default: 10, min: 0 },
  /** 35 kV and above: the upper share of the 10 % total band (FACTS.md: |+dev| + |−dev| ≤ 10 %). */
  highVoltageUpperPct: { kind: 'number', default: 5, min: 0, max: 10 },
  /**
   * Deviation is a steady-state figure (GB/T 12325 assesses averages, not dips): 5
   * minutes sustained before opening, so a motor-start dip never raises it.
   */
  ...timingSchema(300, 300),
} as const;
export type VoltageSettings = SettingsOf<typeof SCHEMA>;

interface VoltageState {
  cond: ConditionState;
  /** Nominal line voltage in use, fixed once inferred so a long sag cannot shift it. */
  nominalLineV: number | null;
}

const PHASES = [
  ['a', 'v_a'],
  ['b', 'v_b'],
  ['c', 'v_c'],
] as const;

export const voltageDeviation: Detector<VoltageSettings, VoltageState> = {
  name: 'voltage_deviation',
  stateVersion: 1,
  parseSettings: (raw) => readSettings('voltage_deviation', SCHEMA, raw),
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' && input.reading.values.v_a !== undefined
      ? [{ subject: input.reading.device, kind: 'device' }]
      : [],
  initialState: () => ({ cond: initialCondition(), nominalLineV: null }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const v = input.reading.values;
    const present = PHASES.filter(([, q]) => v[q] !== undefined && v[q]! > 0);
    if (present.length === 0) return [];
    // A phase at 0 V is a loss of voltage (a tamper or supply matter), not a deviation of the class.
    const configured = s.nominalLineV[ref.subject];
    if (configured !== undefined) st.nominalLineV = configured;
    if (st.nominalLineV === null) {
      const sorted = present.map(([, q]) => v[q]!).sort((a, b) => a - b);
      st.nominalLineV = inferNominalLineV(sorted[Math.floor(sorted.length / 2)]!);
    }
    const cls = classFor(st.nominalLineV, v.v_b === undefined && v.v_c === undefined, s.highVoltageUpperPct);
    let usage = 0;
    let worstPct = 0;
    let worstPhase = 'a';
    let inside = true;
    const perPhase: Record<string, number> = {};
    for (const [ph, q] of present) {
      const dev = ((v[q]! - cls.nominalV) / cls.nominalV) * 100;
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
    const decision = stepCondition(
      st.cond,
      { ts: input.reading.ts, active: usage > 1 + 1e-9, cleared: inside, severity },
      timingOf(s),
    );
    if (decision.action === 'none') return [];
    const evidence = {
      class: cls.name,
      nominalV: round(cls.nominalV, 1),
      limitsPct: [cls.lowerPct, cls.upperPct],
      deviationPct: perPhase,
      worstPhase,
      worstDeviationPct: round(worstPct, 2),
      since: decision.since,
    };
    if (decision.action === 'clear')
      return [{ kind: 'clear', type: 'voltage_deviation', subject: ref.subject, ts: input.reading.ts, evidence }];
    return [
      {
        kind: 'raise',
        signal: {
          type: 'voltage_deviation',
          subject: ref.subject,
          subjectKind: 'device',
          severity: decision.severity,
          ts: input.reading.ts,
          evidence,
        },
      },
    ];
  },
};
