/**
 * Overload pre-warning: the forecast load run through the overload detector's IEC 60076-7
 * thermal model (its own functions and settings: thermal constants, loading mode, ambient
 * profile), from the thermal state the recent actual load left. The alert's curve is the
 * point forecast plus `upperShare` of the way to the day-ahead interval's upper bound.
 * The limit is judged at the resolution the winding feels (τw = 4 min): the hourly curve is
 * run once per within-hour pattern of the transformer's own recent days (sub-hourly.ts),
 * and `probability` is the share of them on which it reaches the hot-spot or top-oil limit
 * within the horizon; `warns` turns that into the alert's state. An upper curve (the point
 * times the intra-day backtest's `prewarnQuantile` of actual/forecast at each lead, run with
 * the same patterns, the earliest taken) goes with it as evidence: by when the limit may be
 * reached if the load runs high.
 */
import { advance, hotSpotC, minutesToLimit, steadyState, type ThermalState } from '../detectors/overload/thermal.js';
import { limitsOf, thermalParams } from '../detectors/overload/index.js';
import { profileAmbientC, siteProfile } from '../detectors/overload/ambient.js';
import type { OverloadSettings } from '../detectors/overload/settings.js';
import { HOUR_MS } from './models.js';
import type { ForecastPoint } from './forecaster.js';
import { FINE_STEP_MS, type SubHourlyMargin, type WithinHourPatterns } from './sub-hourly.js';

export interface PrewarnInput {
  /**
   * Load (kVA) before the forecast's origin, oldest first: [ts, kVA], each held until the
   * next (the last day at the meters' resolution, or its hourly means).
   */
  recent: Array<[number, number]>;
  points: ForecastPoint[];
  /**
   * Upper curve over the point forecast, by lead hour (index 0: the first point; past the
   * end, the last; never below the alert's curve): the `prewarnQuantile` of the intra-day backtest's actual/forecast
   * (forecaster.ts). Hourly forecasts miss by more in the hours of a burst than on
   * average, and the winding (τw = 4 min) feels the minutes above the hourly mean; the
   * upper curve is what the load may reach, the point what it most likely does.
   */
  upperRatios: number[];
  /**
   * Which curve raises the alert: the point forecast (0), the day-ahead interval's upper
   * bound (1), or between. Hourly means hide the minutes above the mean that the winding
   * (τw = 4 min) feels; a share of the upper bound stands in for them.
   */
  upperShare: number;
  /** Subtracted from the limits (the hourly curve runs cooler than the winding by this much); NO_MARGIN: none. */
  margin: SubHourlyMargin;
  /** The transformer's own within-hour patterns the alert's curve is run with (none: the hourly curve held). */
  patterns: WithinHourPatterns;
  ratedKva: number;
  site: string;
  horizonMinutes: number;
}

/** One curve run through the thermal model. */
export interface CurveOutcome {
  /** Minutes from the forecast's origin to the limit; null: not within the horizon. */
  minutesToLimit: number | null;
  predictedAt: number | null;
  /** Hot-spot and top-oil at that minute (or at the horizon's hottest minute when not reached). */
  hotSpotC: number;
  topOilC: number;
}

/**
 * The alert curve's outcome (the pattern whose time to the limit is the median of those
 * that reach it, or the hottest when none does) and the upper curve's.
 */
export interface PrewarnResult extends CurveOutcome {
  /** Share of the within-hour patterns on which the alert's curve reaches a limit within the horizon. */
  probability: number;
  /** Patterns the alert's curve was run with (1: the hourly curve held, no history at the meters' resolution). */
  patterns: number;
  upper: CurveOutcome;
  /** The loading mode's limits (the curves are held to these less the margin). */
  limits: { hotSpotC: number; topOilC: number };
  margin: SubHourlyMargin;
  ambientSource: string;
}

