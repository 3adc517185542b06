/**
 * Server-drawn SVG of a customer's demand against the contract capacity, for the printable
 * case report (the console draws the same picture in the browser). No external assets.
 */
import { esc } from './html.js';

export interface DemandChartInput {
  series: Array<[number, number]>;
  contractKva: number;
  /** Optional second reference line, e.g. 105 % of contract (633号). */
  thresholdKva?: number;
  width?: number;
  height?: number;
  /** Formats a time for the axis (the caller knows the site's time zone). */
  formatTime: (ms: number) => string;
}

/** Keeps the shape and, above all, the peak when a long series is drawn in few pixels. */
export function downsampleMinMax(series: Array<[number, number]>, buckets: number): Array<[number, number]> {
  if (series.length <= buckets * 2) return series;
  const out: Array<[number, number]> = [];
  const size = series.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const slice = series.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (!slice.length) continue;
    let lo = slice[0]!;
    let hi = slice[0]!;
    for (const point of slice) {
      if (point[1] < lo[1]) lo = point;
      if (point[1] > hi[1]) hi = point;
    }
    if (lo[0] <= hi[0]) out.push(lo, hi);
    else out.push(hi, lo);
  }
  return out;
}

export function renderDemandChart(input: DemandChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 260;
  const pad = { left: 56, right: 16, top: 16, bottom: 36 };
  const series = downsampleMinMax(
    input.series.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v)).sort((a, b) => a[0] - b[0]),
    Math.floor((width - pad.left - pad.right) / 2),
  );
  if (!series.length) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="no demand data"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">No demand series / 无需量数据</text></svg>`;
  }
  const t0 = series[0]![0];
  const t1 = Math.max(series[series.length - 1]![0], t0 + 1);
  const peak = Math.max(...series.map((p) => p[1]), input.contractKva, input.thresholdKva ?? 0);
  const yMax = niceCeil(peak * 1.1);
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - v / yMax) * (height - pad.top - pad.bottom);
  const path = series.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  const grid = ticks
    .map(
      (v) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/><text x="${pad.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="11">${esc(round(v))}</text>`,
    )
    .join('');
  const ref = (v: number, colour: string, label: string, dash: string) =>
    `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="${dash}"/><text x="${width - pad.right}" y="${(y(v) - 4).toFixed(1)}" text-anchor="end" font-size="11" fill="${colour}">${esc(label)}</text>`;
  const maxPoint = series.reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="demand against contract capacity" class="demand-chart">`,
    grid,
    `<text x="12" y="${pad.top + 4}" font-size="11">kW</text>`,
    `<text x="${pad.left}" y="${height - 10}" font-size="11">${esc(input.formatTime(t0))}</text>`,
    `<text x="${width - pad.right}" y="${height - 10}" font-size="11" text-anchor="end">${esc(input.formatTime(t1))}</text>`,
    ref(input.contractKva, '#1a7f37', `contract 合同容量 ${round(input.contractKva)} kVA`, '6 4'),
    input.thresholdKva !== undefined
      ? ref(input.thresholdKva, '#9a6700', `105 % ${round(input.thresholdKva)}`, '2 3')
      : '',
    `<path d="${path}" fill="none" stroke="#0550ae" stroke-width="1.5" class="demand-line"/>`,
    `<circle cx="${x(maxPoint[0]).toFixed(1)}" cy="${y(maxPoint[1]).toFixed(1)}" r="4" fill="#cf222e"><title>max ${round(maxPoint[1])} kW</title></circle>`,
    '</svg>',
  ].join('');
}

function round(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

/** Rounds an axis maximum up to 1, 2 or 5 times a power of ten. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
