/** Times are stored in UTC; people read them in the site's zone (default Asia/Shanghai). */
import { session } from './session.js';
import { formatSiteTime } from './vendor/site-time.js';

export function zoneOf(site: string | null | undefined): string {
  const s = session();
  return (site && s?.siteTimeZones[site]) || s?.timeZone || 'Asia/Shanghai';
}

/** A time as people read it, in the site's zone: 2026-01-06 08:00:00 (the shared formatter's). */
export function fmtTime(ms: number | null | undefined, site?: string | null): string {
  return formatSiteTime(ms, zoneOf(site));
}

/** A chart tick: 01-06 08:00. */
export function fmtShort(ms: number, zone: string): string {
  return formatSiteTime(ms, zone, { precision: 'minute', withYear: false });
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
