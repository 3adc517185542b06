/**
 * Polls one device on its interval: runs its planned requests through the bus, retries
 * what can be retried, decodes the replies into one reading, and tracks whether the
 * device is reachable. A device that fails `commLostAfter` polls in a row is reported
 * comm_lost and polled less often (backoff up to backoffMax, with single attempts, so a
 * dead slave costs the shared bus at most one timeout per attempt); the first poll it
 * answers again reports comm_restored.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, Reading, ReadingValues } from '@gridsafe/shared';
import type { DeviceConfig } from '../config/types.js';
import type { Bus } from '../modbus/bus.js';
import type { ModbusReadError } from '../modbus/errors.js';
import { planRequests, type PlannedRequest } from '../modbus/planner.js';
import { RequestStats } from '../util/stats.js';
import { decodeReply, type DecodedValue } from './decode.js';

export type DeviceEventSink = (
  device: string,
  type: 'comm_lost' | 'comm_restored' | 'meter_status',
  detail: Record<string, unknown>,
) => void;

/** One attempt at a request, whatever the protocol: the fields retries and statistics need. */
export type AttemptOutcome =
  | { ok: true; sentAt: number; latencyMs: number; noiseBytes: number }
  | { ok: false; error: ModbusReadError; sentAt: number; latencyMs: number };

export class DevicePoller {
  readonly plan: PlannedRequest[];
  readonly stats = new RequestStats();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Reading | undefined> | undefined;
  private stopped = true;
  private failures = 0;
  private lost = false;
  private lostSince = 0;
  private lastOkAt: number | null = null;
  private lastError: ModbusReadError | undefined;
  private polls = 0;
  private overruns = 0;
  private suspectReadings = 0;
  private nextDue = 0;

  constructor(
    readonly device: DeviceConfig,
    protected readonly bus: Bus,
    private readonly onReading: (reading: Reading) => void,
    protected readonly onEvent: DeviceEventSink,
    protected readonly log: Logger,
  ) {
    this.plan = planRequests(device.profile.registers, {
      maxRegisters: device.maxRegistersPerRequest,
      gapFill: device.polling.gapFill,
    });
  }

  start(firstDelayMs = 0): void {
    this.stopped = false;
    this.nextDue = Date.now() + firstDelayMs;
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
        if (this.running) this.overruns += 1;
        else void this.pollNow();
        this.schedule();
      },
      Math.max(0, this.nextDue - Date.now()),
    );
  }

  /** Polls at once (also used by read-now and the midnight job); joins a poll already under way. */
  pollNow(): Promise<Reading | undefined> {
    if (this.running) return this.running;
    this.running = this.pollOnce().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pollOnce(): Promise<Reading | undefined> {
    this.polls += 1;
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
  }

  /** Reads every planned request and decodes what came back (a DL/T 645 poller reads its DIs instead). */
  protected async readAll(decoded: DecodedValue[]): Promise<{ anyOk: boolean; readAt: number | undefined }> {
    const polling = this.device.polling;
    const outcomes = await Promise.all(
      this.plan.map((request) =>
        this.readWithRetries({ address: request.address, count: request.count }, () =>
          this.bus.submit({
            unit: this.device.unit,
            fn: request.function,
            address: request.address,
            count: request.count,
            timeoutMs: polling.timeoutMs,
          }),
        ),
      ),
    );
    let readAt: number | undefined;
    let anyOk = false;
    outcomes.forEach((outcome, i) => {
      if (!this.noteOutcome(outcome)) return;
      anyOk = true;
      readAt = readAt === undefined ? outcome.sentAt : Math.min(readAt, outcome.sentAt);
      decodeReply(this.plan[i]!, outcome.words, this.device, decoded);
    });
    return { anyOk, readAt };
  }

  /** Keeps a failed outcome's error for the comm_lost event; true when it succeeded. */
  protected noteOutcome(outcome: AttemptOutcome): outcome is Extract<AttemptOutcome, { ok: true }> {
    if (!outcome.ok) this.lastError = outcome.error;
    return outcome.ok;
  }

  /** Runs `tryOnce` until it succeeds or its error may not be retried; `what` names the request in logs. */
  protected async readWithRetries<T extends AttemptOutcome>(
    what: Record<string, unknown>,
    tryOnce: () => Promise<T>,
  ): Promise<T> {
    const polling = this.device.polling;
    // A lost device gets one attempt per poll: retries would only hold the bus longer.
    const retries = this.lost ? 0 : polling.retries;
    const busyRetries = this.lost ? 0 : polling.busyRetries;
    let attempt = 0;
    let busyAttempt = 0;
    for (;;) {
      const outcome = await tryOnce();
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
      } else if (
        (kind === 'timeout' || kind === 'crc' || kind === 'framing' || kind === 'other') &&
        attempt < retries
      ) {
        await sleep(polling.retryBackoffMs * 2 ** attempt);
        attempt += 1;
      } else {
        if (kind === 'exception')
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
      this.lostSince = Date.now();
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
        downMs: now - this.lostSince,
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

  health(): Record<string, unknown> {
    return {
      bus: this.device.bus,
      unit: this.device.unit,
      profile: this.device.profile.id,
      state: this.lost ? 'comm_lost' : this.lastOkAt === null ? 'unknown' : 'ok',
      lastOkAt: this.lastOkAt,
      polls: this.polls,
      overruns: this.overruns,
      failedPollsInRow: this.failures,
      suspectReadings: this.suspectReadings,
      requestsPerPoll: this.plan.length,
      intervalMs: this.intervalMs(),
      ...this.stats.toJSON(),
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await this.running.catch(() => undefined);
  }
}
