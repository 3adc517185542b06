/** Request counters and latency figures, as published in the gateway status (per device and per bus). */
import { ERROR_KINDS, type ErrorKind } from '../modbus/errors.js';

export class RequestStats {
  requests = 0;
  ok = 0;
  retries = 0;
  /** Replies that came with unexpected bytes around them (line noise, garbage, a late reply), and how many bytes. */
  noisyReplies = 0;
  noiseBytes = 0;
  errors: Record<ErrorKind, number> = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
  /** Time requests held the line, from sending to the reply or the timeout, ms. */
  busTimeMs = 0;
  private latencySum = 0;
  private latencyMax = 0;
  private latencyLast = 0;

  success(latencyMs: number): void {
    this.requests += 1;
    this.ok += 1;
    this.latencySum += latencyMs;
    this.latencyLast = latencyMs;
    if (latencyMs > this.latencyMax) this.latencyMax = latencyMs;
  }

  busTime(ms: number): void {
    this.busTimeMs += ms;
  }

  noise(bytes: number): void {
    if (bytes <= 0) return;
    this.noisyReplies += 1;
    this.noiseBytes += bytes;
  }

  failure(kind: ErrorKind): void {
    this.requests += 1;
    this.errors[kind] += 1;
  }

  toJSON(): Record<string, unknown> {
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      requests: this.requests,
      ok: this.ok,
      retries: this.retries,
      noisyReplies: this.noisyReplies,
      noiseBytes: this.noiseBytes,
      errors: { ...this.errors },
      busTimeMs: Math.round(this.busTimeMs),
      latencyMs: {
        avg: this.ok ? round(this.latencySum / this.ok) : null,
        max: round(this.latencyMax),
        last: round(this.latencyLast),
      },
    };
  }
}
