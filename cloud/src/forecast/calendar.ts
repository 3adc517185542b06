/**
 * Day types for forecasting (FACTS.md "China's working calendar"): a rest day is a weekend
 * day not made a working day, or a public holiday; holidays and adjusted working days
 * (调休) move every year, so they are data (`holidays`, `workdays`: local dates).
 */
import { localClock } from '../detector-kit/local-clock.js';
export interface WorkCalendar {
  holidays: ReadonlySet<string>;
  workdays: ReadonlySet<string>;
  utcOffsetMinutes: number;
}

export function calendarOf(holidays: string[], workdays: string[], utcOffsetMinutes: number): WorkCalendar {
  for (const d of [...holidays, ...workdays])
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`forecast calendar: "${d}" is not a date YYYY-MM-DD`);
  return { holidays: new Set(holidays), workdays: new Set(workdays), utcOffsetMinutes };
}

export interface DayKey {
  /** Local hour 0..23. */
  hour: number;
  rest: boolean;
  /** Weekday 0..6 on an ordinary day; -1 on a calendar exception (holiday or adjusted working day). */
  weekday: number;
}

export function dayKey(ts: number, cal: WorkCalendar): DayKey {
  const { date, dow, hour } = localClock(ts, cal.utcOffsetMinutes);
  if (cal.holidays.has(date)) return { hour, rest: true, weekday: -1 };
  if (cal.workdays.has(date)) return { hour, rest: false, weekday: -1 };
  return { hour, rest: dow === 0 || dow === 6, weekday: dow };
}
