/**
 * The forecasting models, each forecasting hourly load from what is known at an origin:
 *
 * - seasonal naive: the same hour of the most recent earlier day of the same type (working
 *   or rest day): the baseline every figure is compared with (FACTS.md: compare every
 *   model with seasonal naive in the same run);
 * - profile: the median of the same hour over the last `profileWeeks` weeks of the same
 *   weekday (or, on holidays and adjusted working days, of the same day type), scaled by
 *   the recent level (the last `levelHours` of load against the profile's) for the rest
 *   of the level's own day;
 * - regression: a multivariate linear regression (ml-regression-multivariate-linear) of
 *   what the profile model misses, on the profile, the seasonal naive value, the recent
 *   level, the day type and the ambient where measured, fitted on forecasts from several
 *   origins a day over the history.
 */
import MLR from 'ml-regression-multivariate-linear';
import { dayKey, type WorkCalendar } from './calendar.js';

export const HOUR_MS = 3_600_000;
export const MODEL_NAMES = ['seasonal_naive', 'profile', 'regression'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Hourly means from `start` (hour-aligned ms): values[i] is the hour starting at start + i h; null = no data. */
export interface HourlySeries {
  start: number;
  values: Array<number | null>;
  /** Measured ambient °C per hour, where a sensor gives it. */
  ambient?: Array<number | null>;
}

export interface ModelOptions {
  profileWeeks: number;
  levelHours: number;
  /** Days of day-ahead samples the regression is fitted on. */
  trainDays: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Reads of one series with the day types worked out once. */
export class SeriesView {
  readonly keys;
  constructor(
    readonly series: HourlySeries,
    readonly cal: WorkCalendar,
  ) {
    this.keys = series.values.map((_v, i) => dayKey(series.start + i * HOUR_MS, cal));
  }

  index(ts: number): number {
    return Math.round((ts - this.series.start) / HOUR_MS);
  }

  at(i: number): number | null {
    return i >= 0 && i < this.series.values.length ? (this.series.values[i] ?? null) : null;
  }

  keyAt(i: number) {
    return this.keys[i] ?? dayKey(this.series.start + i * HOUR_MS, this.cal);
  }

  /** Seasonal naive for target index t, knowing indices < origin. */
  seasonalNaive(t: number, origin: number): number | null {
    const key = this.keyAt(t);
    for (let back = 24; back <= 24 * 14; back += 24) {
      const i = t - back;
      if (i >= origin) continue;
      if (this.keyAt(i).rest === key.rest) {
        const v = this.at(i);
        if (v !== null) return v;
      }
    }
    return null;
  }

  /** Median of the same hour on comparable days of the last weeks before origin. */
  profile(t: number, origin: number, weeks: number): number | null {
    const key = this.keyAt(t);
    const xs: number[] = [];
    for (let back = 24; back <= weeks * 7 * 24; back += 24) {
      const i = t - back;
      if (i >= origin || i < 0) continue;
      const k = this.keyAt(i);
      const same = key.weekday >= 0 && k.weekday >= 0 ? k.weekday === key.weekday : k.rest === key.rest;
      const v = this.at(i);
      if (same && v !== null) xs.push(v);
    }
    return median(xs);
  }

  /** Recent level: the last `hours` before origin against their own profile (1 = as usual), clamped. */
  level(origin: number, o: ModelOptions): number {
    let actual = 0;
    let usual = 0;
    for (let i = origin - o.levelHours; i < origin; i++) {
      const v = this.at(i);
      const p = this.profile(i, i, o.profileWeeks);
      if (v === null || p === null) continue;
      actual += v;
      usual += p;
    }
    return usual > 0 ? Math.min(2, Math.max(0.5, actual / usual)) : 1;
  }

  ambientAt(i: number): number | null {
    return this.series.ambient?.[i] ?? null;
  }
}

/**
 * The regression's inputs for target t from origin (null when a part is missing), and its
 * base: the profile, with the recent level carried to the end of the level's own day (an
 * extra shift, a hot day lasts its day). The regression fits what the base misses from
 * the seasonal naive value, the day type, the level carried into later days (it mostly
 * does not last) and the ambient; the same-day level is not left to the fit, which would
 * learn it away on a history whose level never strayed.
 */
function features(
  v: SeriesView,
  t: number,
  origin: number,
  level: number,
  o: ModelOptions,
  withAmbient: boolean,
): { base: number; row: number[] } | null {
  const p = v.profile(t, origin, o.profileWeeks);
  const sn = v.seasonalNaive(t, origin);
  if (p === null || sn === null) return null;
  const rest = v.keyAt(t).rest ? 1 : 0;
  const sameDay = t - v.keyAt(t).hour <= origin - o.levelHours;
  const row = [p, sn, p * rest, sameDay ? 0 : p * (level - 1)];
  if (withAmbient) {
    // Ambient is known up to the origin; later hours take the same hour of the last day known (no weather forecast).
    const a = v.ambientAt(t < origin ? t : t - 24 * Math.ceil((t - origin + 1) / 24));
    if (a === null) return null;
    row.push(a, p * Math.max(0, a - 24));
  }
  return { base: sameDay ? p * level : p, row };
}

export interface FittedRegression {
  model: MLR;
  withAmbient: boolean;
}

/** Origins (hours after each midnight) the regression learns from: day-ahead and the refreshes during the day. */
const TRAIN_ORIGIN_HOURS = [0, 6, 10, 14];

/** Fits the regression on the history before origin: from several origins a day, each forecasting the next 24 hours. */
export function fitRegression(v: SeriesView, origin: number, o: ModelOptions): FittedRegression | null {
  const withAmbient = (v.series.ambient ?? []).some((a) => a !== null);
  const xs: number[][] = [];
  const ys: number[][] = [];
  const lastMidnight = origin - v.keyAt(origin).hour;
  for (let day = 1; day <= o.trainDays; day++) {
    for (const offset of TRAIN_ORIGIN_HOURS) {
      const from = lastMidnight - day * 24 + offset;
      if (from < 24 * 7) continue;
      const level = v.level(from, o);
      for (let t = from; t < from + 24 && t < origin; t++) {
        const y = v.at(t);
        const f = features(v, t, from, level, o, withAmbient);
        if (y === null || f === null) continue;
        xs.push(f.row);
        ys.push([y - f.base]);
      }
    }
  }
  if (xs.length < 48) return null;
  try {
    return { model: new MLR(xs, ys), withAmbient };
  } catch {
    return null; // a singular design (a flat series): the other models serve
  }
}

/** Forecasts of one model for targets [origin, origin + horizon). */
export function forecastWith(
  name: ModelName,
  v: SeriesView,
  origin: number,
  horizon: number,
  o: ModelOptions,
  fitted: FittedRegression | null,
): Array<number | null> {
  const level = v.level(origin, o);
  const out: Array<number | null> = [];
  for (let t = origin; t < origin + horizon; t++) {
    if (name === 'seasonal_naive') out.push(v.seasonalNaive(t, origin));
    else if (name === 'profile') {
      // The recent level lasts the rest of its own day, not the days after.
      const p = v.profile(t, origin, o.profileWeeks);
      const sameDay = t - v.keyAt(t).hour <= origin - o.levelHours;
      out.push(p === null ? null : p * (sameDay ? level : 1));
    } else {
      const f = fitted ? features(v, t, origin, level, o, fitted.withAmbient) : null;
      out.push(f && fitted ? Math.max(0, f.base + (fitted.model.predict(f.row)[0] ?? 0)) : null);
    }
  }
  return out;
}
