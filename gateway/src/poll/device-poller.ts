/**
 * Polls one device on its interval: runs its planned requests through the bus, retries
 * what can be retried, decodes the replies into one reading, and tracks whether the
 * device is reachable.
 *
 * - The first request of a poll goes alone; if it gets no answer after its retries, the
 *   rest of the poll is skipped, so a silent device costs one request's attempts a poll.
 * - A device that fails `commLostAfter` polls in a row is reported comm_lost and probed
 *   with one request (no retries) per backoff step, the interval doubling up to
 *   backoffMax; probes and retries queue behind healthy devices' requests on the bus.
 *   When the bus's link reopens, a lost device is probed at once. The first poll it
 *   answers reports comm_restored, with downMs counted from the last good read.
 * - Exception 2 on a read makes the poller split it and learn the holes (hole-finder.ts);
 *   learned holes stay for the device's life and the plan is made again without them.
 * - A healthy device whose poll is due while the last one is still waiting for the bus
 *   polls right after it (once), so a slow neighbour delays its readings but does not
 *   thin them; a failing device's late polls are skipped (counted as overruns).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, Reading, ReadingValues, RegisterHole } from '@gridsafe/shared';
import type { DeviceConfig } from '../config/types.js';
import type { Bus, BusOutcome, SubmitOptions } from '../modbus/bus.js';
import { EXCEPTION_ILLEGAL_ADDRESS, type ErrorKind, type ModbusReadError } from '../modbus/errors.js';
import { planRequests, type PlannedRequest } from '../modbus/planner.js';
import { RequestStats } from '../util/stats.js';
import { decodeReply, type DecodedValue } from './decode.js';
import { describeHole, findHoles, isIllegalAddress, type ReadPart } from './hole-finder.js';

export type DeviceEventSink = (
  device: string,
  type: 'comm_lost' | 'comm_restored' | 'meter_status',
  detail: Record<string, unknown>,
) => void;

/** One attempt at a request, whatever the protocol: the fields retries and statistics need. */
export type AttemptOutcome =
  | { ok: true; sentAt: number; latencyMs: number; noiseBytes: number }
  | { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number };

/** What a device's poller hands to its successor when the configuration is reloaded. */
export interface DeviceCommState {
  lost: boolean;
  failures: number;
  lastOkAt: number | null;
  startedAt: number;
  /** Holes learned at run time; kept only while the device keeps its bus, unit and profile. */
  learnedHoles: RegisterHole[];
  bus: string;
  unit: number;
  profile: string;
}

/** Errors that mean the device did not answer (as opposed to answering with an exception). */
const NO_ANSWER: ReadonlySet<ErrorKind> = new Set(['timeout', 'crc', 'framing', 'other', 'disconnected']);
const RETRYABLE: ReadonlySet<ErrorKind> = new Set(['timeout', 'crc', 'framing', 'other']);

interface RequestResult {
  parts: ReadPart[];
  error: ModbusReadError | undefined;
  /** The device answered (if only with exception 2 to part of it). */
  answered: boolean;
}

