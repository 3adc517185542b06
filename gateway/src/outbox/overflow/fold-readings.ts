/**
 * Folding raw readings into 15-minute aggregates, the evidence a long outage must not
 * erase (FACTS.md: maximum demand is the average power over a 15-minute demand period;
 * the billing maximum demand is the month's highest).
 *
 * One aggregate per device, 15-minute window (aligned to the epoch, so to UTC quarter
 * hours) and quality, stamped with the time of the window's last reading:
 * - cumulative energy (`e_imp_kwh`, `e_exp_kwh`) and switch states (`breaker`, `do_*`,
 *   `di_*`): the last value, exact, so the energy of each interval, hence its average
 *   demand, survives to the kWh;
 * - `demand_kw`, residual current and temperatures: the maximum, so a demand peak or a
 *   hazard seen during the outage still shows;
 * - everything else (voltages, currents, powers, pf, frequency): the mean.
 * A window holding one reading folds to that very reading, so folding is idempotent.
 */
import type { Quantity, Reading, ReadingValues } from '@gridsafe/shared';
import { QUANTITY_NAMES } from '@gridsafe/shared/contract/quantities.js';

export const FOLD_WINDOW_MS = 15 * 60_000; // FACTS.md: 15-minute demand period

export type FoldRule = 'last' | 'max' | 'mean';

export function foldRuleOf(quantity: Quantity): FoldRule {
  if (quantity === 'e_imp_kwh' || quantity === 'e_exp_kwh' || quantity === 'breaker' || /^d[io]_\d$/.test(quantity))
    return 'last';
  if (quantity === 'demand_kw' || quantity === 'i_res_ma' || /^t\d_c$/.test(quantity)) return 'max';
  return 'mean';
}

/** Decimal places of a value as JSON prints it (capped), to round a mean no finer than its inputs plus one digit. */
function decimalsOf(value: number): number {
  const text = String(value);
  const exponent = /e([+-]\d+)$/.exec(text);
  const [mantissa = ''] = text.split('e');
  const fraction = mantissa.split('.')[1]?.length ?? 0;
  return Math.min(12, Math.max(0, fraction - (exponent ? Number(exponent[1]) : 0)));
}

/** Folds one window's readings (same device and quality, ascending ts) into one reading. */
export function foldWindow(readings: readonly Reading[]): Reading {
  const last = readings[readings.length - 1];
  if (!last) throw new Error('foldWindow needs at least one reading');
  if (readings.length === 1) return last;
  const values: ReadingValues = {};
  for (const quantity of QUANTITY_NAMES) {
    const series: number[] = [];
    for (const reading of readings) {
      const value = reading.values[quantity];
      if (value !== undefined) series.push(value);
    }
    if (series.length === 0) continue;
    const rule = foldRuleOf(quantity);
    if (rule === 'last') values[quantity] = series[series.length - 1] as number;
    else if (rule === 'max') values[quantity] = Math.max(...series);
    else {
      const mean = series.reduce((sum, v) => sum + v, 0) / series.length;
      const scale = 10 ** (Math.max(...series.map(decimalsOf)) + 1);
      values[quantity] = Math.round(mean * scale) / scale;
    }
  }
  return { device: last.device, ts: last.ts, values, quality: last.quality };
}

export interface FoldResult {
  /** The aggregates, ascending by ts. */
  aggregates: Reading[];
  /** Raw readings folded away (windows of two or more). */
  foldedReadings: number;
  /** Windows of two or more readings that became one. */
  windowsFolded: number;
}

/**
 * Folds the readings for which `foldable` is true, grouped by device, window and quality.
 * The caller decides which readings are in complete windows (see fold-15min.ts).
 */
export function foldReadings(readings: readonly Reading[]): FoldResult {
  const windows = new Map<string, Reading[]>();
  for (const reading of readings) {
    const key = `${reading.device}\u0000${Math.floor(reading.ts / FOLD_WINDOW_MS)}\u0000${reading.quality}`;
    let list = windows.get(key);
    if (!list) windows.set(key, (list = []));
    list.push(reading);
  }
  const aggregates: Reading[] = [];
  let foldedReadings = 0;
  let windowsFolded = 0;
  for (const list of windows.values()) {
    list.sort((a, b) => a.ts - b.ts);
    aggregates.push(foldWindow(list));
    if (list.length > 1) {
      foldedReadings += list.length;
      windowsFolded += 1;
    }
  }
  aggregates.sort((a, b) => a.ts - b.ts || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
  return { aggregates, foldedReadings, windowsFolded };
}
