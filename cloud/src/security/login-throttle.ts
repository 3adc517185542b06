/**
 * Paces guessing: failed logins (wrong API tokens, wrong gateway secrets) are counted per
 * client address, and an address with too many in one window is refused every login,
 * right or wrong, until the window ends (HTTP answers 429 with Retry-After). Counting per
 * address, not per token, is what stops a guesser who sends a new token each time.
 *
 * The default, 10 failures a minute, stays far below the cap of NIST SP 800-63B §5.2.2
 * (at most 100 consecutive failures before an account is locked or slowed) while leaving
 * room for a person mistyping a token a few times.
 */
export interface LoginThrottleOptions {
  maxFailures?: number;
  windowMs?: number;
  /** Addresses remembered at most (oldest forgotten first): an attacker's many addresses cannot fill memory. */
  maxAddresses?: number;
  now?: () => number;
}

export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until this address may try again, or 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const entry = this.current(address);
    if (!entry || entry.count < this.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.since + this.windowMs - this.now()) / 1000));
  }

  recordFailure(address: string): void {
    const entry = this.current(address);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.failures.size >= this.maxAddresses) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.set(address, { count: 1, since: this.now() });
  }

  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.since >= this.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}
