/**
 * Loading of a transformer and demand of a customer over a chosen time range, for their
 * console pages (issue 15):
 * - a transformer's apparent load (kVA) against its rating, and its thermal state through
 *   the overload detector's IEC 60076-7 model (top-oil and hot-spot, with the limits of its
 *   loading mode), computed from the stored readings the way the detector counts them (the
 *   transformer's own meters, else its customers' meters) with the site's ambient profile;
 * - a customer's 15-minute block demand, apparent (kVA, against the contract capacity) and
 *   active (kW), the sum over its meters (FACTS.md "Maximum demand": 15-minute blocks).
 */
import type { CustomerDemand, ReadingValues, TransformerLoading } from '@gridsafe/shared';
import type { RegistryView } from '../detector-kit/types.js';
import { apparentKva, transformerMeters } from '../detector-kit/measures.js';
import { limitsOf, thermalParams } from '../detectors/overload/index.js';
import { profileAmbientC, siteProfile } from '../detectors/overload/ambient.js';
import type { OverloadSettings } from '../detectors/overload/settings.js';
import { advance, hotSpotC, steadyState, type ThermalState } from '../detectors/overload/thermal.js';
import type { SeriesStore } from '../storage/series/types.js';
import { bucketFor, sumPerBucket } from './buckets.js';

/** Points on a chart: enough for a phone or a desk, few enough to send quickly. */
const POINTS = 400;
/** The thermal model starts this long before the range, so its first figures are not a cold start. */
const WARM_UP_MS = 12 * 3_600_000;
/** FACTS.md "Maximum demand": demand is the mean over 15-minute blocks. */
const DEMAND_WINDOW_MS = 15 * 60_000;

const align = (ms: number, every: number) => Math.floor(ms / every) * every;
const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

export class LoadingService {
  constructor(private readonly deps: { series: SeriesStore; registry: RegistryView; overload: OverloadSettings }) {}

  async transformer(id: string, from: number, to: number): Promise<TransformerLoading> {
    const { registry, series, overload: s } = this.deps;
    const tx = registry.transformer(id);
    if (!tx) throw new Error(`transformer "${id}" does not exist`);
    const everyMs = bucketFor(from, to, POINTS, 60_000);
    const start = align(from - WARM_UP_MS, everyMs);
    const meters = transformerMeters(registry, id).map((d) => d.id);
    const load = await sumPerBucket(series, meters, { from: start, to, everyMs }, apparentKva, [
      's_kva',
      'p_kw',
      'q_kvar',
    ]);
    const params = thermalParams(s);
    const { profile, source } = siteProfile(s.ambientProfiles, tx.site);
    const maxGapMs = s.maxGapSeconds * 1000;
    let state: ThermalState | null = null;
    const points: TransformerLoading['points'] = [];
    load.forEach((kva, i) => {
      const ts = start + i * everyMs;
      let thermal: { topOilC: number; hotSpotC: number } | null = null;
      if (kva !== null && tx.ratedKva > 0) {
        const k = kva / tx.ratedKva;
        const ambientC = profileAmbientC(profile, ts, s.utcOffsetMinutes);
        // As the detector does: a (re)start after a gap begins at the steady state of the present load, capped at the rating.
        if (!state || ts - state.ts > maxGapMs) state = steadyState(ts, Math.min(k, 1), ambientC, params);
        else advance(state, ts, params);
        state.k = k;
        state.ambientC = ambientC;
        thermal = { topOilC: state.topOilC, hotSpotC: hotSpotC(state) };
      }
      if (ts < align(from, everyMs)) return;
      points.push({
        ts,
        kva: round(kva),
        topOilC: round(thermal?.topOilC ?? null),
        hotSpotC: round(thermal?.hotSpotC ?? null),
      });
    });
    return {
      transformer: id,
      ratedKva: tx.ratedKva,
      everyMs,
      limits: { ...limitsOf(s) },
      ambient: source,
      meters,
      points,
    };
  }

  async customer(id: string, from: number, to: number): Promise<CustomerDemand> {
    const { registry, series } = this.deps;
    const customer = registry.customer(id);
    if (!customer) throw new Error(`customer "${id}" does not exist`);
    const meters = registry
      .devicesOfCustomer(id)
      .filter((d) => d.kind === 'meter')
      .map((d) => d.id);
    const range = { from: align(from, DEMAND_WINDOW_MS), to, everyMs: DEMAND_WINDOW_MS };
    const fields = ['s_kva', 'p_kw', 'q_kvar'] as const;
    const [kva, kw] = await Promise.all([
      sumPerBucket(series, meters, range, apparentKva, [...fields]),
      sumPerBucket(series, meters, range, (v: ReadingValues) => v.p_kw, ['p_kw']),
    ]);
    // Long ranges: the highest block of each bucket, so the peaks that matter against the contract stay.
    const everyMs = bucketFor(range.from, to, POINTS, DEMAND_WINDOW_MS);
    const per = Math.round(everyMs / DEMAND_WINDOW_MS);
    const max = (values: Array<number | null>) =>
      values.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.max(a, b)), null);
    const points: CustomerDemand['points'] = [];
    for (let i = 0; i < kva.length; i += per)
      points.push({
        ts: range.from + i * DEMAND_WINDOW_MS,
        kva: round(max(kva.slice(i, i + per))),
        kw: round(max(kw.slice(i, i + per))),
      });
    return {
      customer: id,
      contractKva: customer.contractKva,
      windowMs: DEMAND_WINDOW_MS,
      everyMs: per * DEMAND_WINDOW_MS,
      meters,
      points,
    };
  }
}
