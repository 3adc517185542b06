/** Settings of capacity_violation, with defaults and their sources. */
import { OneOf, Type } from '@gridsafe/shared';
import { defineSettings, SettingsError, type SettingsOf } from '../../detector-kit/settings.js';

export const CAPACITY_SETTINGS = defineSettings(
  {
    /**
     * How far above contract a demand period must be to count, %. FACTS.md:
     * 国家电网财〔2016〕633号 charges double above 105 % of contracted demand.
     */
    excessPct: Type.Number({ default: 5, minimum: 0 }),
    /**
     * How many 15-minute demand periods above the threshold one day must have to count as a
     * day of excess: sustained use, not motor starts scattered over a week.
     */
    minPeriods: Type.Integer({ default: 4, minimum: 1 }),
    /** How many days of excess, within windowDays, before raising. */
    minDays: Type.Integer({ default: 1, minimum: 1 }),
    /** Local time for counting days (China Standard Time: +480). */
    utcOffsetMinutes: Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
    /** The window over which periods and days are counted. */
    windowDays: Type.Number({ default: 7, minimum: 1 }),
    /** FACTS.md: maximum demand is the average power over a 15-minute period ... */
    demandMinutes: Type.Integer({ default: 15, minimum: 1 }),
    /** ... of which at least this many minutes must have readings (a gap makes no demand). */
    minCoverageMinutes: Type.Integer({ default: 10, minimum: 1 }),
    /** Demand in kW (billing demand, compared with the contract kVA: never over-states) or in kVA. */
    basis: OneOf(['kw', 'kva'], { default: 'kw' }),
    /**
     * Plausibility bound: a reading whose power is above this multiple of the contract is
     * a ratio or decoding error, not load, and does not count (FACTS.md: State Grid Tianjin's
     * rule, "K large"). 5 keeps the seed case (234.2 kW on 100 kVA, 2.3×) and the next
     * standard transformer sizes, while a ratio applied twice or a W/kW slip lands far above.
     */
    plausibilityFactor: Type.Number({ default: 5, minimum: 1.5 }),
    /** Demand at or above this multiple of the contract makes the alert critical. */
    criticalFactor: Type.Number({ default: 1.5, minimum: 1 }),
    /** The alert resolves after demand stays under the threshold this long (a day: the excess recurs daily if it is real). */
    clearSeconds: Type.Number({ default: 86_400, minimum: 0 }),
    /** While open, lastSeenAt and evidence are refreshed at most this often. */
    refreshSeconds: Type.Number({ default: 900, minimum: 1 }),
    /** The case gets new evidence at most this often while the excess goes on. */
    caseUpdateSeconds: Type.Number({ default: 3_600, minimum: 1 }),
    /** Hours of the demand series (15-minute maxima) kept as evidence. */
    seriesHours: Type.Number({ default: 48, minimum: 1, maximum: 24 * 31 }),
    /** A meter with no reading for this long no longer counts towards the customer's demand. */
    meterStaleSeconds: Type.Number({ default: 900, minimum: 60 }),
  },
  (s) => {
    if (s.minCoverageMinutes > s.demandMinutes)
      throw new SettingsError(
        'minCoverageMinutes',
        `${s.minCoverageMinutes} must not exceed demandMinutes (${s.demandMinutes})`,
      );
    return s;
  },
);

export type CapacitySettings = SettingsOf<typeof CAPACITY_SETTINGS>;
