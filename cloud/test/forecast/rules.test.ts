import t from 'tap';
import { calendarOf, dayKey } from '../../src/forecast/calendar.js';
import { HOUR_MS, SeriesView, fitRegression, forecastWith, type HourlySeries } from '../../src/forecast/models.js';
import { forecastSeries, selectModel } from '../../src/forecast/forecaster.js';
import { prewarn } from '../../src/forecast/prewarn.js';
import { DEFAULT_FORECAST_SETTINGS, parseForecastSettings } from '../../src/forecast/settings.js';
import { parseDetectorSettings } from '../../src/detector-kit/settings.js';
import { overload as overloadDetector } from '../../src/detectors/overload/index.js';

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
  const hot = prewarn(
    { recent, points: points(1.5), ratedKva: 100, site: 'x', upperShare: 0, horizonMinutes: 1440 },
    overload,
  );
  t.ok(hot && hot.minutesToLimit !== null && hot.minutesToLimit > 0, `limit reached after ${hot?.minutesToLimit} min`);
  t.ok(hot!.hotSpotC >= 120 || hot!.topOilC >= 105, 'at the limit of normal cyclic loading');
  t.equal(hot!.predictedAt, origin + hot!.minutesToLimit! * 60_000);
  const cool = prewarn(
    { recent, points: points(0.8), ratedKva: 100, site: 'x', upperShare: 0, horizonMinutes: 1440 },
    overload,
  );
  t.equal(cool?.minutesToLimit, null);
  t.ok(cool!.hotSpotC < 120, 'the hottest minute of the horizon is reported');
  const edge = prewarn(
    { recent, points: points(1.1), ratedKva: 100, site: 'x', upperShare: 0, horizonMinutes: 1440 },
    overload,
  );
  const edgeHigh = prewarn(
    { recent, points: points(1.1), ratedKva: 100, site: 'x', upperShare: 1, horizonMinutes: 1440 },
    overload,
  );
  t.ok(edgeHigh!.hotSpotC >= edge!.hotSpotC, 'the upper bound runs hotter than the point forecast');
});

t.test('settings: a bad value is named', async (t) => {
  t.throws(() => parseForecastSettings({ intervalLevel: 1.2 }), /forecast\.intervalLevel/);
  t.throws(() => parseForecastSettings({ historyDays: 20 }), /forecast\.historyDays/);
  t.throws(() => parseForecastSettings({ prewarnUpperShare: 2 }), /forecast\.prewarnUpperShare/);
});
