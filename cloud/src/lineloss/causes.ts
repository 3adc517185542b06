/**
 * Why an area's loss is out of band: the likely cause class and the signal that points
 * at it (FACTS.md "Transformer-area line loss": causes are not only theft). Checked in
 * this order, each a plainer explanation than the next:
 *
 * 1. estimated_reads: readings served from a device cache (估抄) on the abnormal days;
 * 2. meter_fault: a meter with gaps, or a counter stuck for `stuckHours` on a meter that
 *    usually consumes, on the abnormal days;
 * 3. mapping_error: the area's meter set changed shortly before or during the run (a
 *    registry change of the customer-to-transformer mapping, 户变关系), or the loss is negative;
 * 4. theft: high loss with a customer whose consumption falls as the loss rises: its
 *    fall explains at least `theftMinExplainedShare` of the excess loss, or its daily
 *    consumption correlates with the daily loss at or below `theftMaxCorrelation`
 *    (FACTS.md cites correlation/Granger attribution);
 * 5. unknown.
 *
 * The ranked candidates (rankCandidates) are given whatever the class:
 * they are the audit leads.
 */
import type { AreaDay } from './area-day.js';
import type { LineLossSettings } from './settings.js';

export interface Candidate {
  customer: string;
  device: string;
  /** Share of the run's excess loss (kWh above its typical level) that the customer's fall in consumption explains. */
  explainedShare: number;
  /** Pearson correlation of the customer's daily import with the area's daily loss (kWh) over the window. */
  correlation: number | null;
  /** Change of the customer's consumption in the run against its typical days of the same kind, %. */
  changePct: number | null;
}

export const LOSS_CAUSES = ['estimated_reads', 'meter_fault', 'mapping_error', 'theft', 'unknown'] as const;
export type LossCause = (typeof LOSS_CAUSES)[number];

