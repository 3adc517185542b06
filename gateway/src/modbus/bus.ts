/**
 * The request scheduler of one bus. A serial bus carries one request at a time (one
 * master, several slaves, FACTS.md) and keeps the inter-frame silence plus the
 * configured pause between a reply and the next request; a TCP bus runs up to
 * maxInFlight requests at once. Requests are served first come, first served, and a
 * retry queues again at the back, so one failing device cannot hold the bus.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, ReadFunction } from '@gridsafe/shared';
import type { BusConfig } from '../config/types.js';
import { ModbusReadError } from './errors.js';
import type { ModbusLink, RawLine } from './link.js';
import { interFrameSilenceMs } from './timing.js';
import { RequestStats } from '../util/stats.js';

export interface BusRequest {
  unit: number;
  fn: ReadFunction;
  address: number;
  count: number;
  timeoutMs: number;
}

export type BusOutcome =
  | { ok: true; words: number[]; sentAt: number; latencyMs: number; noiseBytes: number }
  | { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number };

/**
 * An exchange of raw frames with one device (DL/T 645: a read and its follow-up frames),
 * holding the line from its first request to its last reply. Throws ModbusReadError.
 */
export type LineExchange<T> = (line: RawLine) => Promise<T>;

export type ExchangeOutcome<T> =
  | { ok: true; value: T; sentAt: number; latencyMs: number; noiseBytes: number }
  | { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number };

interface Queued {
  request: BusRequest | LineExchange<unknown>;
  resolve: (outcome: ExchangeOutcome<unknown>) => void;
}

/** Reconnect backoff of a bus whose port or socket cannot be opened. */
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

export class Bus {
  readonly stats = new RequestStats();
  private readonly queue: Queued[] = [];
  private inFlight = 0;
  private readonly concurrency: number;
  private readonly silenceMs: number;
  private lastFrameEnd = 0;
  private opening: Promise<void> | undefined;
  private reconnectAt = 0;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnects = 0;
  private stopped = false;
  private idle: Array<() => void> = [];

  constructor(
    readonly config: BusConfig,
    private readonly link: ModbusLink,
    private readonly log: Logger,
  ) {
    this.concurrency = config.kind === 'tcp' ? config.maxInFlight : 1;
    this.silenceMs = config.kind === 'serial' ? interFrameSilenceMs(config.baudRate, config) + config.pauseMs : 0;
  }

  get id(): string {
    return this.config.id;
  }

  /** Queues a read; resolves with its outcome (never rejects). */
  submit(request: BusRequest): Promise<BusOutcome> {
    return this.enqueue<number[]>(request).then((o) => (o.ok ? { ...o, words: o.value } : o));
  }

  /** Queues an exchange of raw frames (a serial bus only); it takes its turn with the Modbus requests. */
  submitExchange<T>(exchange: LineExchange<T>): Promise<ExchangeOutcome<T>> {
    return this.enqueue<T>(exchange);
  }

