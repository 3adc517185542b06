/**
 * ct_secondary_overlimit: the metering CT's secondary current above its rating,
 * sustained: the screening signal for unauthorized capacity. See README.md.
 */
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { clearNotAbove, defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { thresholdStep, timingOf, timingSchema } from '../../detector-kit/threshold.js';

const SETTINGS = defineSettings(
  {
    /** Raise above this multiple of the rated secondary current (FACTS.md: 5 A or 1 A; above rated, sustained). */
    raiseAtRated: Type.Number({ default: 1.0, minimum: 0.1 }),
    /** Hysteresis: resolves once at or below this multiple. */
    clearAtRated: Type.Number({ default: 0.95, minimum: 0 }),
    /** At or above this multiple the alert is critical (a metering CT is deep in its saturation region). */
    criticalAtRated: Type.Number({ default: 1.5, minimum: 0.1 }),
    /**
     * Plausibility bound: a secondary current above this multiple of rated is a decoding or
     * ratio error, not load (FACTS.md: State Grid Tianjin's data-quality rule), and is not judged.
     */
    implausibleAtRated: Type.Number({ default: 10, minimum: 1 }),
    /** "Sustained" (FACTS.md): 5 minutes, far beyond a motor inrush of seconds. */
    ...timingSchema(300, 300),
  },
  (s) => clearNotAbove(s, 'clearAtRated', 'raiseAtRated'),
);
export type CtSettings = SettingsOf<typeof SETTINGS>;

export const ctSecondaryOverlimit: Detector<CtSettings, { cond: ConditionState; implausible: number }> = {
  name: 'ct_secondary_overlimit',
  stateVersion: 1,
  settings: SETTINGS,
  // A meter wired directly (ratio 1) has no CT to overload.
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' && input.device.ctRatio > 1 && input.device.ctSecondaryA > 0
      ? [{ subject: input.reading.device, kind: 'device' }]
      : [],
  initialState: () => ({ cond: initialCondition(), implausible: 0 }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const dev = input.device!;
    const v = input.reading.values;
    const currents = [v.i_a, v.i_b, v.i_c].filter((x): x is number => x !== undefined);
    if (currents.length === 0) return [];
    const primaryA = Math.max(...currents);
    const secondaryA = primaryA / dev.ctRatio;
    const ratio = secondaryA / dev.ctSecondaryA;
    if (ratio > s.implausibleAtRated) {
      st.implausible++;
      return [];
    }
    return thresholdStep(
      st.cond,
      input.reading.ts,
      ratio,
      {
        type: 'ct_secondary_overlimit',
        subject: ref.subject,
        subjectKind: 'device',
        direction: 'above',
        raiseAt: s.raiseAtRated,
        clearAt: s.clearAtRated,
        criticalAt: s.criticalAtRated,
        timing: timingOf(s),
      },
      (since) => ({
        secondaryA: round(secondaryA, 3),
        ratedSecondaryA: dev.ctSecondaryA,
        primaryA: round(primaryA, 1),
        ctRatio: dev.ctRatio,
        perPhaseSecondaryA: [v.i_a, v.i_b, v.i_c].map((x) => (x === undefined ? null : round(x / dev.ctRatio, 3))),
        since,
        customer: dev.customer ?? null,
        implausibleReadingsSkipped: st.implausible,
      }),
    );
  },
};
