/**
 * The request scheduler of one bus. A serial bus carries one request at a time (one
 * master, several slaves, FACTS.md) and keeps the inter-frame silence plus the
 * configured pause between a reply and the next request; a TCP bus runs up to
 * maxInFlight requests at once. Requests of healthy devices go first (first come, first
 * served); retries and probes of failing devices wait behind them, so a device that does
 * not answer spends only the bus time its healthy neighbours leave free.
 *
 * A link that cannot be opened (or drops) is reopened in the background with a backoff
 * from RECONNECT_MIN_MS doubling to the bus's reconnectMax; each time it opens, the
 * listeners hear of it (the pollers of lost devices probe at once).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, ReadFunction } from '@gridsafe/shared';
import type { BusConfig } from '../config/types.js';
import { ModbusReadError } from './errors.js';
import type { ModbusLink, RawLine } from './link.js';
import { interFrameSilenceMs } from './timing.js';
import { RequestStats } from '../util/stats.js';

export interface SubmitOptions {
  /** `low`: a retry or a probe of a failing device, served after every waiting `normal` request. */
  priority?: 'normal' | 'low';
  /** The requesting device's counters: its bus time is added at the same moment as the bus's own. */
  account?: RequestStats;
}

export interface BusRequest extends SubmitOptions {
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
  options: SubmitOptions;
  resolve: (outcome: ExchangeOutcome<unknown>) => void;
}

/** First delay before reopening a link that failed; it doubles up to the bus's reconnectMax. */
export const RECONNECT_MIN_MS = 500;

export class Bus {
  readonly stats = new RequestStats();
  private readonly queue: Queued[] = [];
  private readonly lowQueue: Queued[] = [];
  private inFlight = 0;
  private readonly concurrency: number;
  private readonly silenceMs: number;
  /** The configured pause after each reply, which DL/T 645 frames keep too (see run). */
  private readonly pauseMs: number;
  /** Above 19200 baud the silence is kept to a fraction of a millisecond (see waitUntil). */
  private readonly preciseSilence: boolean;
  private lastFrameEnd = 0;
  /** The last exchange on the line was a DL/T 645 one that got its whole reply (see run). */
  private lastWasWholeDlt645 = false;
  private opening: Promise<ModbusReadError | undefined> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnects = 0;
  private stopped = false;
  private idle: Array<() => void> = [];
  private readonly connectedListeners = new Set<() => void>();

  constructor(
    readonly config: BusConfig,
    private readonly link: ModbusLink,
    private readonly log: Logger,
  ) {
    this.concurrency = config.kind === 'tcp' ? config.maxInFlight : 1;
    this.pauseMs = config.kind === 'serial' ? config.pauseMs : 0;
    this.silenceMs = config.kind === 'serial' ? interFrameSilenceMs(config.baudRate, config) + this.pauseMs : 0;
    this.preciseSilence = config.kind === 'serial' && config.baudRate > 19200;
  }

  get id(): string {
    return this.config.id;
  }

