/** Small measurement helpers several detectors share. */
import type { Device, ReadingValues } from '@gridsafe/shared';
import type { RegistryView } from './types.js';

/**
 * Apparent power of a reading, kVA: `s_kva` when the meter gives it, else √(p² + q²)
 * (q taken as 0 when absent, which under-reads but never invents load), else undefined.
 */
export function apparentKva(values: ReadingValues): number | undefined {
  if (values.s_kva !== undefined) return Math.abs(values.s_kva);
  if (values.p_kw === undefined) return undefined;
  const q = values.q_kvar ?? 0;
  return Math.hypot(values.p_kw, q);
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Rounds for evidence: figures an inspector reads, not floating-point noise. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * transformerMeters of each list the registry handed out: asked for on every reading, and
 * the registry's snapshot hands out the same list until the registry changes.
 */
const metersOf = new WeakMap<readonly Device[], readonly Device[]>();

/**
 * The meters that measure a transformer's own load: those on it with no customer (its
 * own metering) when it has any, else all its meters (customer meters sum to its load).
 * Mixing both would count the same current twice.
 */
export function transformerMeters(registry: RegistryView, transformerId: string): readonly Device[] {
  const onTransformer = registry.devicesOnTransformer(transformerId);
  const known = metersOf.get(onTransformer);
  if (known) return known;
  const meters = onTransformer.filter((d) => d.kind === 'meter');
  const own = meters.filter((d) => d.customer === undefined);
  const result = own.length > 0 ? own : meters;
  metersOf.set(onTransformer, result);
  return result;
}