export function prewarn(input: PrewarnInput, s: OverloadSettings): PrewarnResult | null {
  if (input.points.length === 0 || !(input.ratedKva > 0)) return null;
  const params = thermalParams(s);
  const limits = limitsOf(s);
  const held = {
    hotSpotC: limits.hotSpotC - input.margin.hotSpotC,
    topOilC: limits.topOilC - input.margin.topOilC,
  };
  const { profile, source } = siteProfile(s.ambientProfiles, input.site);
  const ambientAt = (ts: number) => profileAmbientC(profile, ts, s.utcOffsetMinutes);
  const origin = input.points[0]!.ts;
  // The state the recent load left (steady start at the first hour, capped at the rating, as the detector does).
  let state: ThermalState | null = null;
  for (const [ts, kva] of input.recent) {
    const k = kva / input.ratedKva;
    if (!state) state = steadyState(ts, Math.min(k, 1), ambientAt(ts), params);
    else advance(state, ts, params);
    state.k = k;
    state.ambientC = ambientAt(ts);
  }
  state ??= steadyState(origin, Math.min(1, input.points[0]!.value / input.ratedKva), ambientAt(origin), params);
  advance(state, origin, params);
  const start = state;
  const run = (loadKva: (ts: number) => number): CurveOutcome => {
    const path = {
      loadPu: (m: number) => loadKva(origin + m * 60_000) / input.ratedKva,
      ambientC: (m: number) => ambientAt(origin + m * 60_000),
    };
    const minutes = minutesToLimit(start, held, params, input.horizonMinutes, path);
    // The temperatures at that minute (or the hottest of the horizon): the same path stepped minute by minute.
    const probe: ThermalState = { ...start };
    let hottest = { hotSpotC: hotSpotC(probe), topOilC: probe.topOilC };
    const until = minutes ?? input.horizonMinutes;
    for (let m = 0; m < until; m++) {
      probe.k = path.loadPu(m);
      probe.ambientC = path.ambientC(m);
      advance(probe, probe.ts + 60_000, params);
      if (minutes !== null || hotSpotC(probe) > hottest.hotSpotC)
        hottest = { hotSpotC: hotSpotC(probe), topOilC: probe.topOilC };
    }
    return {
      minutesToLimit: minutes,
      predictedAt: minutes === null ? null : origin + minutes * 60_000,
      // What the winding is expected to see: the hourly curve's temperatures plus the margin.
      hotSpotC: round(hottest.hotSpotC + input.margin.hotSpotC),
      topOilC: round(hottest.topOilC + input.margin.topOilC),
    };
  };
  const ratios = input.upperRatios;
  const upperRatio = (i: number) => (ratios.length === 0 ? 1 : Math.max(1, ratios[Math.min(i, ratios.length - 1)]!));
  const alertCurve = (i: number) =>
    input.points[i]!.value + input.upperShare * (input.points[i]!.high - input.points[i]!.value);
  // Each pattern multiplies the hour's value (its ratios are to their own hour's mean, so they carry the ramps within it).
  const { utcOffsetMinutes, days } = input.patterns;
  const stepOf = (ts: number) =>
    Math.floor((ts + utcOffsetMinutes * 60_000) / FINE_STEP_MS) % (86_400_000 / FINE_STEP_MS);
  const hourOf = (ts: number) => Math.min(input.points.length - 1, Math.floor((ts - origin) / HOUR_MS));
  /** A curve of hourly values run once per pattern (once, held hour by hour, without patterns); those reaching a limit first. */
  const shaped = (valueOf: (i: number) => number) => {
    const outcomes =
      days.length === 0
        ? [run((ts) => valueOf(hourOf(ts)))]
        : days.map((pattern) => run((ts) => valueOf(hourOf(ts)) * pattern[stepOf(ts)]!));
    const reaching = outcomes.filter((o) => o.minutesToLimit !== null);
    reaching.sort((a, b) => a.minutesToLimit! - b.minutesToLimit!);
    const hottest = outcomes.reduce((a, b) => (b.hotSpotC > a.hotSpotC ? b : a));
    return { outcomes, reaching, hottest };
  };
  const alertRuns = shaped(alertCurve);
  const alert = alertRuns.reaching[(alertRuns.reaching.length - 1) >> 1] ?? alertRuns.hottest;
  // "If the load runs high" is never below what the alert's own curve assumes: the earliest pattern on the upper curve.
  const upperRuns = shaped((i) => Math.max(alertCurve(i), input.points[i]!.value * upperRatio(i)));
  const upper = upperRuns.reaching[0] ?? upperRuns.hottest;
  return {
    ...alert,
    probability: alertRuns.reaching.length / alertRuns.outcomes.length,
    patterns: alertRuns.outcomes.length,
    upper,
    limits: { hotSpotC: limits.hotSpotC, topOilC: limits.topOilC },
    margin: input.margin,
    ambientSource: source,
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

/**
 * Whether the transformer is warned after this refresh: raised when the limit is reached on
 * at least `raiseProbability` of its within-hour patterns; once raised, held while any
 * pattern still reaches it (the bursts that tip an evening over are the rarer ones, and
 * an alert that flaps with them says less than one that holds until the risk is gone).
 */
export function warns(result: PrewarnResult | null, open: boolean, raiseProbability: number): boolean {
  if (!result) return false;
  return open ? result.probability > 0 : result.probability >= raiseProbability;
}