  private enqueue<T>(request: BusRequest | LineExchange<T>): Promise<ExchangeOutcome<T>> {
    if (this.stopped) return Promise.resolve(fail(new ModbusReadError('disconnected', `bus ${this.id} is stopped`)));
    return new Promise((resolve) => {
      this.queue.push({ request, resolve: resolve as (outcome: ExchangeOutcome<unknown>) => void });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      this.inFlight += 1;
      void this.run(next.request).then((outcome) => {
        this.inFlight -= 1;
        next.resolve(outcome);
        if (this.inFlight === 0 && this.queue.length === 0) for (const done of this.idle.splice(0)) done();
        this.drain();
      });
    }
  }

  private async run(request: BusRequest | LineExchange<unknown>): Promise<ExchangeOutcome<unknown>> {
    if (!this.link.isOpen) {
      const opened = await this.ensureOpen();
      if (opened) {
        this.stats.failure('disconnected');
        return fail(opened);
      }
    }
    if (this.silenceMs > 0) await waitUntil(this.lastFrameEnd + this.silenceMs);
    const sentAt = Date.now();
    const start = performance.now();
    try {
      const value = typeof request === 'function' ? await this.exchange(request) : await this.read(request);
      const latencyMs = performance.now() - start;
      this.stats.success(latencyMs);
      const noiseBytes = this.link.takeNoiseBytes();
      this.stats.noise(noiseBytes);
      return { ok: true, value, sentAt, latencyMs, noiseBytes };
    } catch (error) {
      const e = error instanceof ModbusReadError ? error : new ModbusReadError('other', String(error));
      this.stats.failure(e.kind);
      // Whatever is left on the line (garbage, a late or broken reply) must not be taken for the next reply.
      if (e.kind === 'timeout' || e.kind === 'crc' || e.kind === 'framing') this.link.discardInput();
      return { ok: false, error: e, sentAt, latencyMs: performance.now() - start };
    } finally {
      this.lastFrameEnd = performance.now();
    }
  }

  private read(request: BusRequest): Promise<number[]> {
    return this.link.read(request.unit, request.fn, request.address, request.count, request.timeoutMs);
  }

  private async exchange(exchange: LineExchange<unknown>): Promise<unknown> {
    const line = this.link.rawLine();
    if (!line) throw new ModbusReadError('disconnected', `bus ${this.id} has no serial line for DL/T 645 frames`);
    try {
      return await exchange(line);
    } finally {
      // The Modbus side buffered the same bytes; they are no Modbus reply.
      this.link.discardInput();
    }
  }

  /** Opens the link unless a recent attempt failed; returns the error when it is not usable. */
  private async ensureOpen(): Promise<ModbusReadError | undefined> {
    if (this.opening) {
      await this.opening;
      return this.link.isOpen ? undefined : new ModbusReadError('disconnected', `bus ${this.id} is not connected`);
    }
    if (Date.now() < this.reconnectAt)
      return new ModbusReadError(
        'disconnected',
        `bus ${this.id} is not connected (next attempt in ${this.reconnectAt - Date.now()} ms)`,
      );
    let failure: ModbusReadError | undefined;
    this.opening = (async () => {
      try {
        await this.link.open();
        this.reconnects += 1;
        this.reconnectDelay = RECONNECT_MIN_MS;
        this.log.info('bus connected');
        if (this.config.kind === 'tcp' && this.config.pauseAfterConnectMs > 0)
          await sleep(this.config.pauseAfterConnectMs);
      } catch (error) {
        failure = error instanceof ModbusReadError ? error : new ModbusReadError('disconnected', String(error));
        this.reconnectAt = Date.now() + this.reconnectDelay;
        this.log.warn({ err: failure.message, retryInMs: this.reconnectDelay }, 'cannot open the bus');
        this.reconnectDelay = Math.min(RECONNECT_MAX_MS, this.reconnectDelay * 2);
      }
    })();
    await this.opening;
    this.opening = undefined;
    return failure;
  }

  health(): Record<string, unknown> {
    return {
      kind: this.config.kind,
      connected: this.link.isOpen,
      queued: this.queue.length,
      inFlight: this.inFlight,
      connects: this.reconnects,
      ...this.stats.toJSON(),
    };
  }

  /** Stops taking requests; waits for the ones already on the wire; closes the link. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const queued of this.queue.splice(0))
      queued.resolve(fail(new ModbusReadError('disconnected', `bus ${this.id} is stopping`)));
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.link.close();
  }
}

/**
 * Waits until performance.now() reaches `deadline`. A timer alone overshoots by a
 * millisecond or more, which at 115200 baud is most of a 1.75 ms silence; so the timer
 * covers all but the last 1.5 ms and the rest yields through setImmediate, letting I/O run.
 */
async function waitUntil(deadline: number): Promise<void> {
  const remaining = deadline - performance.now();
  if (remaining <= 0) return;
  if (remaining > 2) await sleep(remaining - 1.5);
  while (performance.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
}

function fail(error: ModbusReadError): { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number } {
  return { ok: false, error, sentAt: Date.now(), latencyMs: 0 };
}
