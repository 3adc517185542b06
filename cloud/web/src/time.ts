/** Times are stored in UTC; people read them in the site's zone (default Asia/Shanghai). */
import { lang } from './i18n.js';
import { session } from './session.js';

export function zoneOf(site: string | null | undefined): string {
  const s = session();
  return (site && s?.siteTimeZones[site]) || s?.timeZone || 'Asia/Shanghai';
}

export function fmtTime(ms: number | null | undefined, site?: string | null): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: zoneOf(site),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

export function fmtShort(ms: number, zone: string): string {
  return new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: zone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
