/**
 * low_power_factor: a meter's power factor from its energies over a window (kWh and
 * kvarh, as the tariff assesses it) below the customer's own standard. See README.md.
 */
import type { ReadingValues } from '@gridsafe/shared';
import type { Detector } from '../../detector-kit/detector.js';
import type { RegistryView } from '../../detector-kit/types.js';
import { initialCondition, type ConditionState } from '../../detector-kit/condition.js';
import { MINUTE_MS, apparentKva, round } from '../../detector-kit/measures.js';
import { Type } from '@gridsafe/shared';
import { defineSettings, SettingsError, type SettingsOf } from '../../detector-kit/settings.js';
import { thresholdStep, timingOf, timingSchema } from '../../detector-kit/threshold.js';
import { standardFor } from './standard.js';

const SETTINGS = defineSettings(
  {
    /** The customer's own standard by id (e.g. 0.80 for an agricultural customer), over the class found. */
    standards: Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 1 }), { default: {} }),
    /** FACTS.md (功率因数调整电费办法 1983): high-voltage industrial customers of 160 kVA and above, 0.90. */
    hvLargeStandard: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
    hvLargeKva: Type.Number({ default: 160, minimum: 0 }),
    /** FACTS.md: other customers of 100 kVA (kW) and above, 0.85; smaller ones are not assessed. */
    generalStandard: Type.Number({ default: 0.85, minimum: 0, maximum: 1 }),
    generalKva: Type.Number({ default: 100, minimum: 0 }),
    /** A meter with no customer (a transformer's own): not a tariff matter; 0.90, the highest class. */
    unassignedStandard: Type.Number({ default: 0.9, minimum: 0, maximum: 1 }),
    /** Hysteresis: the occurrence ends once the window's power factor is this far above the standard. */
    clearMargin: Type.Number({ default: 0.02, minimum: 0, maximum: 1 }),
    /** Below this the alert is critical. */
    criticalAt: Type.Number({ default: 0.7, minimum: 0, maximum: 1 }),
    /**
     * Energies are summed over the trailing window of this many minutes, and the power factor
     * is kWh / √(kWh² + kvarh²): a sustained figure, as the tariff's monthly assessment is.
     */
    windowMinutes: Type.Number({ default: 60, minimum: 1, maximum: 1440 }),
    /** The window is judged once this share of it carried real load. */
    minCoverage: Type.Number({ default: 0.5, minimum: 0.01, maximum: 1 }),
    /** Power factor means little at light load: intervals under this apparent power (kVA) do not count ... */
    minLoadKva: Type.Number({ default: 5, minimum: 0 }),
    /** ... nor under this share of the customer's contract capacity (when the meter has a customer). */
    minLoadShareOfContract: Type.Number({ default: 0.1, minimum: 0, maximum: 1 }),
    /**
     * Local hours [from, to) when on-site generation (rooftop PV, the usual case) may run:
     * a meter with generation behind it is judged on its import periods outside them.
     */
    daylightHours: Type.Tuple([Type.Integer({ minimum: 0, maximum: 24 }), Type.Integer({ minimum: 0, maximum: 24 })], {
      default: [6, 19],
    }),
    /** Local time of the sites (480: China Standard Time), for the daylight hours. */
    utcOffsetMinutes: Type.Number({ default: 480, minimum: -720, maximum: 840 }),
    /** The window is the sustainment: no further hold by default; 15 minutes inside the clear band to end. */
    ...timingSchema(0, 900),
  },
  (s) => {
    if (s.criticalAt > Math.min(s.hvLargeStandard, s.generalStandard, s.unassignedStandard))
      throw new SettingsError('criticalAt', `${s.criticalAt} must not be above a standard`);
    return s;
  },
);
export type PowerFactorSettings = SettingsOf<typeof SETTINGS>;

/** Energy of one minute of the window, from the intervals that carried real load. */
interface Bucket {
  minute: number;
  kwh: number;
  kvarh: number;
  ms: number;
}

interface PfState {
  cond: ConditionState;
  /** The latest reading's active and reactive power, held until the next (zero-order hold). */
  last: { ts: number; p: number; q: number; counted: boolean } | null;
  buckets: Bucket[];
}

/** Whether any customer on the transformer has generation (registry `hasGeneration`). */
function generationOn(registry: RegistryView, transformer: string): boolean {
  return registry
    .devicesOnTransformer(transformer)
    .some((d) => d.customer && registry.customer(d.customer)?.hasGeneration);
}

/** Importing: active power into the site (a meter that gives no p_kw cannot say, so no). */
function importing(v: ReadingValues): boolean {
  return v.p_kw !== undefined && v.p_kw > 0;
}

