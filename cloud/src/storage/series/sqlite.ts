/**
 * Embedded series backend: one SQLite file in WAL mode, one wide row per reading
 * (a REAL column per canonical quantity), keyed by (device, ts). Nothing to install.
 *
 * synchronous=FULL: a committed batch survives power loss, which is what lets the
 * broker acknowledge it (CONTRACT.md: PUBACK only after durable storage). Writes are
 * group-committed (storage/group-commit.ts): batches that arrive together share one
 * transaction and one fsync.
 *
 * It also keeps the ingest ledger in the same file, so a batch and its (gateway, seq)
 * are committed together: exactly once without a second commit.
 */
import Database from 'better-sqlite3';
import { GroupCommit } from '../group-commit.js';
import type { IngestLedger } from '../relational/ingest-ledger.js';
import { QUANTITY_NAMES, type Quantity, type ReadingQuality, type TelemetryBatch } from '@gridsafe/shared';
import {
  DEMAND_WINDOW_MS,
  type AggregatePoint,
  type AggregateQuery,
  type DemandPoint,
  type LatestValue,
  type RangeQuery,
  type SeriesStore,
  type StoredReading,
} from './types.js';

const QUALITY_CODES: Record<ReadingQuality, number> = { good: 0, stale: 1, suspect: 2 };
const QUALITY_NAMES: ReadingQuality[] = ['good', 'stale', 'suspect'];
const SQL_AGGREGATE = { mean: 'avg', max: 'max', min: 'min' } as const;

/** Column names are the canonical quantity names: a fixed list, so safe to put in SQL text. */
const COLUMNS = QUANTITY_NAMES;

type Row = { device: string; ts: number; quality: number } & Partial<Record<Quantity, number | null>>;

export interface SqliteSeriesOptions {
  /** File path, or ':memory:' for tests of the contract without a disk. */
  path: string;
  /** How long a write waits on a locked file before failing (the ingest retries after). */
  busyTimeoutMs?: number;
}

type WriteItem = { batch: TelemetryBatch; once?: { receivedAt: number; pendingJson: string } };

