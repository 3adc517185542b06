import t from 'tap';
import { calendarOf, dayKey } from '../../src/forecast/calendar.js';
import { HOUR_MS, SeriesView, fitRegression, forecastWith, type HourlySeries } from '../../src/forecast/models.js';
import { forecastSeries, selectModel } from '../../src/forecast/forecaster.js';
import { prewarn, warns } from '../../src/forecast/prewarn.js';
import {
  NO_MARGIN,
  subHourlyMargin,
  withinHourPatterns,
  type SubHourlyMargin,
  type WithinHourPatterns,
} from '../../src/forecast/sub-hourly.js';
import { DEFAULT_FORECAST_SETTINGS, forecastSettingsOf } from '../../src/forecast/settings.js';
import { parseDetectorSettings } from '../../src/detector-kit/settings.js';
import { overload as overloadDetector, thermalParams } from '../../src/detectors/overload/index.js';

const DAY = 24 * HOUR_MS;
// Monday 2026-06-01 00:00 China time.
const START = Date.UTC(2026, 5, 1) - 8 * HOUR_MS;
const S = DEFAULT_FORECAST_SETTINGS;
const cal = calendarOf(['2026-06-19'], ['2026-06-28'], 480);

/** A working-day / rest-day load with an evening peak and a deterministic wobble. */
function load(days: number, level = (_d: number) => 1): HourlySeries {
  const values: number[] = [];
  for (let i = 0; i < days * 24; i++) {
    const ts = START + i * HOUR_MS;
    const k = dayKey(ts, cal);
    const shape = 40 + 60 * Math.exp(-(((k.hour - 19) / 2.5) ** 2)) + (k.rest ? -15 : 10);
    values.push(shape * level(Math.floor(i / 24)) * (1 + 0.03 * Math.sin(i * 1.7)));
  }
  return { start: START, values };
}

t.test('calendar: holidays rest, adjusted working days work, a bad date is named', async (t) => {
  t.match(dayKey(Date.UTC(2026, 5, 19, 4), cal), { rest: true, weekday: -1 }, 'a Friday holiday rests');
  t.match(dayKey(Date.UTC(2026, 5, 28, 4), cal), { rest: false, weekday: -1 }, 'a Sunday worked');
  t.match(dayKey(Date.UTC(2026, 5, 27, 4), cal), { rest: true, weekday: 6 }, 'an ordinary Saturday');
  t.throws(() => calendarOf(['19/06/2026'], [], 480), /"19\/06\/2026" is not a date YYYY-MM-DD/);
});

t.test('seasonal naive: the same hour of the last day of the same type', async (t) => {
  const series = load(21);
  const v = new SeriesView(series, cal);
  const monday = 14 * 24; // 2026-06-15, a Monday: the last working day before is Friday the 12th
  const f = forecastWith('seasonal_naive', v, monday, 24, S, null);
  t.equal(f[19], series.values[(14 - 3) * 24 + 19], 'Monday 19:00 from Friday 19:00, not Sunday');
});

t.test(
  'profile and regression beat seasonal naive on a load whose day-to-day level moves; the backtest keeps the best',
  async (t) => {
    // The level of each day swings ±12 %: yesterday is a poor guide, a median of weeks a better one.
    const series = load(56, (d) => 1 + 0.12 * Math.sin(d * 2.4));
    const v = new SeriesView(series, cal);
    const origin = 49 * 24;
    const sel = selectModel(v, origin, S);
    t.ok(
      sel.backtestMape.seasonal_naive! > sel.backtestMape[sel.model]!,
      `chosen ${sel.model} beats seasonal naive in the backtest`,
    );
    t.ok(fitRegression(v, origin, S), 'the regression fits');
    const f = forecastSeries(series, cal, START + origin * HOUR_MS, 24, S);
    t.equal(f.points.length, 24);
    t.ok(
      f.points.every((p) => p.low <= p.value && p.value <= p.high),
      'every point inside its interval',
    );
    t.equal(f.intervalLevel, 0.8);
  },
);

