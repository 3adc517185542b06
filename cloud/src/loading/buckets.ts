/**
 * A sum over several meters per time bucket, from the stored readings: each meter's mean in
 * the bucket, added up. A bucket some meter has no reading for is unknown (null): a partial
 * sum would read as a drop in load.
 */
import type { Quantity, ReadingValues } from '@gridsafe/shared';
import type { SeriesStore } from '../storage/series/types.js';

export async function sumPerBucket(
  series: SeriesStore,
  devices: string[],
  range: { from: number; to: number; everyMs: number },
  value: (values: ReadingValues) => number | undefined,
  fields: Quantity[],
): Promise<Array<number | null>> {
  const { from, to, everyMs } = range;
  const count = Math.ceil((to - from) / everyMs);
  if (devices.length === 0) return new Array<number | null>(count).fill(null);
  const sums: Array<number | null> = new Array<number | null>(count).fill(0);
  for (const device of devices) {
    const seen = new Array<boolean>(count).fill(false);
    const points = await series.aggregate({ device, from, to, everyMs, aggregate: 'mean', fields, limit: count + 1 });
    for (const point of points) {
      const i = Math.round((point.ts - from) / everyMs);
      const v = value(point.values);
      if (i < 0 || i >= count || v === undefined) continue;
      seen[i] = true;
      if (sums[i] !== null) sums[i] = (sums[i] as number) + v;
    }
    seen.forEach((ok, i) => {
      if (!ok) sums[i] = null;
    });
  }
  return sums;
}

/** A bucket width for a range: about `points` buckets, whole minutes, at least `minMs`. */
export function bucketFor(from: number, to: number, points: number, minMs: number): number {
  const minutes = Math.ceil((to - from) / points / 60_000);
  return Math.max(minMs, minutes * 60_000);
}
