/** 15-minute block demand as both backends compute it: the mean of a quantity per demand period. */
import type { Quantity } from '@gridsafe/shared';
import { DEMAND_WINDOW_MS } from '../../series/types.js';
import type { DemandPoint, SeriesStore } from './types.js';

export type DemandQuery = { device: string; from: number; to: number; windowMs?: number; field?: Quantity };

export async function demandOf(store: Pick<SeriesStore, 'aggregate'>, query: DemandQuery): Promise<DemandPoint[]> {
  const field = query.field ?? 'p_kw';
  const points = await store.aggregate({
    device: query.device,
    from: query.from,
    to: query.to,
    everyMs: query.windowMs ?? DEMAND_WINDOW_MS,
    aggregate: 'mean',
    fields: [field],
  });
  return points.flatMap((point) =>
    point.values[field] === undefined ? [] : [{ ts: point.ts, demandKw: point.values[field] as number }],
  );
}
