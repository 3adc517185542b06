/** Local calendar days (the area's UTC offset) as [start, end) in UTC ms, and their names. */
import { localClock } from '../detector-kit/local-clock.js';
const DAY_MS = 86_400_000;

/** Start (UTC ms) of the local day that contains `ts`. */
export function localDayStart(ts: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  return Math.floor((ts + offset) / DAY_MS) * DAY_MS - offset;
}

/** YYYY-MM-DD of the local day that starts at `dayStart`. */
export function localDayName(dayStart: number, utcOffsetMinutes: number): string {
  return localClock(dayStart, utcOffsetMinutes).date;
}

/** YYYY-MM of the local day that starts at `dayStart`. */
export function localMonthName(dayStart: number, utcOffsetMinutes: number): string {
  return localDayName(dayStart, utcOffsetMinutes).slice(0, 7);
}

export { DAY_MS };
