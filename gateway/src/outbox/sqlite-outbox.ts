/**
 * The outbox on SQLite (better-sqlite3) in WAL mode.
 *
 * synchronous=FULL by default: every commit is fsynced before append returns. With
 * NORMAL, WAL commits since the last checkpoint can vanish on power loss; a batch that
 * was already published could then have its seq handed out again to new readings, and
 * the cloud would drop those as duplicates of (gateway, seq). One fsync per sealed
 * batch (every couple of seconds) is cheap on any storage, so correctness wins.
 * `normal` stays selectable for flash that must be spared, with that risk documented.
 *
 * The database is opened in EXCLUSIVE locking mode: a second gateway process on the
 * same data folder would break the seq sequence, so it must fail to start instead.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { GatewayEvent } from '@gridsafe/shared';
import type {
  Outbox,
  OutboxBatch,
  OutboxEventRecord,
  OutboxStats,
  OutboxStore,
  OverflowPolicy,
  SealedBatch,
} from './types.js';

export interface SqliteOutboxOptions {
  dataDir: string;
  gatewayId: string;
  maxBytes: number;
  policy: OverflowPolicy;
  synchronous?: 'full' | 'normal';
  /** Events kept at most (they are small; the oldest go first, counted). */
  maxEvents?: number;
}

interface BatchRow {
  seq: number;
  created_at: number;
  reading_count: number;
  bytes: number;
  first_ts: number;
  last_ts: number;
  readings: string;
}

const toBatch = (row: BatchRow): OutboxBatch => ({
  seq: row.seq,
  createdAt: row.created_at,
  readingCount: row.reading_count,
  bytes: row.bytes,
  firstTs: row.first_ts,
  lastTs: row.last_ts,
  readingsJson: row.readings,
});

export const OUTBOX_FILE = 'outbox.sqlite';

export class SqliteOutbox implements Outbox {
  private readonly db: Database.Database;
  private bytes: number;
  private batchCount: number;
  private eventCount: number;
  private readonly counters = new Map<string, number>();
  private readonly maxEvents: number;
  private readonly statements;
  private readonly store: OutboxStore;

