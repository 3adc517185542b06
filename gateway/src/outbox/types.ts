/**
 * The durable outbox: every sealed telemetry batch and every gateway event is kept here,
 * with its per-gateway seq, until the broker acknowledges it (PUBACK). The uplink reads
 * from it; the poller only appends. What happens when it is full is an OverflowPolicy
 * (outbox/overflow/*.ts), chosen by name in the config.
 */
import type { GatewayEvent } from '@gridsafe/shared';

/** A batch as the batcher seals it: the readings already serialised as a JSON array. */
export interface SealedBatch {
  readingsJson: string;
  readingCount: number;
  firstTs: number;
  lastTs: number;
}

export interface OutboxBatch extends SealedBatch {
  seq: number;
  createdAt: number;
  /** Bytes this batch counts against the outbox bound (its readings JSON). */
  bytes: number;
}

export interface OutboxEventRecord {
  seq: number;
  event: GatewayEvent;
}

export interface OutboxStats {
  batches: number;
  bytes: number;
  maxBytes: number;
  /** Oldest batch still waiting for its PUBACK (null: none). */
  oldestSeq: number | null;
  oldestTs: number | null;
  /** Highest seq ever given out (survives restarts). */
  lastSeq: number;
  events: number;
  /** The configured overflow policy and what it has done so far (persistent counters). */
  overflow: { policy: string } & Record<string, number | string>;
}

/** What an overflow policy may do to the stored batches (inside the append transaction). */
export interface OutboxStore {
  readonly maxBytes: number;
  totalBytes(): number;
  /** The oldest batches, ascending by seq. */
  oldestBatches(limit: number): OutboxBatch[];
  deleteBatches(seqs: readonly number[]): void;
  /** Rewrites a stored batch in place, keeping its seq (for policies that fold readings). */
  replaceBatch(seq: number, batch: SealedBatch): void;
  /** Adds to a persistent counter reported under `overflow` in the stats. */
  count(name: string, by: number): void;
}

export interface OverflowPolicy {
  readonly name: string;
  /** Frees room so that `incomingBytes` more fit under `store.maxBytes`, as far as the policy allows. */
  makeRoom(store: OutboxStore, incomingBytes: number): void;
}

export interface Outbox {
  /** Stores a batch under the next seq, durably, applying the overflow policy first when full. */
  appendBatch(batch: SealedBatch, now?: number): OutboxBatch;
  /** Stores an event under the next event seq. */
  appendEvent(event: Omit<GatewayEvent, 'gateway' | 'seq'>): GatewayEvent;
  /** Batches still waiting, ascending by seq, starting after `afterSeq`. */
  pendingBatches(afterSeq: number, limit: number): OutboxBatch[];
  /** Batches with seq above `afterSeq`, newest last, at most `limit` of the newest. */
  pendingEvents(afterSeq: number, limit: number): OutboxEventRecord[];
  /** The broker acknowledged it: forget it. Unknown seqs (already dropped) are ignored. */
  ackBatch(seq: number): void;
  ackEvent(seq: number): void;
  stats(): OutboxStats;
  close(): void;
}
