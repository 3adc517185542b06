/**
 * Strict Modbus RTU framing (Modbus over Serial Line V1.02 §2.5.1.1, FACTS.md "Modbus over
 * serial line: timing"): a silence of 3.5 characters ends a frame, and a gap of more than
 * 1.5 characters inside a frame makes the whole frame invalid.
 *
 * A pseudo-terminal delivers a write at once, so the wire is emulated: a chunk occupies
 * the line for its length in characters from when it arrives (or from when the bytes
 * before it are done, if later), and a gap is the time from that emulated end to the
 * next chunk's arrival. A master that writes a frame in one go therefore makes one
 * frame; one that pauses mid-frame, or sends two frames with no silence between them,
 * is caught as it would be on a real line.
 */
import { performance } from 'node:perf_hooks';
import type { WireTiming } from './wire-timing.js';

export interface SilenceFrame {
  bytes: Buffer;
  /** When its first byte arrived and when its last byte left the (emulated) wire, performance.now() ms. */
  firstAt: number;
  endAt: number;
  /** A gap over 1.5 characters was seen inside it: a receiver must discard it. */
  broken: boolean;
}

export class SilenceFramer {
  private chunks: Buffer[] = [];
  private length = 0;
  private firstAt = 0;
  private endAt = 0;
  private broken = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * `onUpdate` hears the frame so far after every chunk (a receiver may prepare its answer,
   * to be withdrawn if the frame grows); `onEnd` hears it once the silence has ended it.
   */
  constructor(
    private readonly timing: WireTiming,
    private readonly onUpdate: (frame: SilenceFrame) => void,
    private readonly onEnd: (frame: SilenceFrame) => void,
  ) {}

  push(chunk: Buffer, now = performance.now()): void {
    if (this.length > 0) {
      const gap = now - this.endAt;
      // The end-of-frame timer may run late; a gap of 3.5 characters ended the frame all the same.
      if (gap >= this.timing.t35Ms) this.finish();
      else if (gap > this.timing.t15Ms) this.broken = true;
    }
    if (this.length === 0) {
      this.firstAt = now;
      this.endAt = now;
    }
    this.chunks.push(chunk);
    this.length += chunk.length;
    this.endAt = Math.max(this.endAt, now) + chunk.length * this.timing.charMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.finish(), Math.max(0, this.endAt + this.timing.t35Ms - performance.now()));
    this.onUpdate(this.current());
  }

  private current(): SilenceFrame {
    return {
      bytes: this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.length),
      firstAt: this.firstAt,
      endAt: this.endAt,
      broken: this.broken,
    };
  }

  private finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.length === 0) return;
    const frame = this.current();
    this.chunks = [];
    this.length = 0;
    this.broken = false;
    this.onEnd(frame);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
