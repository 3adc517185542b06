/**
 * Forecast settings: the `forecast` section of the cloud's config file (TypeBox, checked by
 * shared's validator with the rest of the file, durations in the shared Duration grammar),
 * and the settings the forecaster and the refresh read, derived from it.
 */
import { ConfigSource, Duration, OneOf, Section, Type, type Static } from '@gridsafe/shared';
import { readSection } from '../config/section-problems.js';
import type { ForecasterOptions } from './forecaster.js';
import { MODEL_NAMES } from './models.js';

export interface ForecastSettings extends ForecasterOptions {
  /** node-cron expression (UTC) of the refresh. */
  cron: string;
  /** Hours forecast from each refresh. */
  horizonHours: number;
  /** Days of stored history a refresh reads. */
  historyDays: number;
  /** `overload_forecast` looks this far ahead, minutes. */
  prewarnHorizonMinutes: number;
  /** The alert's curve: the point forecast (0) to the day-ahead interval's upper bound (1). */
  prewarnUpperShare: number;
  /**
   * overload_forecast is raised when the alert's curve reaches a limit on this share of the
   * transformer's within-hour patterns, and held while any still does (prewarn.ts `warns`).
   */
  prewarnProbability: number;
  /** Local dates off work and weekend dates worked (FACTS.md: the calendar is data per year). */
  holidays: string[];
  workdays: string[];
  utcOffsetMinutes: number;
  /** Quantity a transformer's device reports as measured ambient (a regression feature); empty: none. */
  ambientQuantity: string;
}

const localDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', hint: 'must be a local date YYYY-MM-DD' });

/** The `forecast` section of the config file; every field has its default. */
export const FORECAST_SCHEMA = Section({
  cron: Type.String({
    minLength: 1,
    default: '7 * * * *',
    description: 'node-cron schedule (UTC) of the refresh: every hour at :07, once the hour of readings is in',
  }),
  horizon: Duration({
    min: '1h',
    max: '7d',
    default: '48h',
    description: 'forecast length from each refresh, whole hours: the rest of today and the next local day',
  }),
  history: Duration({
    min: '21d',
    max: '400d',
    default: '63d',
    description: 'stored history a refresh reads, whole days (the backtest days and two weeks before them at least)',
  }),
  models: Type.Array(OneOf(MODEL_NAMES), {
    minItems: 1,
    uniqueItems: true,
    default: [...MODEL_NAMES],
    description: 'models the daily backtest may choose from (seasonal naive is backtested anyway: the baseline)',
  }),
  // Four weeks of each weekday: enough to be robust, recent enough to follow the season.
  profileWeeks: Type.Integer({ minimum: 1, maximum: 12, default: 4 }),
  // The last four hours: enough to see a day running high by mid-morning.
  level: Duration({ min: '1h', max: '1d', default: '4h', description: 'recent hours the level is read from' }),
  training: Duration({ min: '7d', max: '365d', default: '28d', description: 'days the regression is fitted on' }),
  backtest: Duration({ min: '3d', max: '90d', default: '14d', description: 'days the model choice is backtested on' }),
  intervalLevel: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.8 }),
  prewarnHorizon: Duration({
    min: '1h',
    max: '7d',
    default: '24h',
    description: 'overload_forecast looks this far ahead (at most the horizon)',
  }),
  prewarnUpperShare: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.1,
    description: "the alert's curve: the point forecast (0) to the interval's upper bound (1)",
  }),
  prewarnProbability: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.5,
    description:
      "share of the transformer's within-hour patterns on which the alert's curve must reach a limit to raise overload_forecast",
  }),
  prewarnQuantile: Type.Number({
    minimum: 0.5,
    exclusiveMaximum: 1,
    default: 0.9,
    description:
      'quantile of the intra-day backtest actual/forecast the upper curve is at (cloud/src/forecast/README.md)',
  }),
  holidays: Type.Array(localDate, { default: [] }),
  workdays: Type.Array(localDate, { default: [] }),
  utcOffsetMinutes: Type.Integer({ minimum: -720, maximum: 840, default: 480 }),
  ambientQuantity: Type.String({ pattern: '^[a-z0-9_]*$', hint: 'must be a quantity name like t4_c', default: '' }),
});

export type ForecastFileSettings = Static<typeof FORECAST_SCHEMA>;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The forecast settings from the `forecast` section (`raw`, placed at `forecast` in
 * `source`), defaults filled in; a ConfigError naming `file:line:col: forecast.<field>`
 * for every problem otherwise. `raw` is copied, never changed.
 */
export function forecastSettingsOf(
  raw: unknown,
  source: ConfigSource = ConfigSource.fromData({ forecast: raw }, 'forecast settings'),
): ForecastSettings {
  const { fields: f, check } = readSection(FORECAST_SCHEMA, raw, source, ['forecast']);
  check.cron('cron', f.cron, '7 * * * *');
  const horizonHours = check.whole('horizon', f.horizon, HOUR_MS, 'hours');
  const historyDays = check.whole('history', f.history, DAY_MS, 'days');
  const levelHours = check.whole('level', f.level, HOUR_MS, 'hours');
  const trainDays = check.whole('training', f.training, DAY_MS, 'days');
  const backtestDays = check.whole('backtest', f.backtest, DAY_MS, 'days');
  const prewarnHorizonMinutes = check.whole('prewarnHorizon', f.prewarnHorizon, 60_000, 'minutes');
  if (historyDays < backtestDays + 14)
    check.add(['history'], `must cover the backtest (${f.backtest}) and two weeks before it`);
  if (prewarnHorizonMinutes > horizonHours * 60)
    check.add(['prewarnHorizon'], `must not be longer than horizon (${f.horizon})`);
  check.throwIfAny();
  return {
    cron: f.cron,
    horizonHours,
    historyDays,
    models: f.models,
    profileWeeks: f.profileWeeks,
    levelHours,
    trainDays,
    backtestDays,
    intervalLevel: f.intervalLevel,
    prewarnHorizonMinutes,
    prewarnUpperShare: f.prewarnUpperShare,
    prewarnProbability: f.prewarnProbability,
    prewarnQuantile: f.prewarnQuantile,
    holidays: f.holidays,
    workdays: f.workdays,
    utcOffsetMinutes: f.utcOffsetMinutes,
    ambientQuantity: f.ambientQuantity,
  };
}

/** The settings when the config file has no `forecast` section. */
export const DEFAULT_FORECAST_SETTINGS: ForecastSettings = forecastSettingsOf({});
