/**
 * The energy balance of one transformer area over one period (FACTS.md "Transformer-area
 * line loss"): supplied = the transformer meter's import − its export + the export of the
 * area's customers with generation; sold = the customers' import; loss = supplied − sold;
 * rate = loss / supplied × 100 %. Coverage is the share of the area's meters with complete
 * readings; a day below the coverage floor is reported but not judged.
 */
import type { MeterDay } from './meter-day.js';
import type { LossBand } from './settings.js';

export type MeterRole = 'supply' | 'customer';

export interface AreaMeter {
  device: string;
  role: MeterRole;
  customer: string | null;
}

export interface AreaMeterDay extends AreaMeter, MeterDay {}

export const LOSS_STATUSES = ['normal', 'high', 'negative', 'low', 'low_coverage', 'no_supply'] as const;
/** `negative`: below zero (负损); `low`: at or above zero but under a band whose floor is above zero. */
export type LossStatus = (typeof LOSS_STATUSES)[number];

export interface AreaBalance {
  suppliedKwh: number;
  soldKwh: number;
  lossKwh: number;
  /** Null when nothing was supplied. */
  ratePct: number | null;
  /** 0..1. */
  coverage: number;
  band: LossBand;
  status: LossStatus;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function areaBalance(meters: AreaMeterDay[], band: LossBand, minCoverage: number): AreaBalance {
  let supplied = 0;
  let sold = 0;
  for (const m of meters) {
    if (m.role === 'supply') supplied += m.importKwh - m.exportKwh;
    else {
      sold += m.importKwh;
      supplied += m.exportKwh;
    }
  }
  const coverage = meters.length === 0 ? 0 : meters.filter((m) => m.complete).length / meters.length;
  const hasSupply = meters.some((m) => m.role === 'supply' && m.complete);
  const loss = supplied - sold;
  const ratePct = supplied > 0 ? (loss / supplied) * 100 : null;
  let status: LossStatus;
  if (!hasSupply || ratePct === null) status = 'no_supply';
  else if (coverage < minCoverage) status = 'low_coverage';
  else if (ratePct < 0) status = 'negative';
  else if (ratePct < band.lowPct) status = 'low';
  else if (ratePct > band.highPct) status = 'high';
  else status = 'normal';
  return {
    suppliedKwh: round(supplied),
    soldKwh: round(sold),
    lossKwh: round(loss),
    ratePct: ratePct === null ? null : round(ratePct, 4),
    coverage: round(coverage, 4),
    band,
    status,
  };
}

/** Out of band, with enough coverage to say so. */
export function isAbnormal(status: LossStatus): boolean {
  return status === 'high' || status === 'negative' || status === 'low';
}
