/**
 * eval:forecast — day-ahead forecasts and overload pre-warning on a held-back period.
 *
 * Per transformer (half from the simulator's load model, half from the independent
 * generator), the last `--test-days` days are held back: each midnight the model is chosen
 * by the cloud's backtest (selectModel) on the days before, and forecasts the day ahead;
 * MAPE and 80 % interval coverage against the actuals, and seasonal naive's MAPE in the
 * same run. Pre-warning: every hour the forecast is refreshed and run through the overload
 * detector's thermal model (prewarn); the truth is the same thermal model run on the actual
 * 5-minute load. Last line: one JSON object.
 */
import { parseDetectorSettings } from '../../src/detector-kit/settings.js';
import { advance, hotSpotC, steadyState } from '../../src/detectors/overload/thermal.js';
import { limitsOf, overload as overloadDetector, thermalParams } from '../../src/detectors/overload/index.js';
import { profileAmbientC, siteProfile } from '../../src/detectors/overload/ambient.js';
import { calendarOf } from '../../src/forecast/calendar.js';
import { SeriesView, forecastWith, type HourlySeries } from '../../src/forecast/models.js';
import { forecastView, selectModel } from '../../src/forecast/forecaster.js';
import { prewarn, warns } from '../../src/forecast/prewarn.js';
import { NO_MARGIN, subHourlyMargin, withinHourPatterns } from '../../src/forecast/sub-hourly.js';
import { forecastSettingsOf } from '../../src/forecast/settings.js';
import { DAY_MS, HOUR_MS, STEP_MS, buildFleet, type EvalTransformer } from './fleet.js';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const seed = arg('seed', 16);
const days = arg('days', 70);
const testDays = arg('test-days', 21);
const perFamily = arg('per-family', 6);
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
};

