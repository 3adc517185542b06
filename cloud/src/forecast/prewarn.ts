/**
 * Overload pre-warning: the forecast load run through the overload detector's IEC 60076-7
 * thermal model (its own functions and settings: thermal constants, loading mode, ambient
 * profile), from the thermal state the recent actual load left. Reaching the hot-spot or
 * top-oil limit of the loading mode within the horizon is what `overload_forecast` says.
 */
import { advance, hotSpotC, minutesToLimit, steadyState, type ThermalState } from '../detectors/overload/thermal.js';
import { limitsOf, thermalParams } from '../detectors/overload/index.js';
import { profileAmbientC, siteProfile } from '../detectors/overload/ambient.js';
import type { OverloadSettings } from '../detectors/overload/settings.js';
import { HOUR_MS } from './models.js';
import type { ForecastPoint } from './forecaster.js';

export interface PrewarnInput {
  /** Hourly mean load (kVA) of the hours before the forecast's origin, oldest first: [ts, kVA]. */
  recent: Array<[number, number]>;
  points: ForecastPoint[];
  ratedKva: number;
  site: string;
  /**
   * Which curve is run through the model: the point forecast (0), the interval's upper
   * bound (1), or between. Hourly means hide the minutes above the mean that the winding
   * (τw = 4 min) feels; a share of the upper bound stands in for them.
   */
  upperShare: number;
  horizonMinutes: number;
}

export interface PrewarnResult {
  /** Minutes from the forecast's origin to the limit; null: not within the horizon. */
  minutesToLimit: number | null;
  predictedAt: number | null;
  /** Hot-spot and top-oil at that minute (or at the horizon's hottest minute when not reached). */
  hotSpotC: number;
  topOilC: number;
  limits: { hotSpotC: number; topOilC: number };
  ambientSource: string;
}

/** Linear interpolation of hourly means (each taken at the middle of its hour). */
function curveAt(points: ForecastPoint[], ts: number, share: number): number {
  const mid = (p: ForecastPoint) => p.ts + HOUR_MS / 2;
  const at = (p: ForecastPoint) => p.value + share * (p.high - p.value);
  const first = points[0]!;
  if (ts <= mid(first)) return at(first);
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (ts <= mid(b)) {
      const a = points[i - 1]!;
      return at(a) + ((at(b) - at(a)) * (ts - mid(a))) / HOUR_MS;
    }
  }
  return at(points[points.length - 1]!);
}

export function prewarn(input: PrewarnInput, s: OverloadSettings): PrewarnResult | null {
  if (input.points.length === 0 || !(input.ratedKva > 0)) return null;
  const params = thermalParams(s);
  const limits = limitsOf(s);
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
  const path = {
    loadPu: (m: number) => curveAt(input.points, origin + m * 60_000, input.upperShare) / input.ratedKva,
    ambientC: (m: number) => ambientAt(origin + m * 60_000),
  };
  const minutes = minutesToLimit(state, limits, params, input.horizonMinutes, path);
  // The temperatures at that minute (or the hottest of the horizon): the same path stepped minute by minute.
  const probe: ThermalState = { ...state };
  let hottest = { hotSpotC: hotSpotC(probe), topOilC: probe.topOilC };
  const until = minutes ?? input.horizonMinutes;
  for (let m = 0; m < until; m++) {
    probe.k = path.loadPu(m);
    probe.ambientC = path.ambientC(m);
    advance(probe, probe.ts + 60_000, params);
    if (minutes !== null || hotSpotC(probe) > hottest.hotSpotC)
      hottest = { hotSpotC: hotSpotC(probe), topOilC: probe.topOilC };
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    minutesToLimit: minutes,
    predictedAt: minutes === null ? null : origin + minutes * 60_000,
    hotSpotC: round(hottest.hotSpotC),
    topOilC: round(hottest.topOilC),
    limits: { hotSpotC: limits.hotSpotC, topOilC: limits.topOilC },
    ambientSource: source,
  };
}
