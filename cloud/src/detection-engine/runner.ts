/**
 * Hosts the detection engine: hands it each newly stored batch and each gateway
 * event after the broker has acknowledged them (detection never slows the PUBACK),
 * ticks its clock, and marks batches processed in the ingest ledger so that a crash
 * between storing and detecting is made good at the next start (replayPending).
 */
import type { GatewayEvent, Logger, TelemetryBatch } from '@gridsafe/shared';
import type { DetectionEngine } from '../detector-kit/types.js';
import type { IngestLedger } from '../storage/relational/ingest-ledger.js';
import type { CloudMetrics } from '../metrics/metrics.js';

export class DetectionRunner {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private done: Array<{ gateway: string; seq: number }> = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly engine: DetectionEngine,
    private readonly ledger: IngestLedger,
    private readonly metrics: CloudMetrics,
    private readonly log: Logger,
    /** Written-behind detector state, committed before batches are marked as processed. */
    private readonly state?: { flush(): Promise<void> },
  ) {}

  /** Batches and events waiting for detection (the detection queue depth). */
  get depth(): number {
    return this.queued;
  }

  start(tickIntervalMs: number): void {
    // Marks (and detector state) are written in groups: losing the last second of them
    // on a crash only means those batches are offered to detection again.
    this.flushTimer = setInterval(() => void this.flush(), 1000);
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
      await this.flush();
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

  private enqueue(what: string, task: () => Promise<void>): void {
    if (this.closed) return;
    this.queued++;
    this.chain = this.chain
      .then(task)
      .catch((error: unknown) => {
        this.metrics.detectionErrors.inc({ kind: what });
        this.log.error({ err: error, what }, 'detection failed on this input; carrying on with the next');
      })
      .finally(() => {
        this.queued--;
      });
  }

  private async flush(): Promise<void> {
    const keys = this.done;
    this.done = [];
    try {
      // State first: a batch is marked processed only once what it did to the state is durable.
      await this.state?.flush();
      if (keys.length > 0) await this.ledger.markDetected(keys);
    } catch (error) {
      this.done.push(...keys);
      this.log.warn({ err: error }, 'could not mark batches as detected; will retry');
    }
  }

  /** Lets queued work finish, writes the last marks, stops the timers. */
  async close(): Promise<void> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    await this.chain;
    this.closed = true;
    await this.flush();
  }
}
