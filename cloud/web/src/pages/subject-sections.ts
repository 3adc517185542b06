/**
 * Parts the transformer and customer pages share: the frame of a page charted over a time
 * range, a titled panel, a series from points with gaps, the subject's alerts as a table
 * with links, and the forecast band for the chosen range (none until a forecast exists).
 */
import { api, ApiError } from '../api.js';
import { alertTypeLabel } from '../alert-types.js';
import type { Band } from '../chart.js';
import { clear, h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { AlertRecord, Page } from '@gridsafe/shared';
import type { TimeRange } from './range-picker.js';
import { silenceBadge } from './silence-badge.js';

/**
 * A page built for a time range: `build` fetches and returns its parts; `reload` (with a new
 * range, or none to keep it) builds it again. Errors show above the last good content.
 */
export function rangedPage(
  root: HTMLElement,
  initial: TimeRange,
  build: (range: TimeRange, reload: (next?: TimeRange) => void) => Promise<Node[]>,
): void {
  const error = h('p', { class: 'error', role: 'alert', id: 'page-error' });
  const content = h('div', {});
  root.append(error, content);
  let range = initial;
  const reload = (next?: TimeRange) => {
    if (next) range = next;
    void load();
  };
  const load = async () => {
    try {
      const parts = await build(range, reload);
      error.textContent = '';
      clear(content);
      content.append(...parts);
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  void load();
}

/** A chart line from points that may have gaps (null): the gaps left out. */
export function pointsOf<P extends { ts: number }>(
  points: P[],
  pick: (point: P) => number | null,
): Array<[number, number]> {
  return points.flatMap((p): Array<[number, number]> => {
    const v = pick(p);
    return v === null ? [] : [[p.ts, v]];
  });
}

export function panel(id: string, title: string, ...children: Array<Node | null>): HTMLElement {
  return h('section', { class: 'panel', id }, h('h2', {}, title), ...children);
}

/** The alerts of a transformer or customer (its devices' too), silenced ones included and marked. */
export async function subjectAlerts(kind: 'transformer' | 'customer', id: string, site: string | null) {
  const page = await api<Page<AlertRecord>>(
    'GET',
    `/api/v1/alerts?${kind}=${encodeURIComponent(id)}&sort=triage&silenced=include&limit=50`,
  );
  if (!page.items.length) return h('p', { class: 'muted', id: 'subject-alerts' }, t('noAlerts'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'log', id: 'subject-alerts' },
      h('tr', {}, ...(['severity', 'type', 'subject', 'opened', 'state'] as const).map((k) => h('th', {}, t(k)))),
      ...page.items.map((a) =>
        h(
          'tr',
          { 'data-alert-id': a.id },
          h('td', {}, h('span', { class: `badge sev-${a.severity}` }, tv(a.severity))),
          h(
            'td',
            {},
            h('a', { href: `#/alert/${encodeURIComponent(a.id)}` }, alertTypeLabel(a.type)),
            silenceBadge(a, site),
          ),
          h('td', {}, a.subject),
          h('td', {}, fmtTime(a.openedAt, site)),
          h('td', {}, tv(a.state)),
        ),
      ),
    ),
  );
}

/** What the band needs of a forecast (GET /api/v1/forecasts/...): its level and each hour's interval. */
interface ForecastBandSource {
  intervalLevel: number;
  points: Array<{ ts: number; low: number; high: number }>;
}

/** The forecast's interval inside the range, as a chart band; null when there is no forecast yet. */
export async function forecastBand(
  kind: 'transformers' | 'customers',
  id: string,
  range: TimeRange,
): Promise<Band | null> {
  try {
    const forecast = await api<ForecastBandSource>('GET', `/api/v1/forecasts/${kind}/${encodeURIComponent(id)}`);
    const points = forecast.points
      .filter((p) => p.ts >= range.from && p.ts <= range.to)
      .map((p): [number, number, number] => [p.ts, p.low, p.high]);
    if (!points.length) return null;
    return { label: `${t('forecast')} ${Math.round(forecast.intervalLevel * 100)} %`, points, colour: '#8250df' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null; // no forecast yet
    throw error;
  }
}