export interface CauseFinding {
  cause: LossCause;
  /** The figures behind the class (which meters, which change, which customer). */
  signal: Record<string, unknown>;
  candidates: Candidate[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? 0 : s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length < 3 || xs.length !== ys.length) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

const weekendOf = (d: AreaDay) => {
  const dow = new Date(`${d.day}T00:00:00Z`).getUTCDay();
  return dow === 0 || dow === 6;
};

/**
 * Customers of the latest run day ranked by how much of the run's excess loss their
 * missing consumption explains: for each run day, the customer's typical consumption on
 * days of the same kind (weekday or weekend) before the run, less what it consumed; summed
 * over the run, over the loss above its typical level. A thief who bypasses part of its
 * load explains about all of it; others about none. The correlation of daily consumption
 * with daily loss over the window is given beside it.
 */
export function rankCandidates(history: AreaDay[], run: AreaDay[], limit: number): Candidate[] {
  const judged = (d: AreaDay) => d.status !== 'low_coverage' && d.status !== 'no_supply';
  const before = history.filter(judged);
  const latest = run[run.length - 1];
  if (!latest) return [];
  const typicalLoss = (weekend: boolean) =>
    median(before.filter((d) => weekendOf(d) === weekend).map((d) => d.lossKwh));
  const excess = run.reduce((a, d) => a + d.lossKwh - typicalLoss(weekendOf(d)), 0);
  const out: Candidate[] = [];
  for (const m of latest.meters) {
    if (m.role !== 'customer' || !m.customer) continue;
    const own = (d: AreaDay) => d.meters.find((x) => x.device === m.device && x.complete);
    const xs: number[] = [];
    const ys: number[] = [];
    for (const d of [...before, ...run.filter(judged)]) {
      const x = own(d);
      if (!x) continue;
      xs.push(x.importKwh);
      ys.push(d.lossKwh);
    }
    const typical = (weekend: boolean) =>
      median(before.filter((d) => weekendOf(d) === weekend).flatMap((d) => own(d)?.importKwh ?? []));
    let deficit = 0;
    let during = 0;
    let base = 0;
    for (const d of run) {
      const x = own(d);
      if (!x) continue;
      deficit += typical(weekendOf(d)) - x.importKwh;
      during += x.importKwh;
      base += typical(weekendOf(d));
    }
    const r = pearson(xs, ys);
    out.push({
      customer: m.customer,
      device: m.device,
      explainedShare: excess > 0 ? round(deficit / excess) : 0,
      correlation: r === null ? null : round(r),
      changePct: base > 0 ? round(((during - base) / base) * 100, 1) : null,
    });
  }
  return out.sort((a, b) => b.explainedShare - a.explainedShare).slice(0, limit);
}

/** Meters whose counters stuck or whose readings had gaps on the run's days. */
function faultyMeters(history: AreaDay[], run: AreaDay[], s: LineLossSettings): Array<Record<string, unknown>> {
  const found = new Map<string, Record<string, unknown>>();
  for (const d of run) {
    for (const m of d.meters) {
      const typical = median(
        history.flatMap((h) => h.meters.filter((x) => x.device === m.device && x.complete).map((x) => x.importKwh)),
      );
      const stuck = m.flatHours >= s.stuckHours && typical >= s.stuckMinDailyKwh;
      if (!stuck && m.complete) continue;
      const seen = found.get(m.device);
      if (seen) continue;
      found.set(m.device, {
        device: m.device,
        customer: m.customer,
        day: d.day,
        kind: stuck ? 'stuck' : 'gaps',
        flatHours: round(m.flatHours, 2),
        longestGapMin: round(m.longestGapMin, 1),
        typicalDailyKwh: round(typical),
      });
    }
  }
  return [...found.values()];
}

/** Changes of the area's meter set from one stored day to the next, within the lookback. */
function meterSetChanges(history: AreaDay[], run: AreaDay[], s: LineLossSettings): Array<Record<string, unknown>> {
  const days = [...history, ...run];
  const runStart = run[0]?.dayStart ?? 0;
  const since = runStart - s.mappingLookbackDays * 86_400_000;
  const changes: Array<Record<string, unknown>> = [];
  for (let i = 1; i < days.length; i++) {
    const prev = days[i - 1] as AreaDay;
    const cur = days[i] as AreaDay;
    if (cur.dayStart < since) continue;
    const before = new Set(prev.meters.map((m) => m.device));
    const after = new Set(cur.meters.map((m) => m.device));
    const added = [...after].filter((x) => !before.has(x));
    const removed = [...before].filter((x) => !after.has(x));
    if (added.length > 0 || removed.length > 0) changes.push({ day: cur.day, added, removed });
  }
  return changes;
}

export function classifyCause(history: AreaDay[], run: AreaDay[], s: LineLossSettings): CauseFinding {
  const candidates = rankCandidates(history, run, s.candidates);
  const estimated = run.flatMap((d) =>
    d.meters
      .filter((m) => m.estimatedReads > 0)
      .map((m) => ({ device: m.device, day: d.day, reads: m.estimatedReads })),
  );
  if (estimated.length > 0) return { cause: 'estimated_reads', signal: { estimated }, candidates };
  const faulty = faultyMeters(history, run, s);
  if (faulty.length > 0) return { cause: 'meter_fault', signal: { meters: faulty }, candidates };
  const changes = meterSetChanges(history, run, s);
  const negativeDays = run.filter((d) => d.status === 'negative').map((d) => d.day);
  if (changes.length > 0 || negativeDays.length > 0)
    return { cause: 'mapping_error', signal: { meterSetChanges: changes, negativeDays }, candidates };
  const lead = candidates[0];
  const theftLike =
    lead && (lead.explainedShare >= s.theftMinExplainedShare || (lead.correlation ?? 0) <= s.theftMaxCorrelation);
  if (run.some((d) => d.status === 'high') && theftLike) return { cause: 'theft', signal: { lead }, candidates };
  return { cause: 'unknown', signal: {}, candidates };
}
