/**
 * Embedded series backend: one SQLite file in WAL mode, one wide row per reading
 * (a REAL column per canonical quantity), keyed by (device, ts). Nothing to install.
 *
 * Writes go to a worker thread (sqlite-writer.ts) that owns the write connection, with
 * synchronous=FULL so a committed batch survives power loss, which is what lets the
 * broker acknowledge it (CONTRACT.md: PUBACK only after durable storage). They are
 * group-committed (storage/group-commit.ts): batches that arrive while a commit is
 * being written share the next transaction and its fsync. Reads use a connection of
 * their own here; WAL lets them run beside the writer.
 *
 * It also keeps the ingest ledger in the same file, so a batch and its (gateway, seq)
 * are committed together: exactly once without a second commit.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { deflateRaw, inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { GroupCommit } from '../group-commit.js';
import type { IngestLedger } from '../relational/ingest-ledger.js';
import { QUANTITY_NAMES, type Quantity, type ReadingQuality, type TelemetryBatch } from '@gridsafe/shared';
import type { WriteItem, WriterOptions, WriterReady, WriterReply, WriterRequest } from './sqlite-writer.js';
import { demandOf, type DemandQuery } from './demand.js';
import type { AggregatePoint, AggregateQuery, DemandPoint, LatestValue, RangeQuery } from './types.js';
import type { SeriesStore, StoredReading } from './types.js';

const QUALITY_NAMES: ReadingQuality[] = ['good', 'stale', 'suspect'];
const SQL_AGGREGATE = { mean: 'avg', max: 'max', min: 'min' } as const;

/** Column names are the canonical quantity names: a fixed list, so safe to put in SQL text. */
const COLUMNS = QUANTITY_NAMES;

const deflateRawAsync = promisify(deflateRaw);

/**
 * The ledger keeps each batch as received until detection has processed it. Deflated
 * (level 1, off this thread), it is about a quarter of the JSON: the commits, and the
 * checkpoints that copy them, carry that much less (bench:ingest, BENCHMARKS.md).
 */
function packPending(json: string): Promise<Uint8Array> {
  return deflateRawAsync(json, { level: 1 });
}

/** A pending batch back; files written before the packing hold it as JSON text. */
function unpackPending(stored: Uint8Array | string): TelemetryBatch {
  return JSON.parse(typeof stored === 'string' ? stored : inflateRawSync(stored).toString('utf8')) as TelemetryBatch;
}

/**
 * Starts the writer thread from compiled JavaScript. Run from TypeScript sources (the
 * tests, through tsx) the thread still loads the compiled writer under dist/: tsx's
 * hooks do not reach worker threads (privatenumber/tsx#354), and a development tool
 * has no place at run time. The tests build first (`tsc -b`).
 */
function startWriterThread(workerData: WriterOptions): Worker {
  const writer = import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/src/storage/series/sqlite-writer.js', import.meta.url)
    : new URL('./sqlite-writer.js', import.meta.url);
  if (!existsSync(writer))
    throw new Error(`the series writer ${fileURLToPath(writer)} is missing: build the cloud first (npx tsc -b)`);
  return new Worker(writer, { workerData });
}

type Row = { device: string; ts: number; quality: number } & Partial<Record<Quantity, number | null>>;
/** A request before it gets its id (Omit over each member of the union). */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type Request = WithoutId<WriterRequest>;

export interface SqliteSeriesOptions {
  /** The series file's path. */
  path: string;
  /** How long a write waits on a locked file before failing (the ingest retries after). */
  busyTimeoutMs?: number;
}

