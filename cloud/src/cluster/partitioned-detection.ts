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
 * memory. State is committed before the items are marked done for the partition, and the
 * engine skips a batch or event its saved state says it has seen, so one caught between the
 * two by a takeover is processed once. Everything here runs one step at a time: lease rounds,
 * backlog steps and clock ticks never interleave.
 */
import type { GatewayEvent, Logger, TelemetryBatch } from '@gridsafe/shared';
import type { DetectionEngine } from '../detector-kit/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { BacklogKey, DetectionBacklog } from '../storage/relational/detection-backlog.js';
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

interface Owned {
  engine: DetectionEngine;
  /** The partition's write-behind detector state: dropped with the partition, never written by a former owner. */
  state: { flush(): Promise<void> };
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
  metrics: CloudMetrics;
  log: Logger;
}

export class PartitionedDetection {
  private readonly owned = new Map<number, Owned>();
  private chain: Promise<void> = Promise.resolve();
  private stepQueued = false;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private lagSeconds = 0;
  private waiting = 0;
  /** Rotates where each instance starts claiming, so instances starting together spread out. */
  private readonly offset: number;

  constructor(private readonly o: PartitionedDetectionOptions) {
    this.offset = partitionOf(o.settings.instanceId, o.settings.partitions);
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
      await this.owned.get(partition)?.state.flush();
      this.owned.delete(partition);
      await leases.release(partition);
    }
    const taken: number[] = [];
    for (let i = 0; i < settings.partitions && this.owned.size < share; i++) {
      const partition = (this.offset + i) % settings.partitions;
      if (this.owned.has(partition) || !(await leases.tryAcquire(partition))) continue;
      this.owned.set(partition, this.o.newPartition(partition));
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
    for (const [partition, owned] of this.owned) {
      await owned.state.flush();
      this.owned.set(partition, this.o.newPartition(partition));
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
      const gateways = withWork.filter((gw) => subjects.ofGateway(gw).includes(partition));
      const items = await backlog.next(gateways, PAGE, partition);
      oldest = Math.min(oldest, items[0]?.receivedAt ?? oldest);
      this.waiting += items.length;
      const done: BacklogKey[] = [];
      for (const item of items) {
        const owned = this.owned.get(partition);
        if (!owned) break; // dropped meanwhile: its new owner takes the items
        if (item.kind === 'batch') await owned.engine.processBatch(item.batch);
        else await owned.engine.processEvent(item.event);
        const { gateway, seq } = item.kind === 'batch' ? item.batch : item.event;
        done.push({ kind: item.kind, gateway, seq });
        this.waiting--;
      }
      // State first, then the marks: an item is marked only once what it did is committed.
      const owned = this.owned.get(partition);
      if (!owned) continue;
      await owned.state.flush();
      if (this.owned.get(partition) !== owned) continue;
      await backlog.markDone(partition, done, (gateway) => subjects.ofGateway(gateway));
      if (items.length > 0) more = true;
    }
    this.lagSeconds = Number.isFinite(oldest) ? (Date.now() - oldest) / 1000 : 0;
    return more;
  }

  private async tick(now: number): Promise<void> {
    await this.followRegistry();
    for (const owned of this.owned.values()) {
      await owned.engine.tick(now);
      await owned.state.flush();
    }
  }

  /** Finishes the step in progress, commits, and gives every partition back. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.enqueue(async () => {
      for (const owned of this.owned.values()) await owned.state.flush();
    });
    this.closed = true;
    this.owned.clear();
    await this.o.leases.close();
  }
}