  constructor(private readonly options: SqliteOutboxOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.maxEvents = options.maxEvents ?? 10_000;
    this.db = new Database(join(options.dataDir, OUTBOX_FILE));
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${(options.synchronous ?? 'full').toUpperCase()}`);
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS batches (
          seq INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, reading_count INTEGER NOT NULL,
          bytes INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, readings TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL);
        INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('last_event_seq', 0);
      `);
    } catch (error) {
      this.db.close();
      if ((error as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(
          `the outbox ${join(options.dataDir, OUTBOX_FILE)} is in use by another process (is a second gateway running on the same data folder?)`,
        );
      }
      throw error;
    }
    const db = this.db;
    this.statements = {
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare<[string, number]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      addMeta: db.prepare<[string, number]>(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value',
      ),
      allCounters: db.prepare<[], { key: string; value: number }>(
        "SELECT key, value FROM meta WHERE key LIKE 'overflow.%'",
      ),
      insertBatch: db.prepare<[number, number, number, number, number, number, string]>(
        'INSERT INTO batches (seq, created_at, reading_count, bytes, first_ts, last_ts, readings) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      pending: db.prepare<[number, number], BatchRow>('SELECT * FROM batches WHERE seq > ? ORDER BY seq LIMIT ?'),
      oldest: db.prepare<[number], BatchRow>('SELECT * FROM batches ORDER BY seq LIMIT ?'),
      byteOf: db.prepare<[number], { bytes: number }>('SELECT bytes FROM batches WHERE seq = ?'),
      deleteBatch: db.prepare<[number]>('DELETE FROM batches WHERE seq = ?'),
      replaceBatch: db.prepare<[number, number, number, number, string, number]>(
        'UPDATE batches SET reading_count = ?, bytes = ?, first_ts = ?, last_ts = ?, readings = ? WHERE seq = ?',
      ),
      totals: db.prepare<[], { n: number; bytes: number | null }>(
        'SELECT COUNT(*) AS n, SUM(bytes) AS bytes FROM batches',
      ),
      oldestInfo: db.prepare<[], { seq: number; first_ts: number }>(
        'SELECT seq, first_ts FROM batches ORDER BY seq LIMIT 1',
      ),
      insertEvent: db.prepare<[number, string]>('INSERT INTO events (seq, body) VALUES (?, ?)'),
      pendingEvents: db.prepare<[number, number], { seq: number; body: string }>(
        'SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      ),
      deleteEvent: db.prepare<[number]>('DELETE FROM events WHERE seq = ?'),
      dropOldestEvents: db.prepare<[number]>(
        'DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY seq LIMIT ?)',
      ),
      eventCount: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM events'),
    };
    const totals = this.statements.totals.get()!;
    this.batchCount = totals.n;
    this.bytes = totals.bytes ?? 0;
    this.eventCount = this.statements.eventCount.get()!.n;
    for (const row of this.statements.allCounters.all())
      this.counters.set(row.key.slice('overflow.'.length), row.value);

    this.store = {
      maxBytes: options.maxBytes,
      totalBytes: () => this.bytes,
      oldestBatches: (limit) => this.statements.oldest.all(limit).map(toBatch),
      deleteBatches: (seqs) => {
        for (const seq of seqs) this.deleteOne(seq);
      },
      replaceBatch: (seq, batch) => {
        const before = this.statements.byteOf.get(seq);
        if (!before) return;
        const bytes = Buffer.byteLength(batch.readingsJson);
        this.statements.replaceBatch.run(
          batch.readingCount,
          bytes,
          batch.firstTs,
          batch.lastTs,
          batch.readingsJson,
          seq,
        );
        this.bytes += bytes - before.bytes;
      },
      count: (name, by) => {
        this.statements.addMeta.run(`overflow.${name}`, by);
        this.counters.set(name, (this.counters.get(name) ?? 0) + by);
      },
    };
  }

  private deleteOne(seq: number): boolean {
    const row = this.statements.byteOf.get(seq);
    if (!row) return false;
    this.statements.deleteBatch.run(seq);
    this.bytes -= row.bytes;
    this.batchCount -= 1;
    return true;
  }

  private readonly appendTx = (batch: SealedBatch, now: number): OutboxBatch => {
    const bytes = Buffer.byteLength(batch.readingsJson);
    if (this.bytes + bytes > this.options.maxBytes) this.options.policy.makeRoom(this.store, bytes);
    const seq = this.statements.getMeta.get('last_seq')!.value + 1;
    this.statements.setMeta.run('last_seq', seq);
    this.statements.insertBatch.run(
      seq,
      now,
      batch.readingCount,
      bytes,
      batch.firstTs,
      batch.lastTs,
      batch.readingsJson,
    );
    this.bytes += bytes;
    this.batchCount += 1;
    return { ...batch, seq, createdAt: now, bytes };
  };

  appendBatch(batch: SealedBatch, now = Date.now()): OutboxBatch {
    // On failure the transaction rolls back, including any seq or counter changes.
    const snapshot = { bytes: this.bytes, count: this.batchCount, counters: new Map(this.counters) };
    try {
      return this.db.transaction(this.appendTx)(batch, now);
    } catch (error) {
      this.bytes = snapshot.bytes;
      this.batchCount = snapshot.count;
      this.counters.clear();
      for (const [k, v] of snapshot.counters) this.counters.set(k, v);
      throw error;
    }
  }

  appendEvent(event: Omit<GatewayEvent, 'gateway' | 'seq'>): GatewayEvent {
    return this.db.transaction(() => {
      const seq = this.statements.getMeta.get('last_event_seq')!.value + 1;
      this.statements.setMeta.run('last_event_seq', seq);
      const full: GatewayEvent = { gateway: this.options.gatewayId, seq, ...event };
      if (this.eventCount >= this.maxEvents) {
        const drop = this.eventCount - this.maxEvents + 1;
        this.statements.dropOldestEvents.run(drop);
        this.statements.addMeta.run('overflow.eventsDropped', drop);
        this.counters.set('eventsDropped', (this.counters.get('eventsDropped') ?? 0) + drop);
        this.eventCount -= drop;
      }
      this.statements.insertEvent.run(seq, JSON.stringify(full));
      this.eventCount += 1;
      return full;
    })();
  }

  pendingBatches(afterSeq: number, limit: number): OutboxBatch[] {
    return this.statements.pending.all(afterSeq, limit).map(toBatch);
  }

  pendingEvents(afterSeq: number, limit: number): OutboxEventRecord[] {
    return this.statements.pendingEvents
      .all(afterSeq, limit)
      .map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as GatewayEvent }));
  }

  ackBatch(seq: number): void {
    this.deleteOne(seq);
  }

  ackEvent(seq: number): void {
    if (this.statements.deleteEvent.run(seq).changes > 0) this.eventCount -= 1;
  }

  stats(): OutboxStats {
    const oldest = this.statements.oldestInfo.get();
    const overflow: OutboxStats['overflow'] = { policy: this.options.policy.name };
    for (const [k, v] of this.counters) overflow[k] = v;
    return {
      batches: this.batchCount,
      bytes: this.bytes,
      maxBytes: this.options.maxBytes,
      oldestSeq: oldest?.seq ?? null,
      oldestTs: oldest?.first_ts ?? null,
      lastSeq: this.statements.getMeta.get('last_seq')!.value,
      events: this.eventCount,
      overflow,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
