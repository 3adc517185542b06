/**
 * Hourly series to forecast, from the stored readings: a transformer's load (kVA) from its
 * own meters, or the sum of its customer meters where it has none (as the overload detector
 * counts it); a customer's demand (kW) from its meters; the measured ambient where a device
 * on the transformer reports the configured quantity; a transformer's load every five
 * minutes (its sub-hourly margin). An hour some meter has no reading for is unknown (a
 * partial sum would read as a drop in load).
 */
import type { Quantity } from '@gridsafe/shared';
import type { RegistryView } from '../detector-kit/types.js';
import type { SeriesStore } from '../storage/series/types.js';
import { HOUR_MS, type HourlySeries } from './models.js';
import { FINE_STEP_MS, type FineSeries } from './sub-hourly.js';

/** Sum over `devices` of each bucket's mean (`everyMs` wide); null where some device has none. */
async function bucketsOf(
  series: SeriesStore,
  devices: string[],
  from: number,
  to: number,
  value: (v: Partial<Record<Quantity, number>>) => number | undefined,
  fields: Quantity[],
  everyMs = HOUR_MS,
): Promise<Array<number | null>> {
  const hours = Math.round((to - from) / everyMs);
  const sums: Array<number | null> = Array.from({ length: hours }, () => 0);
  for (const device of devices) {
    const seen = new Array<boolean>(hours).fill(false);
    const points = await series.aggregate({
      device,
      from,
      to,
      everyMs,
      aggregate: 'mean',
      fields,
      limit: hours + 1,
    });
    for (const p of points) {
      const i = Math.round((p.ts - from) / everyMs);
      const v = value(p.values);
      if (i < 0 || i >= hours || v === undefined) continue;
      seen[i] = true;
      if (sums[i] !== null) sums[i] = (sums[i] as number) + v;
    }
    seen.forEach((ok, i) => {
      if (!ok) sums[i] = null;
    });
  }
  return devices.length === 0 ? sums.map(() => null) : sums;
}

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
  return { start: from, values: await bucketsOf(series, meters, from, to, apparent, fields, FINE_STEP_MS) };
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
  const counted = countedMeters(registry, transformer);
  const values = await bucketsOf(series, counted, from, to, apparent, ['s_kva', 'p_kw', 'q_kvar']);
  const out: HourlySeries = { start: from, values };
  if (ambientQuantity !== '') {
    const q = ambientQuantity as Quantity;
    for (const d of onTx) {
      const ambient = await bucketsOf(series, [d.id], from, to, (v) => v[q], [q]);
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
  return { start: from, values: await bucketsOf(series, meters, from, to, (v) => v.p_kw, ['p_kw']) };
}
