/** Exponential backoff with jitter for webhook retries: quick first retries, then spaced out. */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** After this many failed attempts the delivery goes to the dead-letter list. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 3_600_000, maxAttempts: 10 };

/**
 * Delay before attempt `failures + 1`: base·2^(failures−1), capped, with ±20 % jitter so
 * many deliveries that failed together (receiver down) do not retry in one wave.
 */
export function retryDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}
