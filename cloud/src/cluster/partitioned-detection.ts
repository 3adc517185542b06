/**
 * Detection in cluster mode: gateways are split into partitions (a hash of the gateway
 * id), each partition is leased to one instance at a time (leases.ts), and the owner
 * runs the partition's own detection engine over the partition's stored batches and
 * events, taken from the shared store in the order they were received
 * (detection-backlog.ts), whichever instance received them. Detector state lives in
 * PostgreSQL: an engine is created when its partition is taken, so a new owner starts
 * from what the last one committed. State is committed before the batches are marked
 * processed, and the engine skips a batch its saved state says it has seen, so a batch
 * caught between the two by a takeover is processed once. Everything here runs one step
 * at a time: lease rounds, backlog steps and clock ticks never interleave.
 */
import type { GatewayEvent, Logger, TelemetryBatch } from '@gridsafe/shared';
import type { DetectionEngine } from '../detector-kit/types.js';
import type { ClusterConfig } from '../config/types.js';
import type { CloudMetrics } from '../metrics/metrics.js';
import type { IngestLedger } from '../storage/relational/ingest-ledger.js';
import type { DetectionBacklog } from '../storage/relational/detection-backlog.js';
import type { PartitionLeases } from './leases.js';
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
  ledger: IngestLedger;
  /** A fresh engine for a partition, with its own state store. */
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
    await this.enqueue(() => this.round());
    this.timers.push(
      setInterval(() => void this.enqueue(() => this.round()), this.o.settings.takeoverSeconds * 1000),
      setInterval(() => this.queueStep(), POLL_MS),
      setInterval(() => void this.enqueue(() => this.tick(Date.now())), this.o.tickIntervalMs),
    );
    this.queueStep();
  }

  /** This instance stored a batch: detect it now if its partition is ours (others' owners find it by polling). */
  batchStored(batch: TelemetryBatch): void {
    if (this.owned.has(partitionOf(batch.gateway, this.o.settings.partitions))) this.queueStep();
  }

  /** As batchStored, for a gateway event. */
  event(event: GatewayEvent): void {
    if (this.owned.has(partitionOf(event.gateway, this.o.settings.partitions))) this.queueStep();
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

  /** One page of the owned partitions' backlog; true when there may be more. */
  private async step(): Promise<boolean> {
    const { backlog, ledger, settings } = this.o;
    if (this.owned.size === 0) {
      this.lagSeconds = 0;
      return false;
    }
    const gateways = (await backlog.gatewaysWithWork()).filter((gw) =>
      this.owned.has(partitionOf(gw, settings.partitions)),
    );
    const items = await backlog.next(gateways, PAGE);
    const first = items[0];
    this.lagSeconds = first ? (Date.now() - first.receivedAt) / 1000 : 0;
    this.waiting = items.length;
    const touched = new Set<number>();
    const batches: Array<{ gateway: string; seq: number }> = [];
    const events: Array<{ gateway: string; seq: number }> = [];
    for (const item of items) {
      const gateway = item.kind === 'batch' ? item.batch.gateway : item.event.gateway;
      const partition = partitionOf(gateway, settings.partitions);
      const owned = this.owned.get(partition);
      if (!owned) continue; // dropped meanwhile: its new owner takes the item
      if (item.kind === 'batch') {
        await owned.engine.processBatch(item.batch);
        batches.push({ gateway, seq: item.batch.seq });
      } else {
        await owned.engine.processEvent(item.event);
        events.push({ gateway, seq: item.event.seq });
      }
      touched.add(partition);
      this.waiting--;
    }
    // State first, then the marks: a batch is marked only once what it did is committed.
    for (const partition of touched) await this.owned.get(partition)?.state.flush();
    const stillOwned = (key: { gateway: string }) => this.owned.has(partitionOf(key.gateway, settings.partitions));
    await ledger.markDetected(batches.filter(stillOwned));
    await backlog.markEventsDetected(events.filter(stillOwned));
    return items.length > 0;
  }

  private async tick(now: number): Promise<void> {
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
