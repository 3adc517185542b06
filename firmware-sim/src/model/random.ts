/**
 * Deterministic randomness keyed by (seed, stream, index) rather than drawn in sequence,
 * so a device's value at a timestamp is the same whether the simulator lived through the
 * day or jumped straight to it (time compression for labelled data sets).
 */

/** 32-bit mix (lowbias32 by Chris Wellons): good avalanche, cheap. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Stable 32-bit hash of a string (FNV-1a), to turn device ids and channel names into stream keys. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform in [0, 1) for one (seed, stream, index) triple. */
export function uniformAt(seed: number, stream: number, index: number): number {
  const lo = index >>> 0;
  const hi = Math.floor(index / 0x100000000) >>> 0;
  const h = mix32(mix32(mix32(seed ^ 0x9e3779b9) ^ stream) ^ lo ^ mix32(hi + 0x632be5ab));
  return h / 0x100000000;
}

/** Standard normal for one triple (Box-Muller over two decorrelated uniforms). */
export function normalAt(seed: number, stream: number, index: number): number {
  const u1 = Math.max(uniformAt(seed, stream, index * 2), 1e-12);
  const u2 = uniformAt(seed, stream, index * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Smooth noise: normal values on a grid of `periodMs`, cosine-interpolated between
 * grid points, so a load wanders instead of jumping every tick.
 */
export function smoothNormalAt(seed: number, stream: number, ts: number, periodMs: number): number {
  const x = ts / periodMs;
  const k = Math.floor(x);
  const frac = x - k;
  const w = (1 - Math.cos(Math.PI * frac)) / 2;
  const a = normalAt(seed, stream, k);
  const b = normalAt(seed, stream, k + 1);
  // Interpolating two independent normals shrinks the variance mid-way; renormalise.
  return (a * (1 - w) + b * w) / Math.sqrt((1 - w) ** 2 + w ** 2);
}

/** Noise of relative standard deviation `sigma` at `ts`: a slow wander plus a per-tick jitter. */
export function relativeNoiseAt(seed: number, stream: number, ts: number, sigma: number, tickMs: number): number {
  if (sigma === 0) return 0;
  const slow = smoothNormalAt(seed, stream, ts, 60_000);
  const fast = normalAt(seed, stream ^ 0x5bd1e995, Math.floor(ts / tickMs));
  // 80 % of the variance wanders slowly, 20 % is tick-to-tick jitter.
  return sigma * (Math.sqrt(0.8) * slow + Math.sqrt(0.2) * fast);
}