t.test('the model choice keeps to `models`; the upper curve knows only what was known at the origin', async (t) => {
  const series = load(56, (d) => 1 + 0.12 * Math.sin(d * 2.4));
  const v = new SeriesView(series, cal);
  const origin = 49 * 24 + 15;
  const onlyProfile = selectModel(v, origin, { ...S, models: ['profile'] });
  t.equal(onlyProfile.model, 'profile');
  t.ok(onlyProfile.backtestMape.seasonal_naive !== undefined, 'seasonal naive is backtested anyway (the baseline)');
  t.equal(onlyProfile.backtestMape.regression, undefined, 'a model left out is not backtested');
  const sel = selectModel(v, origin, S);
  t.equal(sel.upperRatios.length, 24, 'one ratio per lead hour');
  t.ok(
    sel.upperRatios.every((r) => r >= 1),
    'never below the point',
  );
  t.ok(
    sel.upperRatios.some((r) => r > 1),
    'a load whose level swings runs above its forecast at the 0.9 quantile',
  );
  // Whatever happens from the origin on cannot change what the backtest learnt before it.
  const later = { ...series, values: series.values.map((x, i) => (i >= origin && x !== null ? x * 3 : x)) };
  t.same(selectModel(new SeriesView(later, cal), origin, S).upperRatios, sel.upperRatios, 'no look-ahead');
  const higher = selectModel(v, origin, { ...S, prewarnQuantile: 0.99 });
  t.ok(
    higher.upperRatios.every((r, lead) => r >= sel.upperRatios[lead]!),
    'a higher quantile, a higher curve',
  );
});

t.test('a recent level lasts its day in the profile model, not the days after', async (t) => {
  const series = load(42);
  for (let i = 41 * 24 + 6; i < 41 * 24 + 12; i++) series.values[i] = series.values[i]! * 1.4;
  const v = new SeriesView(series, cal);
  const origin = 41 * 24 + 12;
  const f = forecastWith('profile', v, origin, 36, S, null);
  const usual = v.profile(origin + 7, origin, S.profileWeeks)!;
  t.ok(f[7]! > usual * 1.3, 'this evening scaled up');
  t.ok(Math.abs(f[31]! - v.profile(origin + 31, origin, S.profileWeeks)!) < 1e-9, 'tomorrow as usual');
});

t.test('pre-warning: a forecast of 1.5 p.u. reaches the hot-spot limit, 0.8 p.u. does not', async (t) => {
  const overload = parseDetectorSettings(overloadDetector, undefined);
  const origin = START + 30 * DAY;
  const recent: Array<[number, number]> = Array.from({ length: 24 }, (_v, i) => [origin - (24 - i) * HOUR_MS, 80]);
  const points = (pu: number) =>
    Array.from({ length: 24 }, (_v, h) => ({
      ts: origin + h * HOUR_MS,
      value: pu * 100,
      low: pu * 90,
      high: pu * 110,
    }));
  /** The pre-warning on a flat forecast of `pu` p.u. (interval ±10 %) after a day at 0.8 p.u. */
  const warn = (
    pu: number,
    o: { upperRatios?: number[]; upperShare?: number; margin?: SubHourlyMargin; patterns?: WithinHourPatterns } = {},
  ) =>
    prewarn(
      {
        recent,
        points: points(pu),
        ratedKva: 100,
        site: 'x',
        upperRatios: o.upperRatios ?? [],
        upperShare: o.upperShare ?? 0,
        margin: o.margin ?? NO_MARGIN,
        patterns: o.patterns ?? { utcOffsetMinutes: 480, days: [] },
        horizonMinutes: 1440,
      },
      overload,
    );
  const hot = warn(1.5);
  t.ok(hot && hot.minutesToLimit !== null && hot.minutesToLimit > 0, `limit reached after ${hot?.minutesToLimit} min`);
  t.ok(hot!.hotSpotC >= 120 || hot!.topOilC >= 105, 'at the limit of normal cyclic loading');
  t.equal(hot!.predictedAt, origin + hot!.minutesToLimit! * 60_000);
  const cool = warn(0.8);
  t.equal(cool?.minutesToLimit, null);
  t.ok(cool!.hotSpotC < 120, 'the hottest minute of the horizon is reported');
  const edge = warn(1.05);
  t.equal(edge!.minutesToLimit, null, 'hourly 1.05 p.u. stays below the hot-spot limit');
  t.equal(edge!.upper.hotSpotC, edge!.hotSpotC, 'no upper ratios: the upper curve is the point');
  const high = warn(1.05, { upperRatios: [1.1] });
  t.ok(
    high!.upper.minutesToLimit !== null,
    `the upper curve (1.1 times) reaches the limit after ${high!.upper.minutesToLimit} min`,
  );
  t.equal(high!.minutesToLimit, null, 'the alert follows its own curve (here the point), not the upper curve');
  const shared = warn(1.05, { upperShare: 1 });
  t.ok(shared!.upper.minutesToLimit! <= shared!.minutesToLimit!, "the upper curve is never below the alert's");
  t.ok(
    shared!.minutesToLimit !== null,
    "with upperShare 1 the alert's curve is the interval's upper bound (1.155 p.u.)",
  );
  // A transformer whose winding runs 8 K hotter than its hourly means: the same curve now reaches the limit.
  const margin = { hotSpotC: 8, topOilC: 0, days: 14 };
  const bursty = warn(1.05, { margin });
  t.ok(bursty!.minutesToLimit !== null, `with the margin it reaches it after ${bursty?.minutesToLimit} min`);
  t.ok(bursty!.hotSpotC >= 120, 'reported as the winding sees it (the curve plus the margin)');
  // Within-hour patterns: a flat day, and a day whose every hour has a 20-minute burst at 1.3 times its mean.
  const flatDay = Array.from({ length: 288 }, () => 1);
  const burstDay = Array.from({ length: 288 }, (_v, i) => (i % 12 < 4 ? 1.3 : 0.85));
  t.equal(edge!.probability, 0, 'no patterns: the hourly curve held, which stays below (probability 0)');
  t.equal(edge!.patterns, 1);
  const flatOnly = warn(1.05, { patterns: { utcOffsetMinutes: 480, days: [flatDay, flatDay] } });
  t.equal(flatOnly!.probability, 0, 'flat patterns: the same as the hourly curve');
  const mixed = warn(1.05, { patterns: { utcOffsetMinutes: 480, days: [flatDay, burstDay, flatDay, burstDay] } });
  t.equal(mixed!.probability, 0.5, 'the limit is reached on the two days with bursts of 1.3 times the mean');
  t.equal(mixed!.patterns, 4);
  t.ok(mixed!.minutesToLimit !== null && mixed!.hotSpotC >= 120, `reached after ${mixed!.minutesToLimit} min`);
  t.ok(mixed!.topOilC < 105, 'by the hot-spot: the oil does not follow 20-minute bursts');
  const mixedHigh = warn(1.05, {
    upperRatios: [1.02],
    patterns: { utcOffsetMinutes: 480, days: [flatDay, burstDay, flatDay, burstDay] },
  });
  t.ok(
    mixedHigh!.upper.minutesToLimit! <= mixedHigh!.minutesToLimit!,
    'the upper curve, run with the same patterns, reaches the limit no later',
  );
});

