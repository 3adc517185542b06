/**
 * Chooses the model the backtest proves best and gives prediction intervals. For an
 * origin, every model forecasts each of the last `backtestDays` days a day ahead (from its
 * midnight, knowing only what was before it); the model with the lowest MAPE forecasts,
 * and the interval is the `intervalLevel` central range of its backtest ratios
 * actual/forecast (empirical quantiles of the residuals).
 *
 * The pre-warning needs more than the day-ahead interval: a refresh during the day knows
 * the day's level, so its error hours ahead is smaller than a day-ahead one, and grows
 * with the lead. The chosen model is also backtested from intra-day origins (every
 * `INTRA_DAY_STEP_HOURS` of each backtest day), and the `prewarnQuantile` of its ratios
 * actual/forecast is kept per lead hour: the upper curve the thermal model is run on.
 */
import {
  HOUR_MS,
  type FittedRegression,
  MODEL_NAMES,
  SeriesView,
  fitRegression,
  forecastWith,
  type HourlySeries,
  type ModelName,
  type ModelOptions,
} from './models.js';
import type { WorkCalendar } from './calendar.js';

export interface ForecasterOptions extends ModelOptions {
  backtestDays: number;
  /** Central coverage of the interval, e.g. 0.8 for an 80 % interval. */
  intervalLevel: number;
  /** Models the backtest may choose from (seasonal naive is always backtested: it is the baseline). */
  models: readonly ModelName[];
  /** Quantile of the intra-day backtest ratios actual/forecast the pre-warning's upper curve is at, per lead hour. */
  prewarnQuantile: number;
}

export interface ForecastPoint {
  ts: number;
  value: number;
  low: number;
  high: number;
}

