/** Stores weeks of 15-minute readings for the forecast tests: a transformer meter (s_kva) and a customer meter (p_kw). */
import type { TelemetryBatch } from '@gridsafe/shared';
import type { SeriesStore } from '../../src/storage/series/types.js';

export const H = 3_600_000;
export const SEED = {
  transformers: [{ id: 'tx-1', site: 'Village 1', ratedKva: 100, area: 'north' }],
  customers: [{ id: 'c-1', name: 'Shop', contractKva: 50, tariff: 'single' }],
  devices: [
    { id: 'm-tx', gateway: 'gw-1', kind: 'meter', transformer: 'tx-1', ctRatio: 1, ptRatio: 1, ctSecondaryA: 5 },
    {
      id: 'm-c1',
      gateway: 'gw-1',
      kind: 'meter',
      transformer: 'tx-1',
      customer: 'c-1',
      ctRatio: 1,
      ptRatio: 1,
      ctSecondaryA: 5,
    },
  ],
  gateways: [{ id: 'gw-1', secret: 'gw-1-secret-0001' }],
};

/** Load in p.u. of 100 kVA: an evening peak of about 0.85, a little lower at weekends. */
export function usualPu(ts: number): number {
  const local = new Date(ts + 8 * H);
  const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
  const weekend = local.getUTCDay() === 0 || local.getUTCDay() === 6;
  return (0.35 + 0.5 * Math.exp(-(((hour - 19) / 2.5) ** 2))) * (weekend ? 0.9 : 1) * (1 + 0.02 * Math.sin(ts / 5e6));
}

let seq = 1;

/** Readings every 15 minutes in [from, to), load = usualPu × factor(ts). */
export async function storeLoad(
  series: SeriesStore,
  from: number,
  to: number,
  factor: (ts: number) => number = () => 1,
) {
  let readings: TelemetryBatch['readings'] = [];
  for (let ts = from; ts < to; ts += 15 * 60_000) {
    const pu = usualPu(ts) * factor(ts);
    readings.push({ device: 'm-tx', ts, quality: 'good', values: { s_kva: pu * 100 } });
    readings.push({ device: 'm-c1', ts, quality: 'good', values: { p_kw: pu * 20 } });
    if (readings.length >= 800) {
      await series.writeBatch({ gateway: 'gw-1', seq: seq++, sentAt: ts, readings });
      readings = [];
    }
  }
  if (readings.length > 0) await series.writeBatch({ gateway: 'gw-1', seq: seq++, sentAt: to, readings });
}