t.test('warns: raised at the probability, held while any pattern reaches the limit', async (t) => {
  const at = (probability: number) => ({
    minutesToLimit: probability > 0 ? 60 : null,
    predictedAt: probability > 0 ? START : null,
    hotSpotC: 120,
    topOilC: 90,
    probability,
    patterns: 14,
    upper: { minutesToLimit: null, predictedAt: null, hotSpotC: 120, topOilC: 90 },
    limits: { hotSpotC: 120, topOilC: 105 },
    margin: NO_MARGIN,
    ambientSource: 'default',
  });
  t.equal(warns(at(0.5), false, 0.5), true, 'raised at the probability');
  t.equal(warns(at(3 / 14), false, 0.5), false, 'not raised below it');
  t.equal(warns(at(1 / 14), true, 0.5), true, 'once raised, held while one pattern still reaches the limit');
  t.equal(warns(at(0), true, 0.5), false, 'cleared when none does');
  t.equal(warns(null, true, 0.5), false, 'no forecast: nothing to warn of');
});

t.test('within-hour patterns: each known day, its load over its hour mean, by local time of day', async (t) => {
  // From 02:00 local of day 0 to 02:00 of day 3: days 1 and 2 whole, day 0 (22 h) and day 3 (2 h) partial.
  const from = START + 2 * HOUR_MS;
  const values: Array<number | null> = Array.from({ length: 72 * 12 }, (_v, i) => (i % 12 === 0 ? 130 : 97.27));
  const p = withinHourPatterns({ start: from, values }, 480, 14);
  t.equal(p.days.length, 3, 'day 0 (22 of 24 h known) kept, day 3 (2 h) left out');
  t.equal(p.days[0]![0], 1, 'an unknown step (day 0 before 02:00) is 1');
  const mean = (130 + 11 * 97.27) / 12;
  t.ok(Math.abs(p.days[1]![0]! - 130 / mean) < 1e-9, 'index 0 is local midnight, the first step of its hour');
  t.ok(Math.abs(p.days[1]![1]! - 97.27 / mean) < 1e-9);
  t.equal(p.days[1]!.length, 288);
  t.equal(withinHourPatterns({ start: from, values }, 480, 1).days.length, 1, 'at most maxDays, the latest');
  const gappy = values.map((v, i) => (i >= 22 * 12 && i < 34 * 12 ? null : v));
  const g = withinHourPatterns({ start: from, values: gappy }, 480, 14);
  t.equal(g.days.length, 2, 'a day half unknown is left out');
  // A meter read every 15 minutes: each reading holds for its 15 minutes.
  const quarter = values.map((v, i) => (i % 3 === 0 ? v : null));
  const q = withinHourPatterns({ start: from, values: quarter }, 480, 14);
  t.equal(q.days.length, 3, 'hours with a reading count as known');
  const qMean = (3 * 130 + 9 * 97.27) / 12;
  t.same(
    q.days[1]!.slice(0, 4).map((r) => Math.round(r * 1e6) / 1e6),
    [130 / qMean, 130 / qMean, 130 / qMean, 97.27 / qMean].map((r) => Math.round(r * 1e6) / 1e6),
  );
});