export class DevicePoller {
  plan: PlannedRequest[];
  readonly stats = new RequestStats();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Reading | undefined> | undefined;
  private stopped = true;
  private failures = 0;
  private lost = false;
  private lastOkAt: number | null = null;
  private startedAt = Date.now();
  /** When this poller began, for its share of bus time (the counters start with it). */
  private readonly createdAt = Date.now();
  private lastError: ModbusReadError | undefined;
  private polls = 0;
  private overruns = 0;
  private latePolls = 0;
  private skippedRequests = 0;
  private owed = false;
  private suspectReadings = 0;
  private nextDue = 0;
  private learnedHoles: RegisterHole[] = [];
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly device: DeviceConfig,
    protected readonly bus: Bus,
    private readonly onReading: (reading: Reading) => void,
    protected readonly onEvent: DeviceEventSink,
    protected readonly log: Logger,
    previous?: DeviceCommState,
  ) {
    if (previous) {
      this.lost = previous.lost;
      this.failures = previous.failures;
      this.lastOkAt = previous.lastOkAt;
      this.startedAt = previous.startedAt;
      const same =
        previous.bus === device.bus && previous.unit === device.unit && previous.profile === device.profile.id;
      if (same) this.learnedHoles = previous.learnedHoles;
    }
    this.plan = this.makePlan();
  }

  private makePlan(): PlannedRequest[] {
    return planRequests(this.device.profile.registers, {
      maxRegisters: this.device.maxRegistersPerRequest,
      gapFill: this.device.polling.gapFill,
      holes: [...this.device.profile.holes, ...this.learnedHoles],
    });
  }

  start(firstDelayMs = 0): void {
    this.stopped = false;
    this.nextDue = Date.now() + firstDelayMs;
    this.unsubscribe = this.bus.onConnected(() => this.linkReopened());
    this.schedule();
  }

  /** Current interval: the configured one, or longer while the device is lost. */
  private intervalMs(): number {
    if (!this.lost) return this.device.pollIntervalMs;
    const over = Math.max(0, this.failures - this.device.polling.commLostAfter);
    return Math.min(
      this.device.polling.backoffMaxMs,
      Math.max(this.device.pollIntervalMs, this.device.pollIntervalMs * 2 ** over),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = Date.now();
        // Keep the grid (start + k·interval) so the poll rate does not drift with request times.
        const interval = this.intervalMs();
        this.nextDue += interval;
        if (this.nextDue <= now) this.nextDue = now + interval;
        if (!this.running) void this.pollNow();
        else if (this.failures === 0 && !this.owed) this.owed = true;
        else this.overruns += 1;
        this.schedule();
      },
      Math.max(0, this.nextDue - Date.now()),
    );
  }

  /** The bus's link has (re)opened: a device that was failing is probed now rather than at its next backoff step. */
  private linkReopened(): void {
    if (this.stopped || (!this.lost && this.failures === 0)) return;
    this.nextDue = Date.now();
    if (this.timer) clearTimeout(this.timer);
    this.schedule();
  }

  /** Polls at once (also used by read-now and the midnight job); joins a poll already under way. */
  pollNow(): Promise<Reading | undefined> {
    if (this.running) return this.running;
    this.running = this.pollOnce().finally(() => {
      this.running = undefined;
      if (this.owed && !this.stopped) {
        this.owed = false;
        this.latePolls += 1;
        void this.pollNow();
      }
    });
    return this.running;
  }

  private async pollOnce(): Promise<Reading | undefined> {
    try {
      const decoded: DecodedValue[] = [];
      const { anyOk, readAt } = await this.readAll(decoded);
      if (!anyOk) {
        this.failed();
        return undefined;
      }
      this.succeeded();
      if (decoded.length === 0) return undefined;
      const values: ReadingValues = {};
      let suspect = false;
      for (const value of decoded) {
        values[value.quantity] = value.value;
        if (value.suspect) suspect = true;
      }
      if (suspect) this.suspectReadings += 1;
      const reading: Reading = { device: this.device.id, ts: readAt!, values, quality: suspect ? 'suspect' : 'good' };
      this.onReading(reading);
      return reading;
    } finally {
      // Counted once done, so a status shows a poll together with the requests it made.
      this.polls += 1;
    }
  }

  /** Reads every planned request and decodes what came back (a DL/T 645 poller reads its DIs instead). */
  protected async readAll(decoded: DecodedValue[]): Promise<{ anyOk: boolean; readAt: number | undefined }> {
    const results = await this.firstThenRest(this.plan, (request) => this.readRequest(request));
    let readAt: number | undefined;
    for (const result of results) {
      if (result.error) this.lastError = result.error;
      for (const part of result.parts) {
        readAt = readAt === undefined ? part.sentAt : Math.min(readAt, part.sentAt);
        decodeReply(part.request, part.words, this.device, decoded);
      }
    }
    return { anyOk: readAt !== undefined, readAt };
  }

  /**
   * Reads the first item alone; when it got no answer (after its retries) the rest are
   * skipped, as they would only cost the bus more timeouts; otherwise the rest in parallel,
   * or `oneAtATime` (a DL/T 645 meter's dozen reads queued at once would hold a FIFO bus).
   */
  protected async firstThenRest<I, R extends { error: ModbusReadError | undefined; answered: boolean }>(
    items: readonly I[],
    readOne: (item: I) => Promise<R>,
    oneAtATime = false,
  ): Promise<R[]> {
    if (items.length === 0) return [];
    const first = await readOne(items[0]!);
    if (!first.answered && first.error && NO_ANSWER.has(first.error.kind)) {
      this.skippedRequests += items.length - 1;
      return [first];
    }
    if (!oneAtATime) return [first, ...(await Promise.all(items.slice(1).map(readOne)))];
    const results = [first];
    for (const item of items.slice(1)) results.push(await readOne(item));
    return results;
  }

  /** Keeps a failed outcome's error for the comm_lost event; true when it succeeded. */
  protected noteOutcome(outcome: AttemptOutcome): outcome is Extract<AttemptOutcome, { ok: true }> {
    if (!outcome.ok) this.lastError = outcome.error;
    return outcome.ok;
  }

  /** Reads one planned request; on exception 2, splits it and learns the holes. */
  private async readRequest(request: PlannedRequest): Promise<RequestResult> {
    const outcome = await this.readRegisters(request);
    if (outcome.ok)
      return {
        parts: [{ request, words: outcome.words, sentAt: outcome.sentAt }],
        error: undefined,
        answered: true,
      };
    if (!isIllegalAddress(outcome)) return { parts: [], error: outcome.error, answered: false };
    const search = await findHoles(request, outcome, (part) => this.readRegisters(part));
    if (search.holes.length > 0) {
      this.learnedHoles.push(...search.holes);
      this.plan = this.makePlan();
      const unreadable = request.values
        .filter((v) => !this.plan.some((p) => p.values.some((w) => w.register === v.register)))
        .map((v) => v.register.quantity);
      this.log.warn(
        {
          device: this.device.id,
          holes: search.holes.map(describeHole),
          unreadable,
          requestsPerPoll: this.plan.length,
        },
        'device refused a read (exception 2): learned its holes; reads no longer span them',
      );
    }
    return { parts: search.parts, error: search.error, answered: true };
  }

  private readRegisters(request: PlannedRequest): Promise<BusOutcome> {
    return this.readWithRetries({ address: request.address, count: request.count }, (options) =>
      this.bus.submit({
        unit: this.device.unit,
        fn: request.function,
        address: request.address,
        count: request.count,
        timeoutMs: this.device.polling.timeoutMs,
        ...options,
      }),
    );
  }

  /**
   * Runs `tryOnce` until it succeeds or its error may not be retried; `what` names the
   * request in logs. `tryOnce` passes the options on to the bus: the priority (retries and
   * failing devices wait behind healthy devices) and this device's bus-time account.
   */
  protected async readWithRetries<T extends AttemptOutcome>(
    what: Record<string, unknown>,
    tryOnce: (options: SubmitOptions) => Promise<T>,
  ): Promise<T> {
    const polling = this.device.polling;
    // A lost device gets one attempt per poll: retries would only hold the bus longer.
    const retries = this.lost ? 0 : polling.retries;
    const busyRetries = this.lost ? 0 : polling.busyRetries;
    let attempt = 0;
    let busyAttempt = 0;
    for (;;) {
      const outcome = await tryOnce({
        priority: this.lost || this.failures > 0 || attempt + busyAttempt > 0 ? 'low' : 'normal',
        account: this.stats,
      });
      if (outcome.ok) {
        this.stats.success(outcome.latencyMs);
        this.stats.noise(outcome.noiseBytes);
        return outcome;
      }
      this.stats.failure(outcome.error.kind);
      if (this.stopped) return outcome;
      const kind = outcome.error.kind;
      if (kind === 'busy' && busyAttempt < busyRetries) {
        await sleep(polling.busyBackoffMs * 2 ** busyAttempt);
        busyAttempt += 1;
      } else if (RETRYABLE.has(kind) && attempt < retries) {
        await sleep(polling.retryBackoffMs * 2 ** attempt);
        attempt += 1;
      } else {
        if (kind === 'exception' && outcome.error.exceptionCode !== EXCEPTION_ILLEGAL_ADDRESS)
          this.log.warn({ device: this.device.id, ...what, err: outcome.error.message }, 'device refused a request');
        return outcome;
      }
      this.stats.retries += 1;
      this.bus.stats.retries += 1;
    }
  }

  private failed(): void {
    this.failures += 1;
    if (!this.lost && this.failures >= this.device.polling.commLostAfter) {
      this.lost = true;
      const detail = {
        bus: this.device.bus,
        unit: this.device.unit,
        failedPolls: this.failures,
        error: this.lastError?.kind ?? 'unknown',
        message: this.lastError?.message ?? '',
        lastOkAt: this.lastOkAt,
      };
      this.log.warn({ device: this.device.id, ...detail }, 'device communication lost');
      this.onEvent(this.device.id, 'comm_lost', detail);
    }
  }

  private succeeded(): void {
    const now = Date.now();
    if (this.lost) {
      const detail = {
        bus: this.device.bus,
        unit: this.device.unit,
        failedPolls: this.failures,
        // From the last good read (or the start, for a device never read): how long no data came.
        downMs: now - (this.lastOkAt ?? this.startedAt),
        lastOkAt: this.lastOkAt,
      };
      this.log.info({ device: this.device.id, ...detail }, 'device communication restored');
      this.onEvent(this.device.id, 'comm_restored', detail);
      // Back to the normal grid straight away.
      this.nextDue = now + this.device.pollIntervalMs;
      if (this.timer && !this.stopped) {
        clearTimeout(this.timer);
        this.schedule();
      }
    }
    this.lost = false;
    this.failures = 0;
    this.lastOkAt = now;
  }

  /** The state a reloaded configuration's poller for the same device id continues from. */
  commState(): DeviceCommState {
    return {
      lost: this.lost,
      failures: this.failures,
      lastOkAt: this.lastOkAt,
      startedAt: this.startedAt,
      learnedHoles: this.learnedHoles,
      bus: this.device.bus,
      unit: this.device.unit,
      profile: this.device.profile.id,
    };
  }

  health(): Record<string, unknown> {
    const elapsedMs = Math.max(1, Date.now() - this.createdAt);
    return {
      bus: this.device.bus,
      unit: this.device.unit,
      profile: this.device.profile.id,
      state: this.lost ? 'comm_lost' : this.lastOkAt === null ? 'unknown' : 'ok',
      lastOkAt: this.lastOkAt,
      polls: this.polls,
      overruns: this.overruns,
      latePolls: this.latePolls,
      skippedRequests: this.skippedRequests,
      failedPollsInRow: this.failures,
      suspectReadings: this.suspectReadings,
      requestsPerPoll: this.plan.length,
      intervalMs: this.intervalMs(),
      holes: [
        ...this.device.profile.holes.map((h) => ({ ...h, learned: false })),
        ...this.learnedHoles.map((h) => ({ ...h, learned: true })),
      ],
      ...this.stats.toJSON(),
      busShare: Math.round((this.stats.busTimeMs / elapsedMs) * 10_000) / 10_000,
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.owed = false;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running.catch(() => undefined);
  }
}
