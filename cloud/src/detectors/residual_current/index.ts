/** residual_current: leakage current of a monitoring terminal above its alarm setting. See README.md. */
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, type ConditionState } from '../../detector-kit/condition.js';
import { round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { clearNotAbove, defineSettings, type SettingsOf } from '../../detector-kit/settings.js';
import { thresholdStep, timingOf, timingSchema } from '../../detector-kit/threshold.js';

const SETTINGS = defineSettings(
  {
    /** FACTS.md: GB 50116-2013 §9.2.3 recommends an alarm setting of 300–500 mA; the low end catches a fire risk soonest. */
    alarmMa: Type.Number({ default: 300, minimum: 20, maximum: 1000 }),
    /** The top of the GB 50116 range: at or above it the alert is critical. */
    criticalMa: Type.Number({ default: 500, minimum: 20, maximum: 30000 }),
    /** Resolves below this: FACTS.md notes normal background leakage of 100–200 mA, so 250 mA is clearly back to normal. */
    clearMa: Type.Number({ default: 250, minimum: 0 }),
    /**
     * FACTS.md: GB 31252-2014, a fire-monitoring device alarms within 30 s. A hold of 0
     * raises on the first reading above the setting (the terminal already filters its own
     * measurement); any hold set here must stay under 30 s to keep that promise.
     */
    ...timingSchema(0, 300),
  },
  (s) => clearNotAbove(s, 'clearMa', 'alarmMa'),
);
export type ResidualSettings = SettingsOf<typeof SETTINGS>;

export const residualCurrent: Detector<ResidualSettings, { cond: ConditionState }> = {
  name: 'residual_current',
  stateVersion: 1,
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.reading.values.i_res_ma !== undefined ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: () => ({ cond: initialCondition() }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const ma = input.reading.values.i_res_ma!;
    return thresholdStep(
      st.cond,
      input.reading.ts,
      ma,
      {
        type: 'residual_current',
        subject: ref.subject,
        subjectKind: 'device',
        direction: 'above',
        raiseAt: s.alarmMa,
        clearAt: s.clearMa,
        criticalAt: s.criticalMa,
        timing: timingOf(s),
      },
      (since) => ({
        residualMa: round(ma, 1),
        alarmMa: s.alarmMa,
        criticalMa: s.criticalMa,
        since,
        transformer: input.device?.transformer ?? null,
      }),
    );
  },
};