t.test('sub-hourly margin: bursts within the hour heat the winding beyond what the hourly means say', async (t) => {
  const overload = parseDetectorSettings(overloadDetector, undefined);
  const params = thermalParams(overload);
  const ambient = () => 30;
  const days = 8;
  const steady = Array.from({ length: days * 288 }, () => 80);
  // The same hourly means, but every evening hour a 20-minute burst to 1.4 p.u. (and 0.6 the rest of the hour).
  const bursty = steady.map((v, i) => {
    const hour = Math.floor((i % 288) / 12);
    if (hour < 18 || hour > 21) return v;
    return i % 12 < 4 ? 140 : 50;
  });
  const flat = subHourlyMargin({ start: START, values: steady }, 100, ambient, 480, params, 0.9);
  t.equal(flat.hotSpotC, 0, 'a steady load: nothing hidden');
  t.equal(flat.days, days - 1, 'every day but the first (the model settling)');
  const m = subHourlyMargin({ start: START, values: bursty }, 100, ambient, 480, params, 0.9);
  t.ok(m.hotSpotC > 3, `bursts: the winding runs ${m.hotSpotC} K hotter at its daily peak`);
  t.ok(m.topOilC < m.hotSpotC, 'the oil (τo = 180 min) hardly sees them');
  const gappy = bursty.map((v, i) => (i % 288 < 120 ? null : v));
  t.equal(
    subHourlyMargin({ start: START, values: gappy }, 100, ambient, 480, params, 0.9).days,
    0,
    'days under three quarters known are left out',
  );
});

t.test('settings: defaults, durations converted, a bad value named with its field', async (t) => {
  t.match(DEFAULT_FORECAST_SETTINGS, {
    cron: '7 * * * *',
    horizonHours: 48,
    historyDays: 63,
    levelHours: 4,
    trainDays: 28,
    backtestDays: 14,
    prewarnHorizonMinutes: 1440,
    prewarnQuantile: 0.9,
    prewarnUpperShare: 0.1,
    prewarnProbability: 0.5,
    models: ['seasonal_naive', 'profile', 'regression'],
  });
  t.match(forecastSettingsOf({ horizon: '1d12h', prewarnHorizon: '6h30m', models: ['profile'] }), {
    horizonHours: 36,
    prewarnHorizonMinutes: 390,
    models: ['profile'],
  });
  t.throws(() => forecastSettingsOf({ intervalLevel: 1.2 }), /forecast\.intervalLevel/);
  t.throws(() => forecastSettingsOf({ history: '20d' }), /forecast\.history: must be a duration from 21d to 400d/);
  t.throws(() => forecastSettingsOf({ history: '25d' }), /forecast\.history: must cover the backtest \(14d\)/);
  t.throws(() => forecastSettingsOf({ horizon: '90m' }), /forecast\.horizon: "90m" must be a whole number of hours/);
  t.throws(
    () => forecastSettingsOf({ prewarnHorizon: '3d' }),
    /forecast\.prewarnHorizon: must not be longer than horizon/,
  );
  t.throws(() => forecastSettingsOf({ models: ['arima'] }), /forecast\.models\[0\]/);
  t.throws(() => forecastSettingsOf({ cron: 'hourly' }), /forecast\.cron: "hourly" is not a cron expression/);
  t.throws(
    () => forecastSettingsOf({ prewarnUpperShare: 2 }),
    /forecast\.prewarnUpperShare: must be a number from 0 to 1/,
  );
  t.throws(
    () => forecastSettingsOf({ prewarnProbability: 0 }),
    /forecast\.prewarnProbability: /,
    'a probability of 0 would raise on every forecast',
  );
  t.throws(() => forecastSettingsOf({ prewarnUpperShar: 0.2 }), /forecast\.prewarnUpperShar: is not a known field/);
});
