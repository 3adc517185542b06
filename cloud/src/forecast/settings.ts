/** Forecast settings and their defaults. */
import type { ForecasterOptions } from './forecaster.js';

export interface ForecastSettings extends ForecasterOptions {
  /** node-cron expression (UTC) of the refresh: every hour, a few minutes past, once the hour's readings are in. */
  cron: string;
  /** Hours forecast from each refresh (covers the rest of today and the next local day). */
  horizonHours: number;
  /** Days of stored history a refresh reads. */
  historyDays: number;
  /** `overload_forecast` looks this far ahead, minutes. */
  prewarnHorizonMinutes: number;
  /** Curve run through the thermal model: the point forecast (0) to the interval's upper bound (1). */
  prewarnUpperShare: number;
  /** Local dates off work and weekend dates worked (FACTS.md: the calendar is data per year). */
  holidays: string[];
  workdays: string[];
  utcOffsetMinutes: number;
  /** Quantity a transformer's device reports as measured ambient (a regression feature); empty: none. */
  ambientQuantity: string;
}

export const DEFAULT_FORECAST_SETTINGS: ForecastSettings = {
  cron: '7 * * * *',
  horizonHours: 48,
  historyDays: 63,
  // Four weeks of each weekday: enough to be robust, recent enough to follow the season.
  profileWeeks: 4,
  // The last four hours: enough to see a day running high by mid-morning.
  levelHours: 4,
  trainDays: 28,
  backtestDays: 14,
  intervalLevel: 0.8,
  prewarnHorizonMinutes: 24 * 60,
  prewarnUpperShare: 0.2,
  holidays: [],
  workdays: [],
  utcOffsetMinutes: 480,
  ambientQuantity: '',
};

export function parseForecastSettings(raw: Partial<ForecastSettings> | undefined): ForecastSettings {
  const s = { ...DEFAULT_FORECAST_SETTINGS, ...(raw ?? {}) };
  const fail = (field: string, why: string) => {
    throw new Error(`forecast.${field}: ${why}`);
  };
  const whole = (field: keyof ForecastSettings, min: number) => {
    const v = s[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      fail(field, `must be a whole number of at least ${min}`);
  };
  whole('horizonHours', 1);
  whole('historyDays', 21);
  whole('profileWeeks', 1);
  whole('levelHours', 1);
  whole('trainDays', 7);
  whole('backtestDays', 3);
  whole('prewarnHorizonMinutes', 60);
  if (!(s.intervalLevel > 0 && s.intervalLevel < 1)) fail('intervalLevel', 'must be between 0 and 1');
  if (s.historyDays < s.backtestDays + 14)
    fail('historyDays', 'must cover the backtest days and two weeks before them');
  if (!(s.prewarnUpperShare >= 0 && s.prewarnUpperShare <= 1)) fail('prewarnUpperShare', 'must be from 0 to 1');
  return s;
}
