/** Hand-made series for rule tests: readings every `stepS` seconds, wrapped in batches. */
import type { Reading, ReadingValues, TelemetryBatch } from '@gridsafe/shared';

export const T0 = Date.UTC(2025, 5, 2, 0, 0, 0); // a Monday, 00:00 UTC

let seq = 1;

export function batch(readings: Reading[], gateway = 'gw-1'): TelemetryBatch {
  return { gateway, seq: seq++, sentAt: readings.at(-1)?.ts ?? T0, readings };
}

export function reading(
  device: string,
  ts: number,
  values: ReadingValues,
  quality: Reading['quality'] = 'good',
): Reading {
  return { device, ts, values, quality };
}

/** One reading per step from `from` for `count` steps, values from a function of the step index and time. */
export function steps(
  device: string,
  from: number,
  stepS: number,
  count: number,
  values: (i: number, ts: number) => ReadingValues,
): Reading[] {
  const out: Reading[] = [];
  for (let i = 0; i < count; i++) {
    const ts = from + i * stepS * 1000;
    out.push(reading(device, ts, values(i, ts)));
  }
  return out;
}

/** Feeds readings to a sink one batch of `size` at a time, in order. */
export async function feed(
  sink: { processBatch(b: TelemetryBatch): Promise<void> },
  readings: Reading[],
  size = 10,
  gateway = 'gw-1',
): Promise<void> {
  for (let i = 0; i < readings.length; i += size) await sink.processBatch(batch(readings.slice(i, i + size), gateway));
}

/** feed(sink, steps(...)): one reading per step, fed ten to a batch. */
export function feedSteps(
  sink: { processBatch(b: TelemetryBatch): Promise<void> },
  device: string,
  from: number,
  stepS: number,
  count: number,
  values: (i: number, ts: number) => ReadingValues,
): Promise<void> {
  return feed(sink, steps(device, from, stepS, count, values));
}
