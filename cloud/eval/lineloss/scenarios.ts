/**
 * Transformer areas with ground truth for each line-loss cause, from both load families
 * (../common/loads.ts): per family, areas with a customer bypassing part of its load
 * (theft), a pair where a customer of one area is mapped to the other from a day on
 * (mapping error), a meter whose counters stick (meter fault), a meter read from cache
 * for a day or two (estimated reads), customers with PV export (no abnormal day expected:
 * export counts as supplied), and clean areas. Deterministic from the seed.
 */
import { seededRandom } from '@gridsafe/shared';
import { Load, Weather, syntheticCalendar, type Family, type LoadKind, type WorkCalendar } from '../common/loads.js';

export const STEP_MS = 5 * 60_000;
export const DAY_MS = 86_400_000;

export type EpisodeKind = 'theft' | 'mapping' | 'stuck' | 'estimated';
export const EXPECTED_CAUSE: Record<EpisodeKind, string> = {
  theft: 'theft',
  mapping: 'mapping_error',
  stuck: 'meter_fault',
  estimated: 'estimated_reads',
};

export interface Episode {
  kind: EpisodeKind;
  /** Areas whose loss it moves (a mapping error moves two). */
  areas: string[];
  device: string;
  customer: string;
  start: number;
  /** Exclusive; Infinity: to the end. */
  end: number;
  /** theft: share of the load that bypasses the meter. */
  bypass?: number;
  /** mapping: the area the customer is wrongly registered on. */
  mappedTo?: string;
}

export interface EvalCustomer {
  id: string;
  device: string;
  load: Load;
  pvPeakKw: number;
}

export interface EvalArea {
  id: string;
  family: Family;
  supplyDevice: string;
  customers: EvalCustomer[];
  meanKw: number;
}

export interface LineLossPlan {
  start: number;
  days: number;
  areas: EvalArea[];
  episodes: Episode[];
}

const ROLES = [
  'theft',
  'theft',
  'theft',
  'mapping-to',
  'mapping-from',
  'stuck',
  'estimated',
  'pv',
  'pv',
  'clean',
  'theft',
  'theft',
  'stuck',
  'estimated',
] as const;

export function planLineLoss(seed: number, days: number, start: number): LineLossPlan {
  const u = seededRandom(seed);
  const areas: EvalArea[] = [];
  const episodes: Episode[] = [];
  const between = (a: number, b: number) => a + (b - a) * u();
  const calendar: WorkCalendar = syntheticCalendar(start + 9 * DAY_MS);
  for (const family of ['sim', 'independent'] as const) {
    const weather = family === 'independent' ? new Weather(seed + 11) : null;
    const familyAreas: EvalArea[] = [];
    ROLES.forEach((role, i) => {
      const id = `${family === 'sim' ? 'S' : 'I'}${String(i).padStart(2, '0')}`;
      const n = 9 + Math.floor(u() * 5);
      const customers: EvalCustomer[] = [];
      for (let k = 0; k < n; k++) {
        const kind: LoadKind = k === 0 ? 'commercial' : k === 1 && u() < 0.5 ? 'industrial' : 'residential';
        const baseKw =
          kind === 'residential' ? between(0.8, 4) : kind === 'commercial' ? between(4, 10) : between(8, 16);
        const cid = `${id}-c${k}`;
        customers.push({
          id: cid,
          device: `${cid}-m`,
          load: new Load({ id: cid, family, kind, baseKw, seed: Math.floor(u() * 2 ** 31) }, calendar, weather),
          pvPeakKw: role === 'pv' && k >= n - 2 ? baseKw * between(2, 4) : 0,
        });
      }
      const area: EvalArea = {
        id,
        family,
        supplyDevice: `${id}-tx`,
        customers,
        meanKw: customers.reduce((a, c) => a + c.load.spec.baseKw, 0),
      };
      familyAreas.push(area);
      areas.push(area);
    });
    // A customer with a large enough share that its cause moves the loss well out of band.
    const big = (area: EvalArea) =>
      [...area.customers].sort((a, b) => b.load.spec.baseKw - a.load.spec.baseKw)[u() < 0.5 ? 0 : 1] as EvalCustomer;
    ROLES.forEach((role, i) => {
      const area = familyAreas[i] as EvalArea;
      const day = start + Math.floor(between(17, 27)) * DAY_MS;
      const into = between(0, 60) * 60_000;
      if (role === 'theft') {
        // The customer whose bypass shows on rest days too (shops and workshops consume little then).
        const restLevel = (k: LoadKind) => (k === 'residential' ? 1 : k === 'industrial' ? 0.5 : 0.35);
        const c = [...area.customers].sort(
          (a, b) => b.load.spec.baseKw * restLevel(b.load.spec.kind) - a.load.spec.baseKw * restLevel(a.load.spec.kind),
        )[Math.floor(u() * 2)] as EvalCustomer;
        const share = (c.load.spec.baseKw * restLevel(c.load.spec.kind)) / area.meanKw;
        episodes.push({
          kind: 'theft',
          areas: [area.id],
          device: c.device,
          customer: c.id,
          start: day + into,
          end: Infinity,
          bypass: Math.min(0.95, Math.max(0.5, 0.15 / share)),
        });
      } else if (role === 'stuck') {
        const c = big(area);
        episodes.push({
          kind: 'stuck',
          areas: [area.id],
          device: c.device,
          customer: c.id,
          start: day + into,
          end: Infinity,
        });
      } else if (role === 'estimated') {
        const c = big(area);
        const end = day + Math.floor(between(1, 3)) * DAY_MS + between(8, 14) * 3_600_000;
        episodes.push({
          kind: 'estimated',
          areas: [area.id],
          device: c.device,
          customer: c.id,
          start: day + into,
          end,
        });
      } else if (role === 'mapping-from') {
        // This area supplies the customer; from `day` on the registry puts it on the area before.
        const to = familyAreas[i - 1] as EvalArea;
        const c = big(area);
        episodes.push({
          kind: 'mapping',
          areas: [area.id, to.id],
          device: c.device,
          customer: c.id,
          start: day,
          end: Infinity,
          mappedTo: to.id,
        });
      }
    });
  }
  return { start, days, areas, episodes };
}

/** Local days (index from the plan's start) an episode makes abnormal: each day it covers at least 12 hours of, or its end day's catch-up. */
export function truthDays(plan: LineLossPlan, e: Episode): number[] {
  const out: number[] = [];
  for (let d = 0; d < plan.days; d++) {
    const from = plan.start + d * DAY_MS;
    const to = from + DAY_MS;
    const overlap = Math.min(to, e.end) - Math.max(from, e.start);
    // Estimated reads: the day the fresh reads return carries the backlog (negative loss).
    const catchUp = e.kind === 'estimated' && e.end >= from && e.end < to;
    if (overlap >= 12 * 3_600_000 || catchUp) out.push(d);
  }
  return out;
}
