/** Local calendar days (the area's UTC offset) as [start, end) in UTC ms, and their names. */
const DAY_MS = 86_400_000;

/** Start (UTC ms) of the local day that contains `ts`. */
export function localDayStart(ts: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  return Math.floor((ts + offset) / DAY_MS) * DAY_MS - offset;
}

/** YYYY-MM-DD of the local day that starts at `dayStart`. */
export function localDayName(dayStart: number, utcOffsetMinutes: number): string {
  return new Date(dayStart + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** YYYY-MM of the local day that starts at `dayStart`. */
export function localMonthName(dayStart: number, utcOffsetMinutes: number): string {
  return localDayName(dayStart, utcOffsetMinutes).slice(0, 7);
}

export { DAY_MS };
