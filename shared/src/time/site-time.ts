/**
 * Site-local time, the one formatter of every gridsafe time people read: stored times
 * are UTC ms; people read them in the site's IANA time zone (China: Asia/Shanghai), as
 * `2026-01-06 08:00:00` in every language, optionally with the zone's offset at that
 * instant (`2026-01-06 08:00:00 +08:00`). The cloud's reports and CSV files use it, and
 * the console loads this same file (served as /console/assets/vendor/site-time.js, from the
 * package's `@gridsafe/shared/time/site-time.js` export), so
 * it imports nothing.
 */

export interface SiteTimeFormat {
  /** `second` (the default): 2026-01-06 08:00:05; `minute`: 2026-01-06 08:00. */
  precision?: 'second' | 'minute';
  /** false leaves the year out, for chart ticks: 01-06 08:00. */
  withYear?: boolean;
  /** Appends the zone's offset from UTC at that instant: 2026-01-06 08:00:05 +08:00. */
  withOffset?: boolean;
}

type Part = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'timeZoneName';

/** Building an Intl formatter is slow next to using one: one per zone, kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** `2026-01-06 08:00:00` in `timeZone`; an em dash for no time (null, undefined, not finite). */
export function formatSiteTime(ms: number | null | undefined, timeZone: string, format: SiteTimeFormat = {}): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const parts = formatterOf(timeZone).formatToParts(new Date(ms));
  const get = (type: Part) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${format.withYear === false ? '' : `${get('year')}-`}${get('month')}-${get('day')}`;
  const time = `${get('hour')}:${get('minute')}${format.precision === 'minute' ? '' : `:${get('second')}`}`;
  // longOffset reads "GMT+08:00", or "GMT" for UTC itself.
  const offset = get('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace(/^GMT/, '');
  return `${date} ${time}${format.withOffset ? ` ${offset}` : ''}`;
}

/** Whether a time-zone name is one Intl knows: checked once, at configuration time, so a typo never reaches a report. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterOf(timeZone);
    return true;
  } catch {
    return false;
  }
}
