/**
 * What hourly means hide from the thermal model. The forecasts are hourly means, but the
 * winding (τw = 4 min) follows the minutes: a transformer whose load comes in bursts of
 * tens of minutes (appliances, a compressor, a kiln) runs its hot-spot hotter than the
 * thermal model on the hourly means of the same load says, and it reaches the limit on
 * days the hourly curve stays below it. How much hotter is a property of the transformer's
 * load, so it is measured on its own history: the thermal model run on the load every
 * `FINE_STEP_MS` and on its hourly means, day by day; the margin is the `quantile` of the
 * daily peak differences (hot-spot and top-oil). The pre-warning lowers the limits by it.
 *
 * Bursts heat the winding more the higher the load (the gradient goes as k^y, y = 1.6), so
 * a margin measured at an ordinary day's load would understate it on the day that matters:
 * each day is measured scaled so that its peak hour is at `NEAR_LIMIT_PU` of the rating
 * (the bursts keep their share of the load).
 */
import { advance, hotSpotC, steadyState, type ThermalParams } from '../detectors/overload/thermal.js';
import { HOUR_MS } from './models.js';

/** Resolution of the history the margin is measured on (the usual meter read interval or finer). */
export const FINE_STEP_MS = 5 * 60_000;

/** Load every FINE_STEP_MS from `start` (kVA; null where unknown). */
export interface FineSeries {
  start: number;
  values: Array<number | null>;
}

export interface SubHourlyMargin {
  hotSpotC: number;
  topOilC: number;
  /** Days it was measured on. */
  days: number;
}

/**
 * Load (p.u.) of the peak hour each day is scaled to: about where the hourly curve meets the
 * hot-spot limit of normal cyclic loading (120 °C) at a summer ambient (held at 30 °C, the
 * IEC 60076-7 ONAN constants of FACTS.md give a steady hot-spot of about 119 °C).
 */
export const NEAR_LIMIT_PU = 1.1;

export const NO_MARGIN: SubHourlyMargin = { hotSpotC: 0, topOilC: 0, days: 0 };

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo]! + (s[Math.ceil(pos)]! - s[lo]!) * (pos - lo);
}

/** Peak hot-spot and top-oil of each local day of a load held step by step (null: the last known load holds). */
function dailyPeaks(
  load: Array<number | null>,
  start: number,
  stepMs: number,
  ratedKva: number,
  ambientAt: (ts: number) => number,
  utcOffsetMinutes: number,
  p: ThermalParams,
): Map<number, { hotSpotC: number; topOilC: number }> {
  const peaks = new Map<number, { hotSpotC: number; topOilC: number }>();
  const first = load.find((v) => v !== null);
  if (first === undefined || first === null) return peaks;
  const state = steadyState(start, Math.min(1, first / ratedKva), ambientAt(start), p);
  load.forEach((kva, i) => {
    const ts = start + i * stepMs;
    advance(state, ts, p);
    if (kva !== null) state.k = kva / ratedKva;
    state.ambientC = ambientAt(ts);
    const day = Math.floor((ts + utcOffsetMinutes * 60_000) / 86_400_000);
    const peak = peaks.get(day) ?? { hotSpotC: -Infinity, topOilC: -Infinity };
    peaks.set(day, {
      hotSpotC: Math.max(peak.hotSpotC, hotSpotC(state)),
      topOilC: Math.max(peak.topOilC, state.topOilC),
    });
  });
  return peaks;
}

/**
 * The margin from the history `fine` (whole hours from an hour boundary): each local day's
 * peak on the fine load minus its peak on the hourly means; the first day (the model
 * settling from its steady start) and days under three quarters known are left out.
 */