export class SqliteSeriesStore implements SeriesStore {
  readonly kind = 'sqlite' as const;
  private db: Database.Database | null = null;
  private writerThread: Worker | null = null;
  private writerStarted: Promise<void> | null = null;
  private nextRequestId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (results: Array<'stored' | 'duplicate'>) => void; reject: (error: Error) => void }
  >();
  // Two groups in flight: the writer commits one while this thread handles the replies to
  // the other (bench:ingest: 0.53 -> 0.60 of the direct write). The writer takes them in order.
  private readonly writer = new GroupCommit<WriteItem, 'stored' | 'duplicate'>(
    (items) => this.request({ op: 'write', items }),
    { maxInFlight: 2 },
  );

  /** The last storeOnce's packing: the next one hands its batch on only after it (see storeOnce). */
  private packedInCallOrder: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: SqliteSeriesOptions) {}

  async init(): Promise<void> {
    await this.ensureWriter();
    // The writer made the schema and set WAL mode (kept in the file); this connection only reads.
    const db = new Database(this.options.path, { timeout: this.options.busyTimeoutMs ?? 250 });
    db.pragma('query_only = ON');
    this.db = db;
  }

  /** Starts the writer thread (once, or again after it was lost) and waits until the schema exists. */
  private ensureWriter(): Promise<void> {
    this.writerStarted ??= this.startWriter().catch((error: unknown) => {
      this.writerStarted = null;
      throw error;
    });
    return this.writerStarted;
  }

  private startWriter(): Promise<void> {
    // better-sqlite3 waits for a lock synchronously: keep the wait short, the ingest
    // retries asynchronously (and holds the PUBACK) when a write fails on a locked file.
    const workerData: WriterOptions = { path: this.options.path, busyTimeoutMs: this.options.busyTimeoutMs ?? 250 };
    const thread = startWriterThread(workerData);
    this.writerThread = thread;
    return new Promise<void>((resolve, reject) => {
      thread.once('message', (ready: WriterReady) => {
        if (!ready.ready)
          return reject(new Error(`cannot open the series file ${this.options.path}: ${ready.message}`));
        thread.on('message', (reply: WriterReply) => this.settle(reply));
        resolve();
      });
      thread.on('error', (error) => {
        reject(error);
        this.writerGone(error);
      });
      thread.on('exit', (code) => this.writerGone(new Error(`the series writer thread stopped (exit code ${code})`)));
    });
  }

  /** Fails what the lost writer still owed; the next write starts a new one. */
  private writerGone(error: Error): void {
    this.writerThread = null;
    this.writerStarted = null;
    for (const [id, waiter] of this.waiting) {
      this.waiting.delete(id);
      waiter.reject(error);
    }
  }

  private settle(reply: WriterReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.results);
    else waiter.reject(new Error(`SQLite series write failed: ${reply.message}`));
  }

  private async request(request: Request): Promise<Array<'stored' | 'duplicate'>> {
    if (!this.db) throw new Error('the SQLite series store is not open (call init() first)');
    await this.ensureWriter();
    const thread = this.writerThread as Worker;
    const id = this.nextRequestId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      thread.postMessage({ ...request, id } as WriterRequest);
    });
  }

  private get handle(): Database.Database {
    if (!this.db) throw new Error('the SQLite series store is not open (call init() first)');
    return this.db;
  }

  async writeBatch(batch: TelemetryBatch): Promise<void> {
    await this.writer.submit({ batch });
  }

  /**
   * Of two calls with the same (gateway, seq), the first called wins and the other is a
   * duplicate, however the two are scheduled: the packings run side by side on the
   * thread pool and finish in any order, so each call waits for the one before it and
   * batches reach the group commit (and the writer) in the order storeOnce was called.
   */
  async storeOnce(batch: TelemetryBatch, receivedAt: number, pendingJson: string): Promise<'stored' | 'duplicate'> {
    const packing = packPending(pendingJson);
    const packed = this.packedInCallOrder.then(() => packing);
    this.packedInCallOrder = packed.catch(() => undefined);
    return this.writer.submit({ batch, once: { receivedAt, pending: await packed } });
  }

  ledger(): IngestLedger {
    const db = () => this.handle;
    return {
      isKnown: async (gateway, seq) =>
        db().prepare('SELECT 1 FROM ingest_ledger WHERE gateway = ? AND seq = ?').get(gateway, seq) !== undefined,
      record: async (batch, receivedAt, pendingJson) => {
        const record = {
          gateway: batch.gateway,
          seq: batch.seq,
          receivedAt,
          readings: batch.readings.length,
          pending: await packPending(pendingJson ?? JSON.stringify(batch)),
        };
        const [result] = await this.request({ op: 'record', record });
        return result === 'stored';
      },
      markDetected: async (keys) => {
        if (keys.length > 0) await this.request({ op: 'markDetected', keys });
      },
      pending: async (limit) =>
        (
          db()
            .prepare(
              'SELECT pending FROM ingest_ledger WHERE pending IS NOT NULL ORDER BY received_at, gateway, seq LIMIT ?',
            )
            .all(limit) as Array<{ pending: Uint8Array | string }>
        ).map((row) => unpackPending(row.pending)),
      recorded: async (gateway) =>
        (
          db().prepare('SELECT seq FROM ingest_ledger WHERE gateway = ? ORDER BY seq').all(gateway) as Array<{
            seq: number;
          }>
        ).map((row) => row.seq),
      lastSeq: async (gateway) => {
        const row = db().prepare('SELECT max(seq) AS seq FROM ingest_ledger WHERE gateway = ?').get(gateway) as {
          seq: number | null;
        };
        return row.seq;
      },
    };
  }

  async raw(query: RangeQuery): Promise<StoredReading[]> {
    const fields = query.fields ?? COLUMNS;
    // With fields named, a reading that has none of them is not a reading of those fields.
    const having = query.fields ? ` AND (${fields.map((field) => `${field} IS NOT NULL`).join(' OR ')})` : '';
    const rows = this.handle
      .prepare(
        `SELECT device, ts, quality, ${fields.join(', ')} FROM readings WHERE device = ? AND ts >= ? AND ts < ?${having} ORDER BY ts LIMIT ?`,
      )
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
      .all(every, every, query.device, query.from, query.to, query.limit ?? -1) as Array<
      { bucket: number } & Partial<Record<Quantity, number | null>>
    >;
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
    if (current && Object.keys(current.values).length > 0 && (query.limit === undefined || points.length < query.limit))
      points.push(current);
    return points;
  }

  async latest(devices: string[], fields?: Quantity[]): Promise<Map<string, Partial<Record<Quantity, LatestValue>>>> {
    const wanted = fields ?? COLUMNS;
    const result = new Map<string, Partial<Record<Quantity, LatestValue>>>();
    for (const device of devices) {
      const values: Partial<Record<Quantity, LatestValue>> = {};
      for (const field of wanted) {
        const row = this.handle
          .prepare(
            `SELECT ts, ${field} AS value FROM readings WHERE device = ? AND ${field} IS NOT NULL ORDER BY ts DESC LIMIT 1`,
          )
          .get(device) as { ts: number; value: number } | undefined;
        if (row) values[field] = { ts: row.ts, value: row.value };
      }
      result.set(device, values);
    }
    return result;
  }

  demand(query: DemandQuery): Promise<DemandPoint[]> {
    return demandOf(this, query);
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
    const thread = this.writerThread;
    if (thread) {
      const exited = new Promise((resolve) => thread.once('exit', resolve));
      await this.request({ op: 'close' });
      await exited;
    }
    this.db?.close();
    this.db = null;
  }
}