function isDaylight(ts: number, [from, to]: readonly number[], utcOffsetMinutes: number): boolean {
  const hour = new Date(ts + utcOffsetMinutes * MINUTE_MS).getUTCHours();
  return hour >= from! && hour < to!;
}

/** Active and reactive power magnitudes of a reading, from whichever two of p, q, s, pf it has. */
function powers(v: ReadingValues): { p: number; q: number; s: number } | undefined {
  const s = apparentKva(v);
  if (s === undefined) return undefined;
  const p = v.p_kw !== undefined ? Math.abs(v.p_kw) : v.pf !== undefined ? Math.abs(v.pf) * s : undefined;
  if (p === undefined) return undefined;
  const q = v.q_kvar !== undefined ? Math.abs(v.q_kvar) : Math.sqrt(Math.max(0, s * s - p * p));
  return { p, q, s };
}

export const lowPowerFactor: Detector<PowerFactorSettings, PfState> = {
  name: 'low_power_factor',
  stateVersion: 2,
  settings: SETTINGS,
  subjectsOfReading: (input) =>
    input.device?.kind === 'meter' ? [{ subject: input.reading.device, kind: 'device' }] : [],
  initialState: () => ({ cond: initialCondition(), last: null, buckets: [] }),
  onReading(st, input, ref, ctx) {
    const s = ctx.settings;
    const { ts, values } = input.reading;
    const pq = powers(values);
    if (pq === undefined) return [];
    if (st.last && ts <= st.last.ts) return []; // a stray older reading must not count twice
    const customer = input.device?.customer ? ctx.registry.customer(input.device.customer) : undefined;
    const standard = standardFor(input.device, customer, s);
    const minLoad = Math.max(s.minLoadKva, customer ? customer.contractKva * s.minLoadShareOfContract : 0);
    // Where generation sits behind the meter (the customer's own, or, for a transformer's own
    // meter, a customer's on that transformer), net active power at the meter is load minus
    // generation: a low power factor while the sun is up is real but expected (FACTS.md).
    // Such meters are judged on import periods outside the daylight hours only.
    const generation = customer
      ? customer.hasGeneration === true
      : input.device?.transformer !== undefined && generationOn(ctx.registry, input.device.transformer);
    const counted =
      pq.s >= minLoad && (!generation || (importing(values) && !isDaylight(ts, s.daylightHours, s.utcOffsetMinutes)));

    // The interval since the previous reading, at that reading's powers, if it counted.
    const prev = st.last;
    if (prev && prev.counted && ts - prev.ts <= s.maxGapSeconds * 1000) {
      const hours = (ts - prev.ts) / 3_600_000;
      const minute = Math.floor(prev.ts / MINUTE_MS);
      let bucket = st.buckets[st.buckets.length - 1];
      if (!bucket || bucket.minute !== minute) st.buckets.push((bucket = { minute, kwh: 0, kvarh: 0, ms: 0 }));
      bucket.kwh += prev.p * hours;
      bucket.kvarh += prev.q * hours;
      bucket.ms += ts - prev.ts;
    }
    st.last = { ts, p: pq.p, q: pq.q, counted };
    const windowMs = s.windowMinutes * MINUTE_MS;
    const firstMinute = Math.floor((ts - windowMs) / MINUTE_MS);
    while (st.buckets.length > 0 && st.buckets[0]!.minute < firstMinute) st.buckets.shift();
    if (standard.value === null) return [];

    let kwh = 0;
    let kvarh = 0;
    let ms = 0;
    for (const b of st.buckets) {
      kwh += b.kwh;
      kvarh += b.kvarh;
      ms += b.ms;
    }
    // Too little real load in the window: no judgement, and the debounce does not run on through it.
    if (ms < windowMs * s.minCoverage || kwh + kvarh <= 0) return [];
    const pf = kwh / Math.hypot(kwh, kvarh);
    return thresholdStep(
      st.cond,
      ts,
      pf,
      {
        type: 'low_power_factor',
        subject: ref.subject,
        subjectKind: 'device',
        direction: 'below',
        raiseAt: standard.value,
        clearAt: Math.min(1, standard.value + s.clearMargin),
        criticalAt: s.criticalAt,
        timing: timingOf(s),
      },
      (since) => ({
        pf: round(pf, 3),
        standard: standard.value,
        standardBasis: standard.basis,
        windowMinutes: s.windowMinutes,
        kwh: round(kwh, 3),
        kvarh: round(kvarh, 3),
        coveredMinutes: round(ms / MINUTE_MS, 1),
        importOnly: generation,
        loadKva: round(pq.s),
        since,
        customer: customer?.id ?? null,
      }),
    );
  },
};