  /** Calls `listener` each time the link (re)opens; returns the function that stops it. */
  onConnected(listener: () => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  /** Queues a read; resolves with its outcome (never rejects). */
  submit(request: BusRequest): Promise<BusOutcome> {
    return this.enqueue<number[]>(request, request).then((o) => (o.ok ? { ...o, words: o.value } : o));
  }

  /** Queues an exchange of raw frames (a serial bus only); it takes its turn with the Modbus requests. */
  submitExchange<T>(exchange: LineExchange<T>, options: SubmitOptions = {}): Promise<ExchangeOutcome<T>> {
    return this.enqueue<T>(exchange, options);
  }

  private enqueue<T>(request: BusRequest | LineExchange<T>, options: SubmitOptions): Promise<ExchangeOutcome<T>> {
    if (this.stopped) return Promise.resolve(fail(new ModbusReadError('disconnected', `bus ${this.id} is stopped`)));
    return new Promise((resolve) => {
      (options.priority === 'low' ? this.lowQueue : this.queue).push({
        request,
        options,
        resolve: resolve as (outcome: ExchangeOutcome<unknown>) => void,
      });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.concurrency) {
      const next = this.queue.shift() ?? this.lowQueue.shift();
      if (!next) return;
      this.inFlight += 1;
      void this.run(next.request, next.options).then((outcome) => {
        this.inFlight -= 1;
        next.resolve(outcome);
        if (this.inFlight === 0 && this.queue.length === 0 && this.lowQueue.length === 0)
          for (const done of this.idle.splice(0)) done();
        // Next turn, not now: the device just answered may queue its next request first (its
        // poll's remaining requests follow the first), rather than a waiting retry taking the line.
        setImmediate(() => this.drain());
      });
    }
  }

  private async run(
    request: BusRequest | LineExchange<unknown>,
    options: SubmitOptions,
  ): Promise<ExchangeOutcome<unknown>> {
    if (!this.link.isOpen) {
      const failure = await this.ensureOpen();
      if (failure) {
        this.stats.failure('disconnected');
        return fail(failure);
      }
    }
    const isExchange = typeof request === 'function';
    // Between two DL/T 645 frames the master keeps no 3.5-character silence: a 645 frame is
    // delimited by its own bytes (FACTS.md: `[FE×0–4] 68 A0..A5 68 C L DATA CS 16`, its
    // length in L, and masters send 4×FE wake-up bytes before each request), so the next
    // request goes out as soon as the whole reply is in, with no timer to wait out (only the
    // configured pause, if any). Next to Modbus frames, and after a failed exchange (a late
    // reply may still be coming), the silence is kept.
    const silenceMs = isExchange && this.lastWasWholeDlt645 ? this.pauseMs : this.silenceMs;
    this.lastWasWholeDlt645 = false;
    if (silenceMs > 0) await waitUntil(this.lastFrameEnd + silenceMs, this.preciseSilence);
    const sentAt = Date.now();
    const start = performance.now();
    try {
      const value = isExchange ? await this.exchange(request) : await this.read(request);
      this.lastWasWholeDlt645 = isExchange;
      const latencyMs = performance.now() - start;
      this.stats.success(latencyMs);
      this.stats.busTime(latencyMs);
      options.account?.busTime(latencyMs);
      const noiseBytes = this.link.takeNoiseBytes();
      this.stats.noise(noiseBytes);
      return { ok: true, value, sentAt, latencyMs, noiseBytes };
    } catch (error) {
      const e = error instanceof ModbusReadError ? error : new ModbusReadError('other', String(error));
      const latencyMs = performance.now() - start;
      this.stats.failure(e.kind);
      this.stats.busTime(latencyMs);
      options.account?.busTime(latencyMs);
      // Whatever is left on the line (garbage, a late or broken reply) must not be taken for the next reply.
      if (e.kind === 'timeout' || e.kind === 'crc' || e.kind === 'framing') this.link.discardInput();
      return { ok: false, error: e, sentAt, latencyMs };
    } finally {
      // The silence runs from the reply's last byte, not from when its promise chain got here
      // (a read of DL/T 645 at 9600 baud is 60 ms; this was up to a millisecond of each).
      const now = performance.now();
      const lastByte = this.link.lastReceivedAt;
      this.lastFrameEnd = lastByte > start ? Math.min(lastByte, now) : now;
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

  /**
   * Opens the link at once the first time it is found closed; while a background reconnect
   * is scheduled, requests fail straight away rather than each trying (and waiting) again.
   */
  private async ensureOpen(): Promise<ModbusReadError | undefined> {
    if (this.opening) {
      await this.opening;
      return this.link.isOpen ? undefined : new ModbusReadError('disconnected', `bus ${this.id} is not connected`);
    }
    if (this.reconnectTimer)
      return new ModbusReadError('disconnected', `bus ${this.id} is not connected (reconnecting)`);
    return this.open();
  }

  private open(): Promise<ModbusReadError | undefined> {
    this.opening ??= (async () => {
      try {
        await this.link.open();
        this.reconnects += 1;
        this.reconnectDelay = RECONNECT_MIN_MS;
        this.log.info({ connects: this.reconnects }, 'bus connected');
        if (this.config.kind === 'tcp' && this.config.pauseAfterConnectMs > 0)
          await sleep(this.config.pauseAfterConnectMs);
        for (const listener of this.connectedListeners) listener();
        return undefined;
      } catch (error) {
        const failure = error instanceof ModbusReadError ? error : new ModbusReadError('disconnected', String(error));
        this.log.warn({ err: failure.message, retryInMs: this.reconnectDelay }, 'cannot open the bus');
        this.scheduleReconnect();
        return failure;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.config.reconnectMaxMs, this.reconnectDelay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped && !this.link.isOpen) void this.open();
    }, delay);
  }

  health(): Record<string, unknown> {
    return {
      kind: this.config.kind,
      connected: this.link.isOpen,
      queued: this.queue.length + this.lowQueue.length,
      inFlight: this.inFlight,
      connects: this.reconnects,
      ...this.stats.toJSON(),
    };
  }

  /** Stops taking requests; waits for the ones already on the wire; closes the link. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.connectedListeners.clear();
    for (const queued of [...this.queue.splice(0), ...this.lowQueue.splice(0)])
      queued.resolve(fail(new ModbusReadError('disconnected', `bus ${this.id} is stopping`)));
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.opening;
    await this.link.close();
  }
}

/**
 * Waits until performance.now() reaches `deadline`. A timer alone overshoots by up to a
 * millisecond or so: nothing at 19200 baud and below, where the silence is 2 ms or more
 * and a read cycle tens of ms, but most of the fixed 1.75 ms silence above 19200 baud. So
 * with `precise` (above 19200 baud) the timer covers all but the last 1.5 ms and the rest
 * yields through setImmediate, which keeps the line busy at the cost of that much CPU per
 * request; otherwise timers only, which costs next to no CPU (bench:footprint).
 */
async function waitUntil(deadline: number, precise: boolean): Promise<void> {
  if (precise) {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return;
    if (remaining > 2) await sleep(remaining - 1.5);
    while (performance.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve));
    return;
  }
  // A timer may fire a little early against performance.now() (the loop's clock is cached): check and wait again.
  for (let left = deadline - performance.now(); left > 0; left = deadline - performance.now())
    await sleep(Math.ceil(left));
}

function fail(error: ModbusReadError): { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number } {
  return { ok: false, error, sentAt: Date.now(), latencyMs: 0 };
}
