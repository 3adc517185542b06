/** A month's balance of an area from its stored days: energies summed, coverage averaged over the days. */
import type { AreaDay } from './area-day.js';
import { localMonthName } from './local-day.js';

export interface AreaMonth {
  transformer: string;
  month: string;
  days: number;
  suppliedKwh: number;
  soldKwh: number;
  lossKwh: number;
  ratePct: number | null;
  /** Mean of the days' coverage (0..1). */
  coverage: number;
  /** Days that were out of band with coverage. */
  abnormalDays: number;
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function monthlyBalances(days: AreaDay[], utcOffsetMinutes: number): AreaMonth[] {
  const byMonth = new Map<string, AreaDay[]>();
  for (const d of days) {
    const key = `${d.transformer}/${localMonthName(d.dayStart, utcOffsetMinutes)}`;
    byMonth.set(key, [...(byMonth.get(key) ?? []), d]);
  }
  return [...byMonth.entries()].map(([key, group]) => {
    const supplied = group.reduce((a, d) => a + d.suppliedKwh, 0);
    const sold = group.reduce((a, d) => a + d.soldKwh, 0);
    return {
      transformer: group[0]?.transformer ?? '',
      month: key.slice(key.lastIndexOf('/') + 1),
      days: group.length,
      suppliedKwh: round(supplied),
      soldKwh: round(sold),
      lossKwh: round(supplied - sold),
      ratePct: supplied > 0 ? round(((supplied - sold) / supplied) * 100, 4) : null,
      coverage: round(group.reduce((a, d) => a + d.coverage, 0) / group.length, 4),
      abnormalDays: group.filter((d) => d.status === 'high' || d.status === 'negative' || d.status === 'low').length,
    };
  });
}