export interface Forecast {
  origin: number;
  model: ModelName;
  /** Backtest MAPE (%) of each model that could forecast. */
  backtestMape: Partial<Record<ModelName, number>>;
  intervalLevel: number;
  points: ForecastPoint[];
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 1;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export interface Selection {
  model: ModelName;
  backtestMape: Partial<Record<ModelName, number>>;
  /** Quantiles of actual/forecast of the chosen model: [low, high]. */
  ratioBand: [number, number];
  /** The regression fitted at the selection's origin (reused by the refreshes until the next selection). */
  fitted: FittedRegression | null;
  /**
   * `prewarnQuantile` of actual/forecast of the chosen model from intra-day origins, by
   * lead hour (index 0: the origin's hour); at least 1. Leads past the end take the last.
   */
  upperRatios: number[];
}

/** Hours between the intra-day origins of the pre-warning's backtest (eight a day). */
const INTRA_DAY_STEP_HOURS = 3;
/** Lead hours the intra-day backtest looks at: the pre-warning's usual horizon. */
const INTRA_DAY_LEADS = 24;

/** Backtest at day-ahead origins before `origin` (an hour index of the view). */
export function selectModel(v: SeriesView, origin: number, o: ForecasterOptions): Selection {
  const errors: Record<ModelName, number[]> = { seasonal_naive: [], profile: [], regression: [] };
  const ratios: Record<ModelName, number[]> = { seasonal_naive: [], profile: [], regression: [] };
  const lastMidnight = origin - v.keyAt(origin).hour;
  const candidates = MODEL_NAMES.filter((name) => name === 'seasonal_naive' || o.models.includes(name));
  const fits = new Map<number, FittedRegression | null>();
  for (let day = o.backtestDays; day >= 1; day--) {
    const from = lastMidnight - day * 24;
    if (from < 24 * 14) continue;
    const fitted = candidates.includes('regression') ? fitRegression(v, from, o) : null;
    fits.set(from, fitted);
    for (const name of candidates) {
      const f = forecastWith(name, v, from, 24, o, fitted);
      f.forEach((value, h) => {
        const actual = v.at(from + h);
        if (value === null || actual === null || actual <= 0 || value <= 0) return;
        errors[name].push(Math.abs(actual - value) / actual);
        ratios[name].push(actual / value);
      });
    }
  }
  const backtestMape: Partial<Record<ModelName, number>> = {};
  let best: ModelName | null = null;
  for (const name of candidates) {
    const e = errors[name];
    // A model that could forecast under half the backtest hours is not proven.
    if (e.length < 12 * o.backtestDays) continue;
    backtestMape[name] = Math.round((e.reduce((a, b) => a + b, 0) / e.length) * 1e5) / 1e3;
    if (o.models.includes(name) && (best === null || backtestMape[name]! < backtestMape[best]!)) best = name;
  }
  // None of the allowed models proven: the baseline forecasts (it needs the least history).
  best ??= 'seasonal_naive';
  const sorted = [...ratios[best]].sort((a, b) => a - b);
  const tail = (1 - o.intervalLevel) / 2;
  return {
    model: best,
    backtestMape,
    ratioBand: [quantile(sorted, tail), quantile(sorted, 1 - tail)],
    fitted: best === 'regression' ? fitRegression(v, origin, o) : null,
    upperRatios: intraDayUpper(v, origin, best, fits, o),
  };
}

/**
 * The chosen model forecast from every `INTRA_DAY_STEP_HOURS` of each backtest day (the
 * day's regression fit, as the refreshes of a day use it), and the `prewarnQuantile` of
 * actual/forecast at each lead hour (only actuals before `origin`: what is known then).
 */
function intraDayUpper(
  v: SeriesView,
  origin: number,
  model: ModelName,
  fits: ReadonlyMap<number, FittedRegression | null>,
  o: ForecasterOptions,
): number[] {
  const byLead: number[][] = Array.from({ length: INTRA_DAY_LEADS }, () => []);
  for (const [midnight, fitted] of fits) {
    for (let from = midnight; from < midnight + 24; from += INTRA_DAY_STEP_HOURS) {
      forecastWith(model, v, from, INTRA_DAY_LEADS, o, fitted).forEach((value, lead) => {
        const actual = from + lead < origin ? v.at(from + lead) : null;
        if (value !== null && actual !== null && actual > 0 && value > 0) byLead[lead]!.push(actual / value);
      });
    }
  }
  return byLead.map((r) =>
    Math.max(
      1,
      quantile(
        [...r].sort((a, b) => a - b),
        o.prewarnQuantile,
      ),
    ),
  );
}

/** Forecast of `horizonHours` from `originTs` (hour-aligned) with a selection (or a fresh one). */
export function forecastSeries(
  series: HourlySeries,
  cal: WorkCalendar,
  originTs: number,
  horizonHours: number,
  o: ForecasterOptions,
  selection?: Selection,
): Forecast {
  return forecastView(new SeriesView(series, cal), originTs, horizonHours, o, selection);
}

/** forecastSeries over a view already made (the day types of a long series are worked out once). */
export function forecastView(
  v: SeriesView,
  originTs: number,
  horizonHours: number,
  o: ForecasterOptions,
  selection?: Selection,
): Forecast {
  const origin = v.index(originTs);
  const chosen = selection ?? selectModel(v, origin, o);
  const fitted = chosen.model === 'regression' ? (chosen.fitted ?? fitRegression(v, origin, o)) : null;
  let values = forecastWith(chosen.model, v, origin, horizonHours, o, fitted);
  if (values.some((x) => x === null)) {
    // Where the chosen model cannot say (a gap), the profile, then seasonal naive, fill in.
    const fallback = forecastWith('profile', v, origin, horizonHours, o, null);
    const naive = forecastWith('seasonal_naive', v, origin, horizonHours, o, null);
    values = values.map((x, h) => x ?? fallback[h] ?? naive[h] ?? null);
  }
  const points: ForecastPoint[] = [];
  values.forEach((value, h) => {
    if (value === null) return;
    points.push({
      ts: originTs + h * HOUR_MS,
      value,
      low: value * Math.min(1, chosen.ratioBand[0]),
      high: value * Math.max(1, chosen.ratioBand[1]),
    });
  });
  return {
    origin: originTs,
    model: chosen.model,
    backtestMape: chosen.backtestMape,
    intervalLevel: o.intervalLevel,
    points,
  };
}
