/**
 * Detection in cluster mode: subjects are split into partitions (subject-partitions.ts:
 * a device, its transformer and its customer together, a gateway's own subjects by its
 * id), each partition is leased to one instance at a time (leases.ts), and the owner runs
 * the partition's own detection engine over the stored batches and events of every
 * gateway that feeds one of its subjects, taken from the shared store in the order they
 * were received (detection-backlog.ts), whichever instance received them; the engine runs
 * the rules of the partition's subjects only, so each subject's state has one owner.
 * Detector state lives in PostgreSQL: an engine is created when its partition is taken,
 * so a new owner starts from what the last one committed, and again when the registry
 * moves a subject to another partition, so no engine keeps a moved subject's state in
 * memory. State is saved as the single-instance runner saves it (its StateSavePolicy: every
 * few seconds, after a call that changed alerts or cases, at a tick, before a partition is
 * given back or rebuilt): committed first, then the items processed since are marked done
 * for the partition, so a lightly loaded owner does not write every subject's state for
 * each batch. A new owner redoes the items its predecessor processed but had not marked,
 * from the state saved with the last marks; the engine skips a batch or event its saved
 * state says it has seen. Everything here runs one step at a time: lease rounds, backlog
 * steps, saves and clock ticks never interleave.
 */
import type { GatewayEvent, Logger, TelemetryBatch } from '@gridsafe/shared';
import type { DetectionEngine } from '../detector-kit/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { BacklogKey, DetectionBacklog } from '../storage/relational/detection-backlog.js';
import { DEFAULT_STATE_SAVE_POLICY, type StateSavePolicy } from '../detection-engine/runner.js';
import type { PartitionLeases } from './leases.js';
import type { SubjectPartitions } from './subject-partitions.js';
import { partitionOf } from './partition-of.js';

/**
 * How often an owner looks for work stored by other instances, ms; what this instance
 * stores wakes it at once, and a full page is followed at once.
 */
const POLL_MS = 1000;
/** Batches (and, apart, events) taken per step. */
const PAGE = 100;
/**
 * The runner's policy, with fewer items left unmarked: the backlog query leaves out the
 * processed, unmarked items by key, so their list stays short.
 */
const CLUSTER_SAVE_POLICY: StateSavePolicy = { ...DEFAULT_STATE_SAVE_POLICY, maxBatches: 500 };

interface Owned {
  engine: DetectionEngine;
  /** The partition's write-behind detector state: dropped with the partition, never written by a former owner. */
  state: { flush(): Promise<void> };
}

/** An owned partition and what it has processed since its state was last saved. */
interface Held extends Owned {
  processed: BacklogKey[];
  savedAt: number;
  /** The engine's count of alert and case changes at the last save. */
  changesSaved: number;
}

export interface PartitionedDetectionOptions {
  settings: ClusterConfig;
  tickIntervalMs: number;
  leases: PartitionLeases;
  backlog: DetectionBacklog;
  subjects: SubjectPartitions;
  /** A fresh engine for a partition, with its own state store, running the rules of the partition's subjects. */
  newPartition(partition: number): Owned;
  /** Called after a round in which this instance took partitions (a dead or leaving owner's, or at start). */
  onTaken?(partitions: number[]): void;
  /** When state is saved and processed items marked (tests); CLUSTER_SAVE_POLICY by default. */
  savePolicy?: StateSavePolicy;
  metrics: CloudMetrics;
  log: Logger;
}

export class PartitionedDetection {
  private readonly owned = new Map<number, Held>();
  private chain: Promise<void> = Promise.resolve();
  private stepQueued = false;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private lagSeconds = 0;
  private waiting = 0;
  /** Rotates where each instance starts claiming, so instances starting together spread out. */
  private readonly offset: number;
  private readonly policy: StateSavePolicy;

  constructor(private readonly o: PartitionedDetectionOptions) {
    this.offset = partitionOf(o.settings.instanceId, o.settings.partitions);
    this.policy = o.savePolicy ?? CLUSTER_SAVE_POLICY;
    o.metrics.gauge(
      'gridsafe_cluster_partitions_owned',
      'Detection partitions this instance owns',
      () => this.owned.size,
    );
    o.metrics.labelledGauge(
      'gridsafe_cluster_partition_owned',
      'Each detection partition this instance owns (1), by partition number',
      'partition',
      () => this.partitions().map((p) => [String(p), 1]),
    );
    o.metrics.gauge(
      'gridsafe_cluster_partitions_total',
      'Detection partitions of the cluster',
      () => o.settings.partitions,
    );
    o.metrics.gauge(
      'gridsafe_cluster_detection_lag_seconds',
      "Age of the oldest stored batch or event of this instance's partitions that detection has not processed",
      () => this.lagSeconds,
    );
  }

  /** Batches and events fetched and not yet processed. */
  get depth(): number {
    return this.waiting;
  }