export class SqliteSeriesStore implements SeriesStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;
  private commitGroup: ((items: WriteItem[]) => Array<'stored' | 'duplicate'>) | null = null;
  private readonly writer = new GroupCommit<WriteItem, 'stored' | 'duplicate'>((items) => {
    if (!this.commitGroup) throw new Error('the SQLite series store is not open (call init() first)');
    return this.commitGroup(items);
  });

  constructor(private readonly options: SqliteSeriesOptions) {}

  async init(): Promise<void> {
    // better-sqlite3 waits for a lock synchronously: keep the wait short so a locked file
    // never freezes the process; ingest retries asynchronously (and holds the PUBACK).
    const db = new Database(this.options.path, { timeout: this.options.busyTimeoutMs ?? 250 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS readings (
      device TEXT NOT NULL,
      ts INTEGER NOT NULL,
      gateway TEXT NOT NULL,
      quality INTEGER NOT NULL,
      ${COLUMNS.map((column) => `${column} REAL`).join(',\n      ')},
      PRIMARY KEY (device, ts)
    ) WITHOUT ROWID`);
    const insert = db.prepare(
      `INSERT INTO readings (device, ts, gateway, quality, ${COLUMNS.join(', ')})
       VALUES (?, ?, ?, ?, ${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (device, ts) DO UPDATE SET quality = excluded.quality,
       ${COLUMNS.map((column) => `${column} = coalesce(excluded.${column}, ${column})`).join(', ')}`,
    );
    db.exec(`CREATE TABLE IF NOT EXISTS ingest_ledger (
      gateway TEXT NOT NULL,
      seq INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      readings INTEGER NOT NULL,
      pending TEXT,
      PRIMARY KEY (gateway, seq)
    ) WITHOUT ROWID`);
    db.exec('CREATE INDEX IF NOT EXISTS ingest_ledger_pending ON ingest_ledger (received_at) WHERE pending IS NOT NULL');
    const claim = db.prepare('INSERT OR IGNORE INTO ingest_ledger (gateway, seq, received_at, readings, pending) VALUES (?, ?, ?, ?, ?)');
    const params: Array<string | number | null> = new Array(4 + COLUMNS.length);
    const insertReadings = (batch: TelemetryBatch) => {
      for (const reading of batch.readings) {
        params[0] = reading.device;
        params[1] = reading.ts;
        params[2] = batch.gateway;
        params[3] = QUALITY_CODES[reading.quality];
        for (let i = 0; i < COLUMNS.length; i++) params[4 + i] = reading.values[COLUMNS[i] as Quantity] ?? null;
        insert.run(params);
      }
    };
    this.commitGroup = db.transaction((items: WriteItem[]) =>
      items.map((item) => {
        if (item.once) {
          const claimed = claim.run(item.batch.gateway, item.batch.seq, item.once.receivedAt, item.batch.readings.length, item.once.pendingJson);
          if (claimed.changes === 0) return 'duplicate' as const;
        }
        insertReadings(item.batch);
        return 'stored' as const;
      }),
    );
    this.db = db;
  }

  private get handle(): Database.Database {
    if (!this.db) throw new Error('the SQLite series store is not open (call init() first)');
    return this.db;
  }

  async writeBatch(batch: TelemetryBatch): Promise<void> {
    await this.writer.submit({ batch });
  }

  storeOnce(batch: TelemetryBatch, receivedAt: number, pendingJson: string): Promise<'stored' | 'duplicate'> {
    return this.writer.submit({ batch, once: { receivedAt, pendingJson } });
  }

  ledger(): IngestLedger {
    const db = () => this.handle;
    return {
      isKnown: async (gateway, seq) => db().prepare('SELECT 1 FROM ingest_ledger WHERE gateway = ? AND seq = ?').get(gateway, seq) !== undefined,
      record: async (batch, receivedAt, pendingJson) =>
        db().prepare('INSERT OR IGNORE INTO ingest_ledger (gateway, seq, received_at, readings, pending) VALUES (?, ?, ?, ?, ?)').run(batch.gateway, batch.seq, receivedAt, batch.readings.length, pendingJson ?? JSON.stringify(batch)).changes > 0,
      markDetected: async (keys) => {
        const mark = db().prepare('UPDATE ingest_ledger SET pending = NULL WHERE gateway = ? AND seq = ?');
        db().transaction(() => keys.forEach((key) => mark.run(key.gateway, key.seq)))();
      },
      pending: async (limit) =>
        (db().prepare('SELECT pending FROM ingest_ledger WHERE pending IS NOT NULL ORDER BY received_at, gateway, seq LIMIT ?').all(limit) as Array<{ pending: string }>).map(
          (row) => JSON.parse(row.pending) as TelemetryBatch,
        ),
      recorded: async (gateway) =>
        (db().prepare('SELECT seq FROM ingest_ledger WHERE gateway = ? ORDER BY seq').all(gateway) as Array<{ seq: number }>).map((row) => row.seq),
      lastSeq: async (gateway) => {
        const row = db().prepare('SELECT max(seq) AS seq FROM ingest_ledger WHERE gateway = ?').get(gateway) as { seq: number | null };
        return row.seq;
      },
    };
  }

  async raw(query: RangeQuery): Promise<StoredReading[]> {
    const fields = query.fields ?? COLUMNS;
    // With fields named, a reading that has none of them is not a reading of those fields.
    const having = query.fields ? ` AND (${fields.map((field) => `${field} IS NOT NULL`).join(' OR ')})` : '';
    const rows = this.handle
      .prepare(`SELECT device, ts, quality, ${fields.join(', ')} FROM readings WHERE device = ? AND ts >= ? AND ts < ?${having} ORDER BY ts LIMIT ?`)
      .all(query.device, query.from, query.to, query.limit ?? -1) as Row[];
    return rows.map((row) => {
      const values: Partial<Record<Quantity, number>> = {};
      for (const field of fields) {
        const value = row[field];
        if (value !== null && value !== undefined) values[field] = value;
      }
      return { device: row.device, ts: row.ts, quality: QUALITY_NAMES[row.quality] ?? 'good', values };
    });
  }

  async aggregate(query: AggregateQuery): Promise<AggregatePoint[]> {
    const fields = query.fields ?? COLUMNS;
    const every = Math.max(1, Math.floor(query.everyMs));
    if (query.aggregate === 'last') return this.lastPerBucket(query, fields, every);
    const fn = SQL_AGGREGATE[query.aggregate];
    const rows = this.handle
      .prepare(
        `SELECT (ts / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS bucket, ${fields.map((field) => `${fn}(${field}) AS ${field}`).join(', ')}
         FROM readings WHERE device = ? AND ts >= ? AND ts < ? GROUP BY bucket ORDER BY bucket LIMIT ?`,
      )
      .all(every, every, query.device, query.from, query.to, query.limit ?? -1) as Array<{ bucket: number } & Partial<Record<Quantity, number | null>>>;
    const points: AggregatePoint[] = [];
    for (const row of rows) {
      const values: Partial<Record<Quantity, number>> = {};
      for (const field of fields) {
        const value = row[field];
        if (value !== null && value !== undefined) values[field] = value;
      }
      if (Object.keys(values).length > 0) points.push({ ts: row.bucket, values });
    }
    return points;
  }

  /** `last` per bucket and field: the newest non-null value, found in one ordered pass. */
  private lastPerBucket(query: AggregateQuery, fields: readonly Quantity[], every: number): AggregatePoint[] {
    const statement = this.handle.prepare(
      `SELECT ts, ${fields.join(', ')} FROM readings WHERE device = ? AND ts >= ? AND ts < ? ORDER BY ts`,
    );
    const points: AggregatePoint[] = [];
    let current: AggregatePoint | null = null;
    for (const row of statement.iterate(query.device, query.from, query.to) as Iterable<Row>) {
      const bucket = Math.floor(row.ts / every) * every;
      if (!current || current.ts !== bucket) {
        if (current && Object.keys(current.values).length > 0) points.push(current);
        if (query.limit !== undefined && points.length >= query.limit) return points;
        current = { ts: bucket, values: {} };
      }
      for (const field of fields) {
        const value = row[field];
        if (value !== null && value !== undefined) current.values[field] = value;
      }
    }
    if (current && Object.keys(current.values).length > 0 && (query.limit === undefined || points.length < query.limit)) points.push(current);
    return points;
  }

  async latest(devices: string[], fields?: Quantity[]): Promise<Map<string, Partial<Record<Quantity, LatestValue>>>> {
    const wanted = fields ?? COLUMNS;
    const result = new Map<string, Partial<Record<Quantity, LatestValue>>>();
    for (const device of devices) {
      const values: Partial<Record<Quantity, LatestValue>> = {};
      for (const field of wanted) {
        const row = this.handle
          .prepare(`SELECT ts, ${field} AS value FROM readings WHERE device = ? AND ${field} IS NOT NULL ORDER BY ts DESC LIMIT 1`)
          .get(device) as { ts: number; value: number } | undefined;
        if (row) values[field] = { ts: row.ts, value: row.value };
      }
      result.set(device, values);
    }
    return result;
  }

  async demand(query: { device: string; from: number; to: number; windowMs?: number; field?: Quantity }): Promise<DemandPoint[]> {
    const field = query.field ?? 'p_kw';
    const points = await this.aggregate({
      device: query.device,
      from: query.from,
      to: query.to,
      everyMs: query.windowMs ?? DEMAND_WINDOW_MS,
      aggregate: 'mean',
      fields: [field],
    });
    return points.flatMap((point) => (point.values[field] === undefined ? [] : [{ ts: point.ts, demandKw: point.values[field] as number }]));
  }

  async ping(): Promise<boolean> {
    try {
      this.handle.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.writer.drain();
    this.db?.close();
    this.db = null;
    this.commitGroup = null;
  }
}
