/** Hand-drawn SVG line charts: series against time, with optional reference lines and a marker. */
import { svg } from './dom.js';
import { fmtShort } from './time.js';

export interface Line {
  label: string;
  points: Array<[number, number]>;
  colour: string;
}

export interface Reference {
  label: string;
  value: number;
  colour: string;
  dash?: string;
}

export interface ChartOptions {
  lines: Line[];
  references?: Reference[];
  /** A vertical marker (e.g. when the alert opened). */
  marker?: { at: number; label: string };
  unit: string;
  zone: string;
  /** Marks the highest point of the first line (the maximum demand). */
  peak?: boolean;
  width?: number;
  height?: number;
  className?: string;
}

const PALETTE = ['#0550ae', '#cf222e', '#1a7f37', '#8250df', '#9a6700', '#bf3989'];
export const colour = (i: number) => PALETTE[i % PALETTE.length] as string;

export function lineChart(options: ChartOptions): SVGElement {
  const width = options.width ?? 760;
  const height = options.height ?? 280;
  const pad = { left: 60, right: 20, top: 24, bottom: 40 };
  const all = options.lines.flatMap((l) => l.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    class: options.className ?? 'chart',
  });
  if (!all.length) {
    root.appendChild(svg('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty' }, '—'));
    return root;
  }
  const refs = options.references ?? [];
  let t0 = Math.min(...all.map((p) => p[0]));
  let t1 = Math.max(...all.map((p) => p[0]));
  if (options.marker) {
    t0 = Math.min(t0, options.marker.at);
    t1 = Math.max(t1, options.marker.at);
  }
  if (t1 <= t0) t1 = t0 + 60_000;
  const values = [...all.map((p) => p[1]), ...refs.map((r) => r.value)];
  let yMin = Math.min(0, ...values);
  let yMax = Math.max(...values);
  if (yMax <= yMin) yMax = yMin + 1;
  yMax = niceCeil(yMax * 1.08);
  if (yMin < 0) yMin = -niceCeil(-yMin * 1.08);
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - (v - yMin) / (yMax - yMin)) * (height - pad.top - pad.bottom);
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    root.appendChild(svg('line', { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.appendChild(svg('text', { x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, round(v)));
  }
  for (let i = 0; i <= 4; i++) {
    const t = t0 + ((t1 - t0) * i) / 4;
    root.appendChild(
      svg(
        'text',
        { x: x(t), y: height - 14, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'axis' },
        fmtShort(t, options.zone),
      ),
    );
  }
  root.appendChild(svg('text', { x: 8, y: 14, class: 'axis' }, options.unit));
  refs.forEach((ref, i) => {
    root.appendChild(
      svg('line', {
        x1: pad.left,
        x2: width - pad.right,
        y1: y(ref.value),
        y2: y(ref.value),
        stroke: ref.colour,
        'stroke-dasharray': ref.dash ?? '6 4',
        class: 'reference',
      }),
    );
    // Close lines (contract and 105 %) get their labels at opposite ends so they never overlap.
    const right = i % 2 === 0;
    root.appendChild(
      svg(
        'text',
        {
          x: right ? width - pad.right : pad.left + 4,
          y: y(ref.value) + (right ? 14 : -4),
          'text-anchor': right ? 'end' : 'start',
          fill: ref.colour,
          class: 'axis',
        },
        `${ref.label} ${round(ref.value)}`,
      ),
    );
  });
  if (options.marker) {
    root.appendChild(
      svg('line', {
        x1: x(options.marker.at),
        x2: x(options.marker.at),
        y1: pad.top,
        y2: height - pad.bottom,
        class: 'marker',
      }),
    );
    const nearRight = x(options.marker.at) > width * 0.8;
    root.appendChild(
      svg(
        'text',
        {
          x: x(options.marker.at) + (nearRight ? -4 : 4),
          y: pad.top + 10,
          'text-anchor': nearRight ? 'end' : 'start',
          class: 'axis marker-label',
        },
        options.marker.label,
      ),
    );
  }
  options.lines.forEach((line, i) => {
    const pts = line.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b)).sort((a, b) => a[0] - b[0]);
    if (!pts.length) return;
    const d = pts.map(([t, v], j) => `${j ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
    root.appendChild(
      svg('path', {
        d,
        stroke: line.colour,
        fill: 'none',
        'stroke-width': 1.6,
        class: 'series',
        'data-label': line.label,
      }),
    );
    if (options.peak && i === 0) {
      const top = pts.reduce((a, b) => (b[1] > a[1] ? b : a));
      root.appendChild(
        svg(
          'circle',
          { cx: x(top[0]), cy: y(top[1]), r: 4, fill: '#cf222e', class: 'peak' },
          svg('title', {}, `${line.label} ${round(top[1])}`),
        ),
      );
      root.appendChild(
        svg('text', { x: x(top[0]) + 6, y: y(top[1]) - 6, class: 'axis peak-label', fill: '#cf222e' }, round(top[1])),
      );
    }
    root.appendChild(svg('rect', { x: pad.left + 8 + i * 110, y: 4, width: 10, height: 10, fill: line.colour }));
    root.appendChild(svg('text', { x: pad.left + 22 + i * 110, y: 13, class: 'axis' }, line.label));
  });
  return root;
}

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
