/**
 * A token bucket in bytes: `rate` bytes a second flow in, at most `burst` are held. It
 * tells how long to wait for a given number of bytes, so a lane can sleep rather than spin.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rateBytesPerSecond: number,
    readonly burstBytes: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(rateBytesPerSecond > 0)) throw new Error(`token bucket rate must be positive, got ${rateBytesPerSecond}`);
    if (!(burstBytes >= 1)) throw new Error(`token bucket burst must be at least 1 byte, got ${burstBytes}`);
    // Start empty: a link that has just come up has not saved any capacity.
    this.tokens = 0;
    this.last = this.now();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burstBytes, this.tokens + ((now - this.last) / 1000) * this.rateBytesPerSecond);
    this.last = now;
  }

  /** Takes up to `want` bytes; returns how many were granted (0 when the bucket holds less than `min`). */
  take(want: number, min = 1): number {
    this.refill();
    const need = Math.min(want, min, this.burstBytes);
    if (this.tokens < need) return 0;
    const granted = Math.min(want, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Milliseconds until `bytes` tokens (capped at the burst) are available. */
  waitMs(bytes: number): number {
    this.refill();
    const need = Math.min(bytes, this.burstBytes) - this.tokens;
    return need <= 0 ? 0 : (need / this.rateBytesPerSecond) * 1000;
  }
}
