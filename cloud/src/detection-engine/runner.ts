/**
 * Hosts the detection engine: hands it each newly stored batch and each gateway
 * event after the broker has acknowledged them (detection never slows the PUBACK),
 * ticks its clock, and marks batches processed in the ingest ledger so that a crash
 * between storing and detecting is made good at the next start (replayPending).
 *
 * Detector state is written behind (detector-state-store.ts) and committed by `saveState`,
 * always between two engine calls, then the batches processed before it are marked:
 * - every `intervalMs`, and once `maxBatches` batches are unmarked, whichever comes first;
 * - right after a call that changed alerts or cases, so the state that caused a change
 *   is written with it (only a crash in the moment between the two makes a replay
 *   carry out that change again: a raise then updates the open alert);
 * - on close, and whenever the owner of the state asks (`saveState`, e.g. before it gives
 *   up subjects to another instance).
 * After a crash, what is recomputed: the batches not yet marked (at most `intervalMs` or
 * `maxBatches` of them, none of which changed an alert or case) are offered to detection again
 * from the ledger, against the state saved with the last mark, so detectors see the same
 * readings in the same order and end where they would have. Nothing is lost; the only
 * cost is the replay.
 */
import type { GatewayEvent, Logger, TelemetryBatch } from '@gridsafe/shared';
import type { DetectionEngine } from '../detector-kit/types.js';
import type { IngestLedger } from '../storage/relational/ingest-ledger.js';
import type { CloudMetrics } from '../metrics/metrics.js';

export interface StateSavePolicy {
  /** Longest time a processed batch waits for its state to be saved and its mark written. */
  intervalMs: number;
  /** Unmarked batches that make a save due before the interval is over. */
  maxBatches: number;
}

/**
 * Every 5 s or 2,000 batches: a subject touched by many batches meanwhile (a backlog, a
 * busy gateway) is serialized and written once, and a crash replays at most that much.
 */
export const DEFAULT_STATE_SAVE_POLICY: StateSavePolicy = { intervalMs: 5000, maxBatches: 2000 };

export class DetectionRunner {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private done: Array<{ gateway: string; seq: number }> = [];
  private saveTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private saveQueued: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly engine: DetectionEngine,
    private readonly ledger: IngestLedger,
    private readonly metrics: CloudMetrics,
    private readonly log: Logger,
    /** Written-behind detector state, committed before batches are marked as processed. */
    private readonly state?: { flush(): Promise<void> },
    private readonly policy: StateSavePolicy = DEFAULT_STATE_SAVE_POLICY,
  ) {}

  /** Batches and events waiting for detection (the detection queue depth). */
  get depth(): number {
    return this.queued;
  }

  start(tickIntervalMs: number): void {
    this.saveTimer = setInterval(() => void this.saveState(), this.policy.intervalMs);
    this.tickTimer = setInterval(() => this.enqueue('tick', () => this.engine.tick(Date.now())), tickIntervalMs);
  }

  /** Offers detection every stored batch it had not processed before the last stop. */
  async replayPending(): Promise<number> {
    let replayed = 0;
    for (;;) {
      const batches = await this.ledger.pending(500);
      if (batches.length === 0) break;
      for (const batch of batches) {
        this.batchStored(batch);
        replayed++;
      }
      await this.chain;
      await this.save();
    }
    if (replayed > 0)
      this.log.info(
        { batches: replayed },
        'replayed stored batches that detection had not processed before the last stop',
      );
    return replayed;
  }

  batchStored(batch: TelemetryBatch): void {
    this.enqueue('batch', async () => {
      await this.engine.processBatch(batch);
      this.done.push({ gateway: batch.gateway, seq: batch.seq });
    });
  }

  event(event: GatewayEvent): void {
    this.enqueue('event', () => this.engine.processEvent(event));
  }

  /**
   * Commits the detector state and marks the batches processed so far, at the next point
   * between two engine calls (after the calls already queued). Resolves once written.
   */
  saveState(): Promise<void> {
    if (this.saveQueued) return this.saveQueued;
    const queued = this.chain.then(() => {
      this.saveQueued = null;
      return this.save();
    });
    this.saveQueued = queued;
    this.chain = queued;
    return queued;
  }

  private enqueue(what: string, task: () => Promise<void>): void {
    if (this.closed) return;
    this.queued++;
    this.chain = this.chain
      .then(async () => {
        const changes = this.engine.changes();
        await task();
        if (this.engine.changes() !== changes || this.done.length >= this.policy.maxBatches) await this.save();
      })
      .catch((error: unknown) => {
        this.metrics.detectionErrors.inc({ kind: what });
        this.log.error({ err: error, what }, 'detection failed on this input; carrying on with the next');
      })
      .finally(() => {
        this.queued--;
      });
  }

  /** Run only between engine calls (on the chain, or once it is idle): the saved states agree with each other. */
  private async save(): Promise<void> {
    const keys = this.done;
    this.done = [];
    try {
      // State first: a batch is marked processed only once what it did to the state is durable.
      await this.state?.flush();
      if (keys.length > 0) await this.ledger.markDetected(keys);
    } catch (error) {
      this.done.push(...keys);
      this.log.warn({ err: error }, 'could not save detector state or mark batches as detected; will retry');
    }
  }

  /** Lets queued work finish, saves state and writes the last marks, stops the timers. */
  async close(): Promise<void> {
    if (this.saveTimer) clearInterval(this.saveTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    await this.chain;
    this.closed = true;
    await this.save();
  }
}
