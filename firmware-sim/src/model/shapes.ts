/** Load shapes: how a load's level depends on the hour, the day of the week and the season. */
import type { DailyShape, MeterLoadSpec } from '../scenario/types.js';
import { hashString, normalAt } from './random.js';

/**
 * Hourly factors (local hour 0..23), each shape averaging about 1 over a day. Built from
 * the usual profiles of distribution-transformer loading: residential loads peak in the
 * evening, commercial ones in office hours, industrial ones run flat across two shifts.
 */
export const DAILY_SHAPES: Record<Exclude<DailyShape, number[]>, readonly number[]> = {
  flat: Array.from({ length: 24 }, () => 1),
  residential: [
    0.55, 0.5, 0.47, 0.45, 0.46, 0.52, 0.7, 0.9, 0.95, 0.9, 0.88, 0.95, 1.05, 1.0, 0.95, 0.95, 1.05, 1.25, 1.5, 1.6,
    1.55, 1.4, 1.1, 0.75,
  ],
  commercial: [
    0.45, 0.42, 0.4, 0.4, 0.42, 0.48, 0.65, 0.95, 1.3, 1.45, 1.5, 1.5, 1.4, 1.45, 1.5, 1.5, 1.45, 1.35, 1.1, 0.9, 0.75,
    0.65, 0.55, 0.5,
  ],
  industrial: [
    0.8, 0.78, 0.77, 0.77, 0.78, 0.82, 0.95, 1.1, 1.15, 1.18, 1.18, 1.12, 1.05, 1.15, 1.18, 1.18, 1.15, 1.1, 1.0, 0.95,
    0.92, 0.9, 0.86, 0.82,
  ],
};

const DAY_MS = 86_400_000;

/** Local time parts for a timestamp. */
export function localTime(
  ts: number,
  utcOffsetMinutes: number,
): { hour: number; weekday: number; dayOfYear: number; dayIndex: number } {
  const local = ts + utcOffsetMinutes * 60_000;
  const date = new Date(local);
  const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
  return {
    hour: (local - Math.floor(local / DAY_MS) * DAY_MS) / 3_600_000,
    weekday: date.getUTCDay(),
    dayOfYear: Math.floor((local - startOfYear) / DAY_MS) + 1,
    dayIndex: Math.floor(local / DAY_MS),
  };
}

/** The hourly factor at a fractional hour, linearly interpolated (hour 23 wraps to hour 0). */
export function dailyFactor(shape: DailyShape, hour: number): number {
  const table = typeof shape === 'string' ? DAILY_SHAPES[shape] : shape;
  const h = Math.floor(hour) % 24;
  const frac = hour - Math.floor(hour);
  const a = table[h]!;
  const b = table[(h + 1) % 24]!;
  return a + (b - a) * frac;
}

/**
 * The load's level at `ts` relative to `baseKva`, before noise and events: daily shape ×
 * weekday/weekend × season × a day-to-day level drawn per device and day.
 */
export function shapeFactor(
  load: MeterLoadSpec,
  ts: number,
  utcOffsetMinutes: number,
  seed: number,
  deviceId: string,
): number {
  const t = localTime(ts, utcOffsetMinutes);
  const weekend = t.weekday === 0 || t.weekday === 6 ? load.weekendFactor : 1;
  const season = 1 + load.seasonalAmplitude * Math.cos((2 * Math.PI * (t.dayOfYear - load.seasonalPeakDay)) / 365.25);
  const dayLevel =
    load.dailyVariation === 0
      ? 1
      : Math.max(0.2, 1 + load.dailyVariation * normalAt(seed, hashString(`${deviceId}/day`), t.dayIndex));
  return dailyFactor(load.daily, t.hour) * weekend * season * dayLevel;
}