export function subHourlyMargin(
  fine: FineSeries,
  ratedKva: number,
  ambientAt: (ts: number) => number,
  utcOffsetMinutes: number,
  p: ThermalParams,
  q: number,
): SubHourlyMargin {
  const perHour = HOUR_MS / FINE_STEP_MS;
  const hourly: Array<number | null> = [];
  for (let h = 0; h * perHour < fine.values.length; h++) {
    const known = fine.values.slice(h * perHour, (h + 1) * perHour).filter((v): v is number => v !== null);
    hourly.push(known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length);
  }
  if (!(ratedKva > 0)) return NO_MARGIN;
  const dayOf = (ts: number) => Math.floor((ts + utcOffsetMinutes * 60_000) / 86_400_000);
  const peakHour = new Map<number, number>();
  hourly.forEach((v, h) => {
    const day = dayOf(fine.start + h * HOUR_MS);
    if (v !== null) peakHour.set(day, Math.max(peakHour.get(day) ?? 0, v));
  });
  const scaled = (values: Array<number | null>, stepMs: number) =>
    values.map((v, i) => {
      const peak = peakHour.get(dayOf(fine.start + i * stepMs)) ?? 0;
      return v === null || !(peak > 0) ? null : (v * NEAR_LIMIT_PU * ratedKva) / peak;
    });
  const at = (values: Array<number | null>, stepMs: number) =>
    dailyPeaks(scaled(values, stepMs), fine.start, stepMs, ratedKva, ambientAt, utcOffsetMinutes, p);
  const fineBy = at(fine.values, FINE_STEP_MS);
  const hourlyBy = at(hourly, HOUR_MS);
  const knownPerDay = new Map<number, number>();
  fine.values.forEach((v, i) => {
    const day = dayOf(fine.start + i * FINE_STEP_MS);
    if (v !== null) knownPerDay.set(day, (knownPerDay.get(day) ?? 0) + 1);
  });
  const hot: number[] = [];
  const oil: number[] = [];
  const days = [...fineBy.keys()].sort((a, b) => a - b).slice(1);
  for (const day of days) {
    const f = fineBy.get(day)!;
    const h = hourlyBy.get(day);
    if (!h || (knownPerDay.get(day) ?? 0) < 0.75 * 24 * perHour) continue;
    hot.push(Math.max(0, f.hotSpotC - h.hotSpotC));
    oil.push(Math.max(0, f.topOilC - h.topOilC));
  }
  if (hot.length === 0) return NO_MARGIN;
  const round = (x: number) => Math.round(x * 10) / 10;
  return { hotSpotC: round(quantile(hot, q)), topOilC: round(quantile(oil, q)), days: hot.length };
}

/**
 * The transformer's own within-hour patterns: for each of its recent local days, the load
 * every FINE_STEP_MS over the mean of its clock hour, by time of day (index 0: local
 * midnight). Between readings the last one holds (a meter read every 15 minutes gives
 * 15-minute patterns); an hour without a reading is 1. The pre-warning runs the thermal
 * model on the hourly forecast times each day's pattern: what the winding would see if
 * the bursts of that day came again (prewarn.ts).
 */
export interface WithinHourPatterns {
  utcOffsetMinutes: number;
  /** One pattern per day, DAY_MS / FINE_STEP_MS ratios each; empty: none known (the hourly curve held flat). */
  days: number[][];
}

/** Patterns of the last `maxDays` local days of `fine` with readings in at least three quarters of their hours. */
export function withinHourPatterns(fine: FineSeries, utcOffsetMinutes: number, maxDays: number): WithinHourPatterns {
  const perHour = HOUR_MS / FINE_STEP_MS;
  const perDay = 24 * perHour;
  const first = Math.floor(fine.start / FINE_STEP_MS + (utcOffsetMinutes * 60_000) / FINE_STEP_MS);
  const byDay = new Map<number, { ratios: number[]; hoursKnown: number }>();
  for (let h = 0; h * perHour < fine.values.length; h++) {
    const hour = fine.values.slice(h * perHour, (h + 1) * perHour);
    const firstKnown = hour.find((v) => v !== null);
    if (firstKnown === undefined || firstKnown === null) continue;
    let held = firstKnown;
    const filled = hour.map((v) => (held = v ?? held));
    const mean = filled.reduce((a, b) => a + b, 0) / filled.length;
    if (!(mean > 0)) continue;
    const local = first + h * perHour;
    const day = Math.floor(local / perDay);
    const entry = byDay.get(day) ?? { ratios: new Array<number>(perDay).fill(1), hoursKnown: 0 };
    byDay.set(day, entry);
    entry.hoursKnown++;
    filled.forEach((v, i) => (entry.ratios[local - day * perDay + i] = v / mean));
  }
  const days = [...byDay.keys()]
    .sort((a, b) => a - b)
    .filter((d) => byDay.get(d)!.hoursKnown >= 0.75 * 24)
    .slice(-maxDays)
    .map((d) => byDay.get(d)!.ratios);
  return { utcOffsetMinutes, days };
}
