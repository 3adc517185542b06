/**
 * Turns the plan into stored meter readings: every 5 minutes each customer's load (and PV)
 * is integrated into its meter's counters (as the meter records them, episodes applied),
 * the transformer meter records the area's net flow plus its technical loss; every meter
 * is read every 15 minutes (at its own offset) into the series store. Returns the counters
 * at each local midnight, from which the exact loss rate of each day follows.
 */
import type { TelemetryBatch } from '@gridsafe/shared';
import type { SeriesStore } from '../../src/storage/series/types.js';
import { DAY_MS, STEP_MS, type EvalArea, type LineLossPlan } from './scenarios.js';

export interface Counters {
  imp: number;
  exp: number;
}

/** device → counters at the start of each day (index 0..days). */
export type MidnightCounters = Map<string, Counters[]>;

const READ_EVERY = 15 * 60_000;

function pvKw(peak: number, ts: number, cloud: number): number {
  if (peak === 0) return 0;
  const hour = (((ts / 3_600_000 + 8) % 24) + 24) % 24;
  return hour > 6 && hour < 18 ? peak * Math.sin((Math.PI * (hour - 6)) / 12) * cloud : 0;
}

async function generateArea(
  plan: LineLossPlan,
  area: EvalArea,
  series: SeriesStore,
  out: MidnightCounters,
  skewMs: number,
): Promise<number> {
  const episodes = plan.episodes.filter((e) => area.customers.some((c) => c.device === e.device));
  const meters = [area.supplyDevice, ...area.customers.map((c) => c.device)];
  const counters = new Map<string, Counters>(meters.map((m, i) => [m, { imp: 1000 + i * 37, exp: 0 }]));
  const frozen = new Map<string, Counters>();
  for (const m of meters) out.set(m, []);
  let batch: TelemetryBatch['readings'] = [];
  let seq = 0;
  let count = 0;
  let cloud = 1;
  const end = plan.start + plan.days * DAY_MS;
  for (let ts = plan.start - DAY_MS; ts <= end + DAY_MS; ts += STEP_MS) {
    if ((ts - plan.start) % DAY_MS === 0) {
      const day = (ts - plan.start) / DAY_MS;
      cloud = 0.4 + 0.6 * Math.abs(Math.sin(day * 2.1 + area.meanKw));
      if (day >= 0 && day <= plan.days)
        for (const m of meters) out.get(m)!.push({ ...(frozen.get(m) ?? counters.get(m)!) });
    }
    // The next 5 minutes: each customer's import and export rate as its meter records them.
    let net = 0;
    const rates = new Map<string, Counters>();
    for (const c of area.customers) {
      const load = c.load.kw(ts);
      const pv = pvKw(c.pvPeakKw, ts, cloud);
      net += load - pv;
      let imp = Math.max(0, load - pv);
      const theft = episodes.find((e) => e.kind === 'theft' && e.device === c.device && ts >= e.start);
      if (theft) imp *= 1 - (theft.bypass ?? 0);
      rates.set(c.device, { imp, exp: Math.max(0, pv - load) });
      const stuckOrCached = episodes.some(
        (e) => (e.kind === 'stuck' || e.kind === 'estimated') && e.device === c.device && ts >= e.start && ts < e.end,
      );
      if (stuckOrCached && !frozen.has(c.device)) frozen.set(c.device, { ...counters.get(c.device)! });
      if (!stuckOrCached) frozen.delete(c.device);
    }
    const lossKw = 0.012 * area.meanKw + (0.03 * net * net) / area.meanKw;
    const flow = net + lossKw;
    rates.set(area.supplyDevice, { imp: Math.max(0, flow), exp: Math.max(0, -flow) });
    // Reads every 15 minutes; a meter's clock runs (i mod 3) × skewMs late: its counter is read inside the step.
    meters.forEach((m, i) => {
      if ((ts - plan.start) % READ_EVERY !== 0) return;
      const at = ts + (i % 3) * skewMs;
      const estimated = episodes.some((e) => e.kind === 'estimated' && e.device === m && at >= e.start && at < e.end);
      const c = counters.get(m)!;
      const r = rates.get(m)!;
      const shown = frozen.get(m) ?? {
        imp: c.imp + (r.imp * (at - ts)) / 3_600_000,
        exp: c.exp + (r.exp * (at - ts)) / 3_600_000,
      };
      batch.push({
        device: m,
        ts: at,
        quality: estimated ? 'stale' : 'good',
        values: { e_imp_kwh: Math.round(shown.imp * 100) / 100, e_exp_kwh: Math.round(shown.exp * 100) / 100 },
      });
    });
    for (const m of meters) {
      const c = counters.get(m)!;
      const r = rates.get(m)!;
      c.imp += (r.imp * STEP_MS) / 3_600_000;
      c.exp += (r.exp * STEP_MS) / 3_600_000;
    }
    if (batch.length >= 2000) {
      await series.writeBatch({ gateway: `gw-${area.id}`, seq: ++seq, sentAt: ts, readings: batch });
      count += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await series.writeBatch({ gateway: `gw-${area.id}`, seq: ++seq, sentAt: end, readings: batch });
  return count + batch.length;
}

export async function generateLineLoss(
  plan: LineLossPlan,
  series: SeriesStore,
  skewMs: number,
): Promise<{ midnight: MidnightCounters; readings: number }> {
  const midnight: MidnightCounters = new Map();
  let readings = 0;
  for (const area of plan.areas) readings += await generateArea(plan, area, series, midnight, skewMs);
  return { midnight, readings };
}
