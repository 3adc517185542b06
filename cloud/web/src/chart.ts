/**
 * The console's one chart: time series on uPlot (loaded on first use, so list pages stay
 * light). One unit per chart, so kW and kVA (or A and V) never share an axis; reference
 * lines (rating, contract, thresholds) and an interval band (forecast) drawn as series with
 * their own legend entries; a marker (when an alert opened); the peak marked; drag across
 * to pick a time range (the page's `onRange`, else zoom; double-click zooms back out).
 * Sized to its container, and redrawn when that changes (a phone turned round).
 */
import type uPlot from './vendor/uplot.js';
import { h } from './dom.js';
import { lang, t } from './i18n.js';
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
  /** Dash and gap lengths in px. */
  dash?: [number, number];
}

/** An interval (e.g. a forecast's 80 % interval) shaded between its lower and upper bounds. */
export interface Band {
  label: string;
  /** [time, lower, upper] */
  points: Array<[number, number, number]>;
  colour: string;
}

export interface ChartOptions {
  lines: Line[];
  references?: Reference[];
  band?: Band;
  /** A vertical marker (e.g. when the alert opened). */
  marker?: { at: number; label: string };
  unit: string;
  zone: string;
  /** Marks the highest point of the first line (the maximum demand), with this label before its value. */
  peak?: string;
  height?: number;
  className?: string;
  /** The time axis from and to (the page's chosen range); without it, the data's extent. */
  range?: { from: number; to: number };
  /** Called with the time range dragged across; without it a drag zooms in. */
  onRange?: (from: number, to: number) => void;
}

const PALETTE = ['#0550ae', '#cf222e', '#1a7f37', '#8250df', '#9a6700', '#bf3989'];
export const colour = (i: number) => PALETTE[i % PALETTE.length] as string;

/** Phones get a shorter chart, so the legend and the page around it still fit. */
const PHONE_WIDTH = 500;

let library: Promise<typeof uPlot> | null = null;
const loadLibrary = () => (library ??= import('./vendor/uplot.js').then((module) => module.default));

/** The chart's container at once; the plot is drawn into it when uPlot has loaded. */
export function lineChart(options: ChartOptions): HTMLElement {
  const finite = (points: Array<[number, number]>) =>
    points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const lines = options.lines.map((line) => ({ ...line, points: finite(line.points) }));
  const references = options.references ?? [];
  const box = h('div', {
    class: `chart ${options.className ?? ''}`.trim(),
    role: 'figure',
    'aria-label': `${[...lines.map((l) => l.label), ...references.map((r) => r.label)].join(', ')} (${options.unit})`,
    'data-unit': options.unit,
    'data-series': lines.map((l) => l.label).join('|'),
    'data-references': references.map((r) => `${r.label} ${round(r.value)}`).join('|'),
  });
  if (!lines.some((l) => l.points.length) && !options.band?.points.length) {
    box.append(h('p', { class: 'chart-empty muted' }, '—'));
    return box;
  }
  void loadLibrary().then(
    (UPlot) => draw(UPlot, box, lines, options),
    (error: Error) => box.append(h('p', { class: 'error' }, error.message)),
  );
  return box;
}

/** uPlot wants one time axis for all series: the union of their times (and `extra`), gaps as null. */
function align(
  columns: Array<Array<[number, number]>>,
  extra: number[],
): { xs: number[]; ys: Array<Array<number | null>> } {
  const xs = [...new Set([...columns.flatMap((points) => points.map(([x]) => x)), ...extra])].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = columns.map((points) => {
    const column: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    for (const [x, y] of points) column[index.get(x) as number] = y;
    return column;
  });
  return { xs, ys };
}

