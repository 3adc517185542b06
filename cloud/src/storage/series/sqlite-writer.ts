/**
 * The embedded series store's writer, run in a worker thread (sqlite.ts starts it). It
 * owns the only write connection to the series file, so the inserts and the fsync of
 * every commit run beside the service's event loop instead of blocking it: with the
 * writes on the main thread, MQTT, validation and detection waited for each commit and
 * ingest ran at half the direct-write rate (BENCHMARKS.md, bench:ingest).
 *
 * It creates the schema, then answers each request with one reply of the same id.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { migrateSeriesFile } from './sqlite-migrations.js';
import { QUANTITY_NAMES, type Quantity, type ReadingQuality, type TelemetryBatch } from '@gridsafe/shared';

export interface WriterOptions {
  path: string;
  busyTimeoutMs: number;
}

/**
 * A batch to store; with `once`, only if its (gateway, seq) is not in the ledger yet, and
 * recorded there in the same commit. `pending` is the batch as received, raw-deflated JSON
 * (sqlite.ts packs it), kept until detection has processed it.
 */
export type WriteItem = { batch: TelemetryBatch; once?: { receivedAt: number; pending: Uint8Array } };
export type LedgerRecord = { gateway: string; seq: number; receivedAt: number; readings: number; pending: Uint8Array };
export type BatchKey = { gateway: string; seq: number };

export type WriterRequest =
  | { id: number; op: 'write'; items: WriteItem[] }
  | { id: number; op: 'record'; record: LedgerRecord }
  | { id: number; op: 'markDetected'; keys: BatchKey[] }
  | { id: number; op: 'close' };

export type WriterReply =
  { id: number; ok: true; results: Array<'stored' | 'duplicate'> } | { id: number; ok: false; message: string };

/** The first message: the schema exists (or why it could not be made). */
export type WriterReady = { ready: true } | { ready: false; message: string };

/**
 * The series file's settings (the benchmark's direct-write baseline uses them too).
 * WAL with synchronous=FULL: a committed batch survives power loss, which is what lets
 * the broker acknowledge it (CONTRACT.md: PUBACK only after durable storage). A 64 MiB
 * page cache holds the upper levels of the (device, ts) index of a large fleet (the
 * 2 MiB default made every insert read pages back), and checkpoints every 32 MiB of
 * WAL rather than every 4 MiB copy fewer pages twice.
 */
export const SERIES_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = FULL',
  'cache_size = -65536',
  'wal_autocheckpoint = 8192',
] as const;

const QUALITY_CODES: Record<ReadingQuality, number> = { good: 0, stale: 1, suspect: 2 };
/** Column names are the canonical quantity names: a fixed list, so safe to put in SQL text. */
const COLUMNS = QUANTITY_NAMES;

function openWriter(options: WriterOptions) {
  const db = new Database(options.path, { timeout: options.busyTimeoutMs });
  for (const pragma of SERIES_PRAGMAS) db.pragma(pragma);
  migrateSeriesFile(db);

  // A reading written again (a redelivered batch, or a later batch with more quantities
  // for the same instant) merges into its row: nothing is stored twice.
  const insert = db.prepare(
    `INSERT INTO readings (device, ts, gateway, quality, ${COLUMNS.join(', ')})
     VALUES (?, ?, ?, ?, ${COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (device, ts) DO UPDATE SET quality = excluded.quality,
     ${COLUMNS.map((column) => `${column} = coalesce(excluded.${column}, ${column})`).join(', ')}`,
  );
  const claim = db.prepare(
    'INSERT OR IGNORE INTO ingest_ledger (gateway, seq, received_at, readings, pending) VALUES (?, ?, ?, ?, ?)',
  );
  const mark = db.prepare('UPDATE ingest_ledger SET pending = NULL WHERE gateway = ? AND seq = ?');

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

  return {
    db,
    /** One transaction, one fsync, for a whole group of batches. */
    write: db.transaction((items: WriteItem[]) =>
      items.map((item) => {
        if (item.once) {
          const claimed = claim.run(
            item.batch.gateway,
            item.batch.seq,
            item.once.receivedAt,
            item.batch.readings.length,
            item.once.pending,
          );
          if (claimed.changes === 0) return 'duplicate' as const;
        }
        insertReadings(item.batch);
        return 'stored' as const;
      }),
    ),
    record: (record: LedgerRecord) =>
      claim.run(record.gateway, record.seq, record.receivedAt, record.readings, record.pending).changes > 0
        ? ('stored' as const)
        : ('duplicate' as const),
    markDetected: db.transaction((keys: BatchKey[]) => keys.forEach((key) => mark.run(key.gateway, key.seq))),
  };
}

const port = parentPort;
if (port) {
  let writer: ReturnType<typeof openWriter>;
  try {
    writer = openWriter(workerData as WriterOptions);
    port.postMessage({ ready: true } satisfies WriterReady);
  } catch (error) {
    port.postMessage({ ready: false, message: (error as Error).message } satisfies WriterReady);
    process.exit(1);
  }
  port.on('message', (request: WriterRequest) => {
    let reply: WriterReply;
    try {
      if (request.op === 'write') reply = { id: request.id, ok: true, results: writer.write(request.items) };
      else if (request.op === 'record') reply = { id: request.id, ok: true, results: [writer.record(request.record)] };
      else if (request.op === 'markDetected') {
        writer.markDetected(request.keys);
        reply = { id: request.id, ok: true, results: [] };
      } else {
        writer.db.close();
        reply = { id: request.id, ok: true, results: [] };
      }
    } catch (error) {
      reply = { id: request.id, ok: false, message: (error as Error).message };
    }
    port.postMessage(reply);
    if (request.op === 'close') port.close();
  });
}
