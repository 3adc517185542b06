/**
 * One direction of the emulated link. Every connection's bytes in that direction share
 * it, as they share a real radio link: a FIFO queue, drained through a token bucket
 * (bandwidth), then delivered after a fixed one-way delay (latency, so order is kept).
 * A stalled lane moves nothing (a link that silently drops packets while TCP waits);
 * clearing a connection from it discards what was still queued (a reset link).
 */
import { TokenBucket } from './token-bucket.js';

/** What travels: bytes, or the end of the stream (FIN), or an abort (RST). */
export type Signal = { kind: 'data'; bytes: Buffer } | { kind: 'end' } | { kind: 'reset' };

/** One connection's flow through a lane: where it is delivered and how much it has queued. */
export interface Flow {
  readonly id: number;
  alive: boolean;
  queuedBytes: number;
  deliver(signal: Signal): void;
  /** Called when the flow's queue falls below the low-water mark (resume reading its source). */
  drained(): void;
}

export interface LaneCounters {
  /** Bytes that crossed the link (MQTT packets with their headers, for an MQTT client). */
  bytes: number;
  /** Bytes discarded: queued, or already in flight, when a cut reset their connection. */
  droppedBytes: number;
  queuedBytes: number;
}

export interface LaneOptions {
  /** Bits a second, or null for an unlimited lane. */
  bitsPerSecond: number | null;
  burstBytes: number;
  latencyMs: number;
  /** Called with every piece as it is transmitted (after the bucket, before the delay). */
  onTransmit?: (bytes: Buffer, flowId: number) => void;
}

/** Smallest piece worth a timer at low rates; 40 kbit/s moves 512 bytes in ~100 ms. */
const QUANTUM_BYTES = 512;
export const LOW_WATER_BYTES = 16 * 1024;

export class Lane {
  private readonly queue: { flow: Flow; signal: Signal }[] = [];
  private readonly bucket: TokenBucket | null;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<NodeJS.Timeout>();
  private stalled = false;
  readonly counters: LaneCounters = { bytes: 0, droppedBytes: 0, queuedBytes: 0 };

  constructor(private readonly options: LaneOptions) {
    this.bucket =
      options.bitsPerSecond === null ? null : new TokenBucket(options.bitsPerSecond / 8, options.burstBytes);
  }

  push(flow: Flow, signal: Signal): void {
    if (signal.kind === 'data') {
      flow.queuedBytes += signal.bytes.length;
      this.counters.queuedBytes += signal.bytes.length;
    }
    this.queue.push({ flow, signal });
    this.pump();
  }

  stall(): void {
    this.stalled = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  resume(): void {
    this.stalled = false;
    this.pump();
  }

  /** Forgets everything of a flow still queued here; returns the bytes discarded. */
  clear(flow: Flow): number {
    let dropped = 0;
    for (let i = this.queue.length - 1; i >= 0; i -= 1) {
      const entry = this.queue[i];
      if (entry?.flow !== flow) continue;
      if (entry.signal.kind === 'data') dropped += entry.signal.bytes.length;
      this.queue.splice(i, 1);
    }
    flow.queuedBytes -= dropped;
    this.counters.queuedBytes -= dropped;
    this.counters.droppedBytes += dropped;
    return dropped;
  }

  close(): void {
    this.stall();
    for (const timer of this.inFlight) clearTimeout(timer);
    this.inFlight.clear();
    this.queue.length = 0;
    this.counters.queuedBytes = 0;
  }

  private pump(): void {
    if (this.stalled || this.timer) return;
    while (this.queue.length > 0) {
      const head = this.queue[0] as { flow: Flow; signal: Signal };
      if (head.signal.kind !== 'data') {
        this.queue.shift();
        this.send(head.flow, head.signal);
        continue;
      }
      const bytes = head.signal.bytes;
      const granted = this.bucket ? this.bucket.take(bytes.length, QUANTUM_BYTES) : bytes.length;
      if (granted === 0) {
        const wait = Math.max(1, Math.ceil((this.bucket as TokenBucket).waitMs(Math.min(bytes.length, QUANTUM_BYTES))));
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      const piece = bytes.subarray(0, granted);
      if (granted === bytes.length) this.queue.shift();
      else head.signal = { kind: 'data', bytes: bytes.subarray(granted) };
      head.flow.queuedBytes -= granted;
      this.counters.queuedBytes -= granted;
      this.counters.bytes += granted;
      this.options.onTransmit?.(piece, head.flow.id);
      this.send(head.flow, { kind: 'data', bytes: piece });
      if (head.flow.queuedBytes < LOW_WATER_BYTES) head.flow.drained();
    }
  }

  /** Delivers after the one-way delay; a flow reset meanwhile loses what was in flight. */
  private send(flow: Flow, signal: Signal): void {
    const arrive = () => {
      if (flow.alive) flow.deliver(signal);
      else if (signal.kind === 'data') this.counters.droppedBytes += signal.bytes.length;
    };
    if (this.options.latencyMs <= 0) {
      arrive();
      return;
    }
    // Same delay for every piece, and Node runs equal timeouts in order: FIFO is kept.
    const timer = setTimeout(() => {
      this.inFlight.delete(timer);
      arrive();
    }, this.options.latencyMs);
    this.inFlight.add(timer);
  }
}
