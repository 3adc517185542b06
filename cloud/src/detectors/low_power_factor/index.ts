/** low_power_factor: a meter's power factor below its limit for long enough, under real load. See README.md. */
import type { Detector } from '../../detector-kit/detector.js';
import { initialCondition, type ConditionState } from '../../detector-kit/condition.js';
import { apparentKva, round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, SettingsError, type SettingsOf } from '../../detector-kit/settings.js';
import { thresholdStep, timingOf, timingSchema } from '../../detector-kit/threshold.js';

const SETTINGS = defineSettings(
  {
    /**
     * Limit. Not in FACTS.md: 0.90 is the assessment standard Chinese utilities apply to
     * industrial users of 100 kVA and more (功率因数调整电费办法, 1983); unconfirmed, configurable.
     */
    limit: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
    /** Hysteresis: resolves once the power factor is back at or above this. */
    clearAt: Type.Number({ default: 0.92, minimum: 0, maximum: 1 }),
    /** Below this the alert is critical. */
    criticalAt: Type.Number({ default: 0.7, minimum: 0, maximum: 1 }),
    /** Power factor means little at light load: readings under this apparent power (kVA) are not judged. */
    minLoadKva: Type.Number({ default: 5, minimum: 0 }),
    /** ... nor under this share of the customer's contract capacity (when the meter has a customer). */
    minLoadShareOfContract: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
    /** "For long enough": one 15-minute demand period. */
    ...timingSchema(900, 900),
  },
  (s) => {
    if (s.clearAt < s.limit) throw new SettingsError('clearAt', `${s.clearAt} must not be below limit (${s.limit})`);
    return s;
  },
);
export type PowerFactorSettings = SettingsOf<typeof SETTINGS>;

/** |pf| from the meter, or |p| / s when it gives no pf. */
function powerFactor(values: { pf?: number; p_kw?: number }, kva: number | undefined): number | undefined {
  if (values.pf !== undefined) return Math.abs(values.pf);
  if (values.p_kw !== undefined && kva !== undefined && kva > 0) return Math.min(1, Math.abs(values.p_kw) / kva);
  return undefined;
}

export const lowPowerFactor: Detector<PowerFactorSettings, { cond: ConditionState }> = {
  name: 'low_power_factor',
  stateVersion: 1,
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: () => ({ cond: initialCondition() }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const v = input.reading.values;
    const kva = apparentKva(v);
    const pf = powerFactor(v, kva);
    if (pf === undefined || kva === undefined) return [];
    const customer = input.device?.customer ? ctx.registry.customer(input.device.customer) : undefined;
    const minLoad = Math.max(s.minLoadKva, customer ? customer.contractKva * s.minLoadShareOfContract : 0);
    // Light load: no judgement, and the debounce does not run on through it either.
    if (kva < minLoad) return [];
    return thresholdStep(
      st.cond,
      input.reading.ts,
      pf,
      {
        type: 'low_power_factor',
        subject: ref.subject,
        subjectKind: 'device',
        direction: 'below',
        raiseAt: s.limit,
        clearAt: s.clearAt,
        criticalAt: s.criticalAt,
        timing: timingOf(s),
      },
      (since) => ({
        pf: round(pf, 3),
        limit: s.limit,
        loadKva: round(kva),
        pKw: v.p_kw !== undefined ? round(v.p_kw) : null,
        since,
        customer: input.device?.customer ?? null,
      }),
    );
  },
};
