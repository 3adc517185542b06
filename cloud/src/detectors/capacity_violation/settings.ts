/** Settings of capacity_violation, with defaults and their sources. */
import { readSettings, SettingsError, type SettingsOf } from '../../detector-kit/settings.js';

export const CAPACITY_SCHEMA = {
  /**
   * How far above contract a demand period must be to count, %. FACTS.md:
   * 国家电网财〔2016〕633号 charges double above 105 % of contracted demand.
   */
  excessPct: { kind: 'number', default: 5, min: 0 },
  /**
   * How many 15-minute demand periods above the threshold one day must have to count as a
   * day of excess: sustained use, not motor starts scattered over a week.
   */
  minPeriods: { kind: 'number', default: 4, min: 1, integer: true },
  /** How many days of excess, within windowDays, before raising. */
  minDays: { kind: 'number', default: 1, min: 1, integer: true },
  /** Local time for counting days (China Standard Time: +480). */
  utcOffsetMinutes: { kind: 'number', default: 480, min: -720, max: 840, integer: true },
  /** The window over which periods and days are counted. */
  windowDays: { kind: 'number', default: 7, min: 1 },
  /** FACTS.md: maximum demand is the average power over a 15-minute period ... */
  demandMinutes: { kind: 'number', default: 15, min: 1, integer: true },
  /** ... of which at least this many minutes must have readings (a gap makes no demand). */
  minCoverageMinutes: { kind: 'number', default: 10, min: 1, integer: true },
  /** Demand in kW (billing demand, compared with the contract kVA: never over-states) or in kVA. */
  basis: { kind: 'enum', default: 'kw', values: ['kw', 'kva'] },
  /**
   * Plausibility bound: a reading whose power is above this multiple of the contract is
   * a ratio or decoding error, not load, and does not count (FACTS.md: State Grid Tianjin's
   * rule, "K large"). 5 keeps the seed case (234.2 kW on 100 kVA, 2.3×) and the next
   * standard transformer sizes, while a ratio applied twice or a W/kW slip lands far above.
   */
  plausibilityFactor: { kind: 'number', default: 5, min: 1.5 },
  /** Demand at or above this multiple of the contract makes the alert critical. */
  criticalFactor: { kind: 'number', default: 1.5, min: 1 },
  /** The alert resolves after demand stays under the threshold this long (a day: the excess recurs daily if it is real). */
  clearSeconds: { kind: 'number', default: 86_400, min: 0 },
  /** While open, lastSeenAt and evidence are refreshed at most this often. */
  refreshSeconds: { kind: 'number', default: 900, min: 1 },
  /** The case gets new evidence at most this often while the excess goes on. */
  caseUpdateSeconds: { kind: 'number', default: 3_600, min: 1 },
  /** Hours of the demand series (15-minute maxima) kept as evidence. */
  seriesHours: { kind: 'number', default: 48, min: 1, max: 24 * 31 },
  /** A meter with no reading for this long no longer counts towards the customer's demand. */
  meterStaleSeconds: { kind: 'number', default: 900, min: 60 },
} as const;

export type CapacitySettings = SettingsOf<typeof CAPACITY_SCHEMA>;

export function parseCapacitySettings(raw: Record<string, unknown> | undefined): CapacitySettings {
  const s = readSettings('capacity_violation', CAPACITY_SCHEMA, raw);
  if (s.minCoverageMinutes > s.demandMinutes) {
    throw new SettingsError(
      `detectors.capacity_violation.minCoverageMinutes (${s.minCoverageMinutes}) must not exceed demandMinutes (${s.demandMinutes})`,
    );
  }
  return s;
}