const settings = forecastSettingsOf({
  ...(args.includes('--quantile') ? { prewarnQuantile: arg('quantile', 0.9) } : {}),
  ...(args.includes('--upper-share') ? { prewarnUpperShare: arg('upper-share', 0.1) } : {}),
  ...(args.includes('--probability') ? { prewarnProbability: arg('probability', 0.5) } : {}),
});
/** --margin: hold the alert's curve to the limits less the measured sub-hourly margin (the refresh does not). */
const applyMargin = args.includes('--margin');
const overload = parseDetectorSettings(overloadDetector, undefined);
const start = Date.UTC(2026, 5, 1) - 480 * 60_000; // local midnight, China Standard Time
const t0 = Date.now();
const fleet = buildFleet(seed, days, testDays, perFamily, start);
console.log(
  `built ${fleet.transformers.length} transformers × ${days} days in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

const ambientOf = (site: string) => {
  const { profile } = siteProfile(overload.ambientProfiles, site);
  return (ts: number) => profileAmbientC(profile, ts, overload.utcOffsetMinutes);
};

/** Minutes (5-minute steps) at which the thermal model on the actual load is at a limit. */
function truthAtLimit(tx: EvalTransformer): boolean[] {
  const params = thermalParams(overload);
  const limits = limitsOf(overload);
  const ambient = ambientOf(tx.id);
  const state = steadyState(start, Math.min(1, tx.kva[0]! / tx.ratedKva), ambient(start), params);
  const out: boolean[] = [];
  for (let s = 0; s < tx.kva.length; s++) {
    const ts = start + s * STEP_MS;
    advance(state, ts, params);
    state.k = tx.kva[s]! / tx.ratedKva;
    state.ambientC = ambient(ts);
    out.push(hotSpotC(state) >= limits.hotSpotC || state.topOilC >= limits.topOilC);
  }
  return out;
}

let apeSum = 0;
let naiveApeSum = 0;
let hours = 0;
let covered = 0;
let ordinaryHours = 0;
let ordinaryCovered = 0;
const leads: number[] = [];
let events = 0;
let warned = 0;
let warnings = 0;
let trueWarnings = 0;
const chosen: Record<string, number> = {};
/** Sub-hourly margins (hot-spot, K) of each transformer-day. */
const margins: number[] = [];
const perTx: string[] = [];
const testStart = days - testDays;

for (const tx of fleet.transformers) {
  const hourly: HourlySeries = { start, values: [], ambient: tx.ambient };
  for (let h = 0; h < days * 24; h++) {
    let sum = 0;
    for (let k = 0; k < 12; k++) sum += tx.kva[h * 12 + k]!;
    hourly.values.push(sum / 12);
  }
  const cal =
    tx.family === 'independent'
      ? calendarOf([...fleet.calendar.holidays], [...fleet.calendar.workdays], 480)
      : calendarOf([], [], 480);
  const view = new SeriesView(hourly, cal);
  const atLimit = truthAtLimit(tx);
  let txApe = 0;
  let txNaive = 0;
  let txHours = 0;
  // Alert episodes [opened, closed) from the hourly refreshes.
  const episodes: Array<{ opened: number; closed: number }> = [];
  let open: number | null = null;
  for (let d = testStart; d < days; d++) {
    const midnight = d * 24;
    const selection = selectModel(view, midnight, settings);
    // The margin from the 5-minute load of the backtest days (and one to settle), as the refresh reads it from the store.
    const fineFrom = (midnight - (settings.backtestDays + 1) * 24) * (HOUR_MS / STEP_MS);
    const fine = {
      start: start + fineFrom * STEP_MS,
      values: Array.from(tx.kva.subarray(fineFrom, midnight * (HOUR_MS / STEP_MS))),
    };
    const patterns = withinHourPatterns(fine, overload.utcOffsetMinutes, settings.backtestDays);
    const margin = subHourlyMargin(
      fine,
      tx.ratedKva,
      ambientOf(tx.id),
      overload.utcOffsetMinutes,
      thermalParams(overload),
      settings.prewarnQuantile,
    );
    margins.push(margin.hotSpotC);
    chosen[selection.model] = (chosen[selection.model] ?? 0) + 1;
    const dayAhead = forecastView(view, start + midnight * HOUR_MS, 24, settings, selection);
    const naive = forecastWith('seasonal_naive', view, midnight, 24, settings, null);
    dayAhead.points.forEach((p, h) => {
      const actual = hourly.values[midnight + h]!;
      const n = naive[h];
      if (n === null || n === undefined) return;
      txApe += Math.abs(actual - p.value) / actual;
      txNaive += Math.abs(actual - n) / actual;
      txHours++;
      if (actual >= p.low && actual <= p.high) covered++;
      if (!tx.overloadDays.includes(d)) {
        ordinaryHours++;
        if (actual >= p.low && actual <= p.high) ordinaryCovered++;
      }
    });
    for (let h = 0; h < 24; h++) {
      const origin = midnight + h;
      const f = forecastView(view, start + origin * HOUR_MS, 24, settings, selection);
      // The last day's load at the meters' resolution, as the refresh reads it.
      const recent: Array<[number, number]> = [];
      for (let i = (origin - 24) * 12; i < origin * 12; i++) recent.push([start + i * STEP_MS, tx.kva[i]!]);
      const r = prewarn(
        {
          recent,
          points: f.points,
          ratedKva: tx.ratedKva,
          site: tx.id,
          upperRatios: selection.upperRatios,
          upperShare: settings.prewarnUpperShare,
          margin: applyMargin ? margin : NO_MARGIN,
          patterns,
          horizonMinutes: settings.prewarnHorizonMinutes,
        },
        overload,
      );
      const now = start + origin * HOUR_MS;
      if (warns(r, open !== null, settings.prewarnProbability)) open ??= now;
      else if (open !== null) {
        episodes.push({ opened: open, closed: now });
        open = null;
      }
    }
  }
  if (open !== null) episodes.push({ opened: open, closed: start + days * DAY_MS });
  // Truth events: the thermal model reaches a limit (from below) in the test period.
  const truth: number[] = [];
  // (A limit reached again within the hour is the same event.)
  for (let s = (testStart * DAY_MS) / STEP_MS; s < atLimit.length; s++)
    if (atLimit[s] && !atLimit.slice(Math.max(0, s - 12), s).some(Boolean)) truth.push(start + s * STEP_MS);
  if (args.includes('--details'))
    console.log(
      `${tx.id}: limit reached at ${truth.map((T) => new Date(T).toISOString().slice(5, 16)).join(' ') || '-'}; warned ${episodes.map((e) => `${new Date(e.opened).toISOString().slice(5, 16)}..${new Date(e.closed).toISOString().slice(11, 16)}`).join(' ') || '-'}`,
    );
  for (const T of truth) {
    events++;
    const e = episodes.find((x) => x.opened <= T && x.closed > T);
    if (e) {
      warned++;
      leads.push((T - e.opened) / 60_000);
    }
  }
  const stepOf = (ts: number) => Math.floor((ts - start) / STEP_MS);
  for (const e of episodes) {
    warnings++;
    let hit = false;
    for (let s = stepOf(e.opened); s < Math.min(atLimit.length, stepOf(e.closed + HOUR_MS)); s++)
      if (atLimit[s]) hit = true;
    if (hit) trueWarnings++;
  }
  apeSum += txApe;
  naiveApeSum += txNaive;
  hours += txHours;
  perTx.push(
    `${tx.id.padEnd(4)} ${tx.family.padEnd(12)} rated ${String(tx.ratedKva).padStart(4)} kVA  MAPE ${((txApe / txHours) * 100).toFixed(1).padStart(5)} %  naive ${((txNaive / txHours) * 100).toFixed(1).padStart(5)} %  overload days ${tx.overloadDays.join(',')}  events ${truth.length}  warnings ${episodes.length}`,
  );
}

console.log(`interval coverage on days without a planned overload: ${round(ordinaryCovered / ordinaryHours)}`);
console.log(perTx.join('\n'));
console.log(
  `sub-hourly hot-spot margin (K) per transformer-day: median ${median(margins).toFixed(1)}, max ${Math.max(...margins).toFixed(1)}`,
);
console.log(
  `models chosen (transformer-days): ${JSON.stringify(chosen)}; ${((Date.now() - t0) / 1000).toFixed(1)} s in all`,
);
const mape = (apeSum / hours) * 100;
const naiveMape = (naiveApeSum / hours) * 100;
console.log(
  JSON.stringify({
    eval: 'forecast',
    mape: round(mape, 2),
    seasonalNaiveMape: round(naiveMape, 2),
    improvement: round(1 - mape / naiveMape),
    intervalCoverage: round(covered / hours),
    prewarn: {
      medianLeadMinutes: Math.round(median(leads)),
      precision: round(warnings === 0 ? 0 : trueWarnings / warnings),
      recall: round(events === 0 ? 0 : warned / events),
    },
  }),
);
