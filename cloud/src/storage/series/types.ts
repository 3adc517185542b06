/**
 * The series storage port. Two backends implement it (embedded SQLite, InfluxDB) and
 * pass the same contract tests (cloud/test/storage/series-contract.ts).
 *
 * Writes are idempotent: a reading is keyed by (device, ts), so writing a batch again
 * stores nothing new. Exactly-once per (gateway, seq) is the ingest ledger's job.
 */
import type { Quantity, ReadingQuality, TelemetryBatch } from '@gridsafe/shared';
import type { IngestLedger } from '../relational/ingest-ledger.js';
import type { Aggregate } from '../../series/types.js';

export interface StoredReading {
  device: string;
  ts: number;
  quality: ReadingQuality;
  values: Partial<Record<Quantity, number>>;
}

export interface RangeQuery {
  device: string;
  /** Inclusive, ms UTC. */
  from: number;
  /** Exclusive, ms UTC. */
  to: number;
  /** Quantities to return; all when omitted. */
  fields?: Quantity[];
  /** Maximum rows (raw) or buckets (aggregate). */
  limit?: number;
}

export interface AggregateQuery extends RangeQuery {
  /** Bucket width, ms; buckets are aligned to the epoch (as InfluxQL GROUP BY time does). */
  everyMs: number;
  aggregate: Aggregate;
}

/** One bucket of an aggregate query: its start and the aggregate of each field (absent: no data). */
export interface AggregatePoint {
  ts: number;
  values: Partial<Record<Quantity, number>>;
}

export interface LatestValue {
  ts: number;
  value: number;
}

export interface DemandPoint {
  /** Start of the 15-minute block, ms UTC. */
  ts: number;
  /** Mean active power over the block, kW (FACTS.md: 15-minute demand period). */
  demandKw: number;
}

export interface SeriesStore {
  readonly kind: 'sqlite' | 'influx';
  /** Prepares the backend (tables, database); safe to call on every start. */
  init(): Promise<void>;
  /** Stores every reading of the batch durably before resolving. */
  writeBatch(batch: TelemetryBatch): Promise<void>;
  raw(query: RangeQuery): Promise<StoredReading[]>;
  aggregate(query: AggregateQuery): Promise<AggregatePoint[]>;
  /** Latest value of each field for each device (the newest reading that has that field). */
  latest(devices: string[], fields?: Quantity[]): Promise<Map<string, Partial<Record<Quantity, LatestValue>>>>;
  /**
   * Block demand: mean of `field` (default p_kw) over aligned windows of `windowMs`
   * (default 15 minutes, FACTS.md "Maximum demand"), for windows starting in [from, to).
   */
  demand(query: {
    device: string;
    from: number;
    to: number;
    windowMs?: number;
    field?: Quantity;
  }): Promise<DemandPoint[]>;
  /**
   * Optional: a backend that can keep the ingest ledger itself stores a batch and
   * records its (gateway, seq) in one transaction, so exactly-once costs no second
   * commit. 'duplicate' when (gateway, seq) was already recorded (nothing written).
   * `pendingJson` is the batch as JSON, kept until detection has processed it.
   */
  storeOnce?(batch: TelemetryBatch, receivedAt: number, pendingJson: string): Promise<'stored' | 'duplicate'>;
  /** Optional: the ledger kept by this backend (required when storeOnce is offered). */
  ledger?(): IngestLedger;
  /** Cheap check that the backend answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