function draw(UPlot: typeof uPlot, box: HTMLElement, lines: Line[], options: ChartOptions): void {
  const references = options.references ?? [];
  const band = options.band;
  const columns: Array<Array<[number, number]>> = lines.map((l) => l.points);
  const series: uPlot.Series[] = [{ label: t('when') }];
  for (const line of lines)
    series.push({ label: line.label, stroke: line.colour, width: 1.6, spanGaps: true, points: { show: false } });
  if (band) {
    columns.push(band.points.map(([x, , upper]) => [x, upper]));
    columns.push(band.points.map(([x, lower]) => [x, lower]));
    const fill = `${band.colour}26`;
    series.push({ label: `${band.label} ↑`, stroke: fill, width: 1, spanGaps: true, points: { show: false } });
    series.push({ label: `${band.label} ↓`, stroke: fill, width: 1, spanGaps: true, points: { show: false } });
  }
  const first = lines[0];
  if (options.peak && first?.points.length) {
    const top = first.points.reduce((a, b) => (b[1] > a[1] ? b : a));
    columns.push([top]);
    series.push({
      label: `${options.peak} ${round(top[1])}`,
      stroke: '#cf222e',
      fill: '#cf222e',
      paths: () => null,
      points: { show: true, size: 9, fill: '#cf222e' },
    });
  }
  // The marker's time widens the axis, so it is always in view.
  const { xs, ys: aligned } = align(columns, options.marker ? [options.marker.at] : []);
  for (const ref of references) {
    series.push({
      label: `${ref.label} ${round(ref.value)}`,
      stroke: ref.colour,
      width: 1.5,
      dash: ref.dash ?? [6, 4],
      points: { show: false },
    });
    aligned.push(xs.map(() => ref.value));
  }
  const bandSeries = band ? lines.length + 1 : -1;
  const width = () => Math.max(200, box.clientWidth || 300);
  const height = () => (box.clientWidth < PHONE_WIDTH ? 220 : (options.height ?? 280));
  const zone = options.zone;
  const fixed = options.range;
  const opts: uPlot.Options = {
    width: width(),
    height: height(),
    ms: 1,
    tzDate: (ts) => UPlot.tzDate(new Date(ts), zone),
    series,
    ...(band ? { bands: [{ series: [bandSeries, bandSeries + 1], fill: `${band.colour}26` }] } : {}),
    scales: {
      x: fixed ? { time: true, range: (): uPlot.Range.MinMax => [fixed.from, fixed.to] } : { time: true },
    },
    axes: [
      {
        space: 90,
        values: (_u, splits) => splits.map((ms) => fmtShort(ms, zone)),
        font: '11px system-ui, sans-serif',
      },
      { label: options.unit, size: 50, font: '11px system-ui, sans-serif' },
    ],
    cursor: { drag: { x: true, y: false, setScale: !options.onRange } },
    legend: { show: true, live: true },
    hooks: {
      draw: options.marker ? [(u) => drawMarker(u, options.marker as { at: number; label: string })] : [],
      setSelect: options.onRange
        ? [
            (u) => {
              if (u.select.width < 4) return;
              const from = u.posToVal(u.select.left, 'x');
              const to = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              options.onRange?.(Math.round(from), Math.round(to));
            },
          ]
        : [],
    },
  };
  const plot = new UPlot(opts, [xs, ...aligned] as uPlot.AlignedData, box);
  box.dataset['ready'] = 'true';
  box.setAttribute('lang', lang() === 'zh' ? 'zh-CN' : 'en');
  const resize = new ResizeObserver(() => {
    if (!box.isConnected) {
      resize.disconnect();
      plot.destroy();
      return;
    }
    if (Math.abs(plot.width - width()) > 2) plot.setSize({ width: width(), height: height() });
  });
  resize.observe(box);
}

function drawMarker(u: uPlot, marker: { at: number; label: string }): void {
  const x = Math.round(u.valToPos(marker.at, 'x', true));
  const { top, height } = u.bbox;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = '#cf222e';
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  ctx.moveTo(x, top);
  ctx.lineTo(x, top + height);
  ctx.stroke();
  ctx.fillStyle = '#cf222e';
  ctx.font = `${Math.round(11 * devicePixelRatio)}px system-ui, sans-serif`;
  const right = x > u.bbox.left + u.bbox.width * 0.8;
  ctx.textAlign = right ? 'right' : 'left';
  ctx.fillText(marker.label, x + (right ? -4 : 4), top + 12 * devicePixelRatio);
  ctx.restore();
}

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}