  /** Partitions held now. */
  partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    this.o.subjects.changed();
    await this.enqueue(() => this.round());
    this.timers.push(
      setInterval(() => void this.enqueue(() => this.round()), this.o.settings.takeoverSeconds * 1000),
      setInterval(() => this.queueStep(), POLL_MS),
      setInterval(() => void this.enqueue(() => this.tick(Date.now())), this.o.tickIntervalMs),
    );
    this.queueStep();
  }

  /** This instance stored a batch: detect it now if it feeds a partition of ours (other owners find it by polling). */
  batchStored(batch: TelemetryBatch): void {
    if (this.feedsOwned(batch.gateway)) this.queueStep();
  }

  /** As batchStored, for a gateway event. */
  event(event: GatewayEvent): void {
    if (this.feedsOwned(event.gateway)) this.queueStep();
  }

  private feedsOwned(gateway: string): boolean {
    return this.o.subjects.ofGateway(gateway).some((partition) => this.owned.has(partition));
  }

  /** The lease session is gone: another instance may own these partitions any moment now. */
  dropAll(): void {
    if (this.owned.size > 0) this.o.log.warn({ partitions: this.partitions() }, 'detection partitions dropped');
    this.owned.clear();
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const next = this.chain.then(task).catch((error: unknown) => {
      this.o.metrics.detectionErrors.inc({ kind: 'cluster' });
      this.o.log.error({ err: error }, 'cluster detection step failed; carrying on');
    });
    this.chain = next;
    return next;
  }

  private queueStep(): void {
    if (this.stepQueued || this.closed) return;
    this.stepQueued = true;
    void this.enqueue(async () => {
      this.stepQueued = false;
      if (await this.step()) this.queueStep();
    });
  }

  /** Takes partitions up to this instance's fair share, gives back what is above it. */
  private async round(): Promise<void> {
    const { leases, settings, log } = this.o;
    if (!(await leases.connect())) return;
    const live = await leases.liveInstances();
    const share = Math.ceil(settings.partitions / live);
    const extras = this.partitions().slice(share);
    for (const partition of extras) {
      const held = this.owned.get(partition);
      if (held) await this.save(partition, held);
      this.owned.delete(partition);
      await leases.release(partition);
    }
    const taken: number[] = [];
    for (let i = 0; i < settings.partitions && this.owned.size < share; i++) {
      const partition = (this.offset + i) % settings.partitions;
      if (this.owned.has(partition) || !(await leases.tryAcquire(partition))) continue;
      this.owned.set(partition, this.hold(partition));
      taken.push(partition);
    }
    if (taken.length > 0 || extras.length > 0)
      log.info({ taken, released: extras, owned: this.owned.size, share, live }, 'detection partitions rebalanced');
    if (taken.length > 0) this.o.onTaken?.(taken);
  }

  /**
   * The registry moved a subject to another partition: every engine is made afresh from
   * the committed state, so none keeps a subject it no longer owns (or an old copy of one
   * it owns again) in memory.
   */
  private async followRegistry(): Promise<void> {
    const { subjects, backlog } = this.o;
    if (!subjects.changed()) return;
    for (const [partition, held] of this.owned) {
      await this.save(partition, held);
      this.owned.set(partition, this.hold(partition));
    }
    if (this.owned.size === 0) return;
    this.o.log.info('registry changed: detection engines reloaded from the committed state');
    await backlog.settle((gateway) => subjects.ofGateway(gateway));
  }

  /** One page of each owned partition's backlog; true when there may be more. */
  private async step(): Promise<boolean> {
    const { backlog, subjects } = this.o;
    await this.followRegistry();
    if (this.owned.size === 0) {
      this.lagSeconds = 0;
      return false;
    }
    const withWork = await backlog.gatewaysWithWork();
    let oldest = Number.POSITIVE_INFINITY;
    let more = false;
    this.waiting = 0;
    for (const partition of this.partitions()) {
      const held = this.owned.get(partition);
      if (!held) continue;
      const gateways = withWork.filter((gw) => subjects.ofGateway(gw).includes(partition));
      const items = await backlog.next(gateways, PAGE, partition, held.processed);
      oldest = Math.min(oldest, items[0]?.receivedAt ?? oldest);
      this.waiting += items.length;
      for (const item of items) {
        if (this.owned.get(partition) !== held) break; // dropped meanwhile: its new owner takes the items
        if (item.kind === 'batch') await held.engine.processBatch(item.batch);
        else await held.engine.processEvent(item.event);
        const { gateway, seq } = item.kind === 'batch' ? item.batch : item.event;
        held.processed.push({ kind: item.kind, gateway, seq });
        this.waiting--;
      }
      if (items.length > 0) more = true;
      if (this.owned.get(partition) === held && this.saveDue(held)) await this.save(partition, held);
    }
    this.lagSeconds = Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : 0;
    return more;
  }

  private hold(partition: number): Held {
    const made = this.o.newPartition(partition);
    return { ...made, processed: [], savedAt: Date.now(), changesSaved: made.engine.changes() };
  }

  private saveDue(held: Held): boolean {
    if (held.engine.changes() !== held.changesSaved) return true;
    const unmarked = held.processed.length;
    return unmarked > 0 && (unmarked >= this.policy.maxBatches || Date.now() - held.savedAt >= this.policy.intervalMs);
  }

  /** Commits the partition's state, then marks what it processed since: an item is marked only once what it did is committed. */
  private async save(partition: number, held: Held): Promise<void> {
    await held.state.flush();
    // Lost meanwhile (the lease session died): the new owner redoes the unmarked items.
    if (this.owned.get(partition) !== held) return;
    const keys = held.processed;
    held.processed = [];
    try {
      await this.o.backlog.markDone(partition, keys, (gateway) => this.o.subjects.ofGateway(gateway));
    } catch (error) {
      held.processed = [...keys, ...held.processed];
      throw error;
    }
    held.savedAt = Date.now();
    held.changesSaved = held.engine.changes();
  }

  private async tick(now: number): Promise<void> {
    await this.followRegistry();
    for (const [partition, held] of this.owned) {
      await held.engine.tick(now);
      await this.save(partition, held);
    }
  }

  /** Finishes the step in progress, commits, and gives every partition back. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.enqueue(async () => {
      for (const [partition, held] of this.owned) await this.save(partition, held);
    });
    this.closed = true;
    this.owned.clear();
    await this.o.leases.close();
  }
}
