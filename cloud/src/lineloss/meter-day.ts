/**
 * One meter's energy over one local day, from its cumulative counters (e_imp_kwh,
 * e_exp_kwh). The counter at each day boundary is interpolated linearly between the
 * readings on either side, so a read a few minutes off midnight loses nothing; energy
 * is counted by the counters, so a gap inside the day loses no energy either, it only
 * marks the day incomplete (coverage).
 */
import type { StoredReading } from '../storage/series/types.js';

export interface MeterDay {
  importKwh: number;
  exportKwh: number;
  /** Both boundaries interpolable and no gap longer than the allowance inside the day. */
  complete: boolean;
  /** Longest gap between readings that touches the day, minutes. */
  longestGapMin: number;
  /** Longest stretch inside the day over which the import counter did not move, hours. */
  flatHours: number;
  /** Readings served from a device cache (quality `stale`): estimated reads (估抄, FACTS.md). */
  estimatedReads: number;
  readings: number;
}

interface CounterPoint {
  ts: number;
  imp: number;
  exp: number;
  stale: boolean;
}

function points(readings: StoredReading[]): CounterPoint[] {
  const out: CounterPoint[] = [];
  for (const r of readings) {
    const imp = r.values.e_imp_kwh;
    if (imp === undefined) continue;
    out.push({ ts: r.ts, imp, exp: r.values.e_exp_kwh ?? 0, stale: r.quality === 'stale' });
  }
  return out.sort((a, b) => a.ts - b.ts);
}

/** Counter values at `ts`, interpolated between the neighbours when they are within `maxGapMs`. */
function counterAt(pts: CounterPoint[], ts: number, maxGapMs: number): { imp: number; exp: number } | null {
  const after = pts.findIndex((p) => p.ts >= ts);
  if (after === -1) return null;
  const a = pts[after] as CounterPoint;
  if (a.ts === ts) return { imp: a.imp, exp: a.exp };
  if (after === 0) return null;
  const b = pts[after - 1] as CounterPoint;
  if (a.ts - b.ts > maxGapMs) return null;
  const f = (ts - b.ts) / (a.ts - b.ts);
  return { imp: b.imp + (a.imp - b.imp) * f, exp: b.exp + (a.exp - b.exp) * f };
}

/**
 * `readings` must cover [dayStart − maxGapMs, dayEnd + maxGapMs) so both boundaries can
 * be interpolated. Without interpolable boundaries, the energy is what the counters moved
 * between the day's first and last reading (and the day is incomplete).
 */
export function meterDay(readings: StoredReading[], dayStart: number, dayEnd: number, maxGapMs: number): MeterDay {
  const pts = points(readings);
  const inside = pts.filter((p) => p.ts >= dayStart && p.ts < dayEnd);
  const startExact = counterAt(pts, dayStart, maxGapMs);
  const start = startExact ?? (inside[0] ? { imp: inside[0].imp, exp: inside[0].exp } : null);
  const endPoint = counterAt(pts, dayEnd, maxGapMs);
  const last = inside[inside.length - 1];
  const end = endPoint ?? (last ? { imp: last.imp, exp: last.exp } : null);
  // Gaps and flat stretches, clipped to the day; the edges count as readings when absent.
  const before = pts.filter((p) => p.ts < dayStart).pop();
  const next = pts.find((p) => p.ts >= dayEnd);
  const timeline = [before ?? null, ...inside, next ?? null];
  let longestGap = 0;
  let flatMs = 0;
  let longestFlat = 0;
  for (let i = 1; i < timeline.length; i++) {
    const a = timeline[i - 1] ?? null;
    const b = timeline[i] ?? null;
    const span = Math.min(b?.ts ?? dayEnd, dayEnd) - Math.max(a?.ts ?? dayStart, dayStart);
    longestGap = Math.max(longestGap, span);
    flatMs = a && b && a.imp === b.imp ? flatMs + span : 0;
    longestFlat = Math.max(longestFlat, flatMs);
  }
  const complete = startExact !== null && endPoint !== null && longestGap <= maxGapMs;
  return {
    importKwh: start && end ? Math.max(0, end.imp - start.imp) : 0,
    exportKwh: start && end ? Math.max(0, end.exp - start.exp) : 0,
    complete,
    longestGapMin: longestGap / 60_000,
    flatHours: longestFlat / 3_600_000,
    estimatedReads: inside.filter((p) => p.stale).length,
    readings: inside.length,
  };
}
