/**
 * Hourly series to forecast, from the stored readings: a transformer's load (kVA) from its
 * own meters, or the sum of its customer meters where it has none (as the overload detector
 * counts it); a customer's demand (kW) from its meters; the measured ambient where a device
 * on the transformer reports the configured quantity; a transformer's load every five
 * minutes (its sub-hourly margin). Summed as the loading charts sum (loading/buckets.ts): an
 * hour some meter has no reading for is unknown (a partial sum would read as a drop in load).
 */
import type { Quantity } from '@gridsafe/shared';
import type { RegistryView } from '../detector-kit/types.js';
import type { SeriesStore } from '../storage/series/types.js';
import { sumPerBucket } from '../loading/buckets.js';
import { HOUR_MS, type HourlySeries } from './models.js';
import { FINE_STEP_MS, type FineSeries } from './sub-hourly.js';

const apparent = (v: Partial<Record<Quantity, number>>) =>
  v.s_kva ?? (v.p_kw !== undefined ? Math.hypot(v.p_kw, v.q_kvar ?? 0) : undefined);

/** The meters a transformer's load is counted from: its own, or its customers' when it has none. */
function countedMeters(registry: RegistryView, transformer: string): string[] {
  const meters = registry.devicesOnTransformer(transformer).filter((d) => d.kind === 'meter');
  const own = meters.filter((d) => !d.customer);
  return (own.length > 0 ? own : meters).map((d) => d.id);
}

/** A transformer's load every FINE_STEP_MS (the sub-hourly margin's history); `from` hour-aligned. */
export async function transformerFineLoad(
  series: SeriesStore,
  registry: RegistryView,
  transformer: string,
  from: number,
  to: number,
): Promise<FineSeries> {
  const meters = countedMeters(registry, transformer);
  const fields: Quantity[] = ['s_kva', 'p_kw', 'q_kvar'];
  return {
    start: from,
    values: await sumPerBucket(series, meters, { from, to, everyMs: FINE_STEP_MS }, apparent, fields),
  };
}

export async function transformerLoad(
  series: SeriesStore,
  registry: RegistryView,
  transformer: string,
  from: number,
  to: number,
  ambientQuantity: string,
): Promise<HourlySeries> {
  const onTx = registry.devicesOnTransformer(transformer);
  const hourly = { from, to, everyMs: HOUR_MS };
  const counted = countedMeters(registry, transformer);
  const values = await sumPerBucket(series, counted, hourly, apparent, ['s_kva', 'p_kw', 'q_kvar']);
  const out: HourlySeries = { start: from, values };
  if (ambientQuantity !== '') {
    const q = ambientQuantity as Quantity;
    for (const d of onTx) {
      const ambient = await sumPerBucket(series, [d.id], hourly, (v) => v[q], [q]);
      if (ambient.some((a) => a !== null)) {
        out.ambient = ambient;
        break;
      }
    }
  }
  return out;
}

export async function customerDemand(
  series: SeriesStore,
  registry: RegistryView,
  customer: string,
  from: number,
  to: number,
): Promise<HourlySeries> {
  const meters = registry
    .devicesOfCustomer(customer)
    .filter((d) => d.kind === 'meter')
    .map((d) => d.id);
  return {
    start: from,
    values: await sumPerBucket(series, meters, { from, to, everyMs: HOUR_MS }, (v) => v.p_kw, ['p_kw']),
  };
}
