/**
 * Map of sites (#/map): where the transformers stand (lat/lon from the registry), drawn
 * offline as SVG (no tile server): each area's outline around its sites, a marker per
 * transformer coloured by its worst open alert (its own, its devices' and its
 * customers'), a click to its page; the same as a table, with the transformers that have
 * no position yet.
 */
import type { AlertRecord, Device, Page, Severity, Transformer } from '@gridsafe/shared';
import { api } from '../api.js';
import { h, svg } from '../dom.js';
import { t, tv } from '../i18n.js';

const RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };
const MARKER_COLOURS: Record<Severity | 'none', string> = {
  critical: '#cf222e',
  warning: '#bf8700',
  info: '#0969da',
  none: '#1a7f37',
};
const AREA_COLOURS = ['#0550ae', '#8250df', '#1a7f37', '#9a6700', '#bf3989', '#cf222e'];

type Placed = Transformer & { lat: number; lon: number };

/** Worst open alert per transformer: alerts on it, on its devices, on its devices' customers. */
function worstByTransformer(alerts: AlertRecord[], devices: Device[]): Map<string, Severity> {
  const owner = new Map<string, string[]>();
  const add = (subject: string, transformer: string) =>
    owner.set(subject, [...(owner.get(subject) ?? []), transformer]);
  for (const device of devices) {
    if (!device.transformer) continue;
    add(device.id, device.transformer);
    if (device.customer) add(device.customer, device.transformer);
  }
  const worst = new Map<string, Severity>();
  for (const alert of alerts) {
    for (const transformer of owner.get(alert.subject) ?? [alert.subject]) {
      const known = worst.get(transformer);
      if (!known || RANK[alert.severity] > RANK[known]) worst.set(transformer, alert.severity);
    }
  }
  return worst;
}

/** The convex hull of points (Andrew's monotone chain), for an area's outline. */
function hull(points: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (sorted.length < 3) return sorted;
  const cross = (o: [number, number], a: [number, number], b: [number, number]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const chain = (list: Array<[number, number]>) => {
    const out: Array<[number, number]> = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...chain(sorted), ...chain([...sorted].reverse())];
}

function drawMap(placed: Placed[], worst: Map<string, Severity>): SVGElement {
  const WIDTH = 800;
  const HEIGHT = 500;
  const PAD = 60;
  const lat0 = placed.reduce((sum, p) => sum + p.lat, 0) / placed.length;
  // Equirectangular, east-west shrunk by the cosine of the mean latitude: true enough for a district.
  const xs = placed.map((p) => p.lon * Math.cos((lat0 * Math.PI) / 180));
  const ys = placed.map((p) => -p.lat);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = Math.min((WIDTH - 2 * PAD) / (maxX - minX || 1e-9), (HEIGHT - 2 * PAD) / (maxY - minY || 1e-9));
  const at = (i: number): [number, number] => [
    WIDTH / 2 + (xs[i]! - (minX + maxX) / 2) * scale,
    HEIGHT / 2 + (ys[i]! - (minY + maxY) / 2) * scale,
  ];
  const map = svg('svg', {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: 'site-map',
    id: 'site-map',
    role: 'img',
    'aria-label': t('map'),
  });
  const areas = [...new Set(placed.map((p) => p.area ?? '—'))].sort();
  areas.forEach((area, n) => {
    const points = placed.flatMap((p, i) => ((p.area ?? '—') === area ? [at(i)] : []));
    const outline = hull(points);
    const colour = AREA_COLOURS[n % AREA_COLOURS.length]!;
    // A thick round stroke around the hull pads the outline, whatever its number of sites.
    map.append(
      svg('path', {
        class: 'area-outline',
        'data-area': area,
        // M…L…Z even for one site (a zero-length path): its round cap draws the blob.
        d: `${outline.map(([x, y], i) => `${i ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}${outline.length > 1 ? ' Z' : ` L${outline[0]![0].toFixed(1)},${outline[0]![1].toFixed(1)}`}`,
        fill: colour,
        'fill-opacity': 0.08,
        stroke: colour,
        'stroke-opacity': 0.2,
        'stroke-width': 90,
        'stroke-linejoin': 'round',
        'stroke-linecap': 'round',
      }),
    );
    const [lx, ly] = outline.reduce(([sx, sy], [x, y]) => [sx + x / outline.length, sy + y / outline.length], [0, 0]);
    map.append(svg('text', { x: lx, y: ly - 40, class: 'area-label', fill: colour, 'text-anchor': 'middle' }, area));
  });
  placed.forEach((p, i) => {
    const [x, y] = at(i);
    const severity = worst.get(p.id);
    const link = svg(
      'a',
      { href: `#/transformer/${encodeURIComponent(p.id)}`, class: 'site-marker', 'data-transformer': p.id },
      svg('circle', {
        cx: x,
        cy: y,
        r: 10,
        fill: MARKER_COLOURS[severity ?? 'none'],
        stroke: '#fff',
        'stroke-width': 2,
        'data-severity': severity ?? 'none',
      }),
      svg('text', { x, y: y + 26, 'text-anchor': 'middle', class: 'marker-label' }, p.id),
      svg('title', {}, `${p.id} — ${p.site}${severity ? ` (${tv(severity)})` : ''}`),
    );
    map.append(link);
  });
  return map;
}

export function renderMap(root: HTMLElement): void {
  const error = h('p', { class: 'error', role: 'alert' });
  root.append(h('h1', {}, t('map')), error);
  void (async () => {
    try {
      const [transformers, devices, alerts] = await Promise.all([
        api<Page<Transformer>>('GET', '/api/v1/transformers?limit=1000'),
        api<Page<Device>>('GET', '/api/v1/devices?limit=1000'),
        api<Page<AlertRecord>>('GET', '/api/v1/alerts?state=active&limit=1000'),
      ]);
      const worst = worstByTransformer(alerts.items, devices.items);
      const placed = transformers.items.filter((tx): tx is Placed => tx.lat !== undefined && tx.lon !== undefined);
      const legend = h(
        'p',
        { class: 'map-legend muted' },
        ...(['critical', 'warning', 'info', 'none'] as const).map((s) =>
          h('span', {}, h('span', { class: `dot sev-${s}` }), ` ${s === 'none' ? t('noOpenAlerts') : tv(s)} `),
        ),
      );
      root.append(
        placed.length
          ? h('div', { class: 'panel map-box' }, drawMap(placed, worst), legend)
          : h('p', { class: 'muted' }, t('noPositions')),
        h(
          'table',
          { class: 'log', id: 'site-table' },
          h(
            'tr',
            {},
            h('th', {}, t('transformer')),
            h('th', {}, t('site')),
            h('th', {}, t('area')),
            h('th', {}, t('severity')),
          ),
          ...transformers.items.map((tx) =>
            h(
              'tr',
              { 'data-transformer': tx.id },
              h('td', {}, h('a', { href: `#/transformer/${encodeURIComponent(tx.id)}` }, tx.id)),
              h(
                'td',
                {},
                tx.site,
                tx.lat === undefined ? h('span', { class: 'muted' }, ` (${t('noPosition')})`) : null,
              ),
              h('td', {}, tx.area ?? '—'),
              h('td', {}, worst.has(tx.id) ? tv(worst.get(tx.id)) : t('noOpenAlerts')),
            ),
          ),
        ),
      );
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  })();
}
