/**
 * The wall clock at an instant where local time is UTC + a fixed offset (China: +480
 * minutes, no daylight saving): the date, weekday and time of day the calendar rules,
 * baselines and forecasts key on.
 */
export interface LocalClock {
  /** YYYY-MM-DD. */
  date: string;
  /** 0 (Sunday) to 6. */
  dow: number;
  hour: number;
  minute: number;
}

export function localClock(ts: number, utcOffsetMinutes: number): LocalClock {
  const local = new Date(ts + utcOffsetMinutes * 60_000);
  return {
    date: local.toISOString().slice(0, 10),
    dow: local.getUTCDay(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}
