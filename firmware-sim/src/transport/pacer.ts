/**
 * Writes a frame so that each byte leaves when it would have finished on the wire:
 * byte i is due at start + (i + 1)·charMs. Bytes go out in small batches on timers;
 * the last byte, which decides when the master has the whole reply, is timed closely
 * (a short spin on setImmediate for the final millisecond).
 */
import { performance } from 'node:perf_hooks';

/** Batches are written at most this often, to keep timer load low. */
const BATCH_MS = 2;
/** The final byte is awaited by spinning for at most this long. */
const SPIN_MS = 1.2;

export class Pacer {
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private cancelled = false;

  constructor(private readonly write: (bytes: Buffer) => void) {}

  /** Sends `frame` starting on the wire at `startAt` (performance.now() ms); resolves when its last byte is out. */
  send(frame: Buffer, startAt: number, charMs: number): Promise<number> {
    return new Promise((resolve) => {
      let sent = 0;
      const dueOf = (i: number) => startAt + (i + 1) * charMs;
      const finalDue = dueOf(frame.length - 1);
      const step = () => {
        this.timer = undefined;
        this.immediate = undefined;
        if (this.cancelled) return resolve(performance.now());
        const now = performance.now();
        let upTo = sent;
        while (upTo < frame.length && dueOf(upTo) <= now) upTo++;
        if (upTo > sent) {
          this.write(frame.subarray(sent, upTo));
          sent = upTo;
        }
        if (sent >= frame.length) return resolve(now);
        const untilFinal = finalDue - now;
        if (untilFinal <= SPIN_MS) {
          this.immediate = setImmediate(step);
          return;
        }
        const nextWake = Math.min(Math.max(dueOf(sent), now + BATCH_MS), finalDue - SPIN_MS);
        this.timer = setTimeout(step, Math.max(0, nextWake - now));
      };
      step();
    });
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
  }
}
