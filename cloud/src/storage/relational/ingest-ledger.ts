/**
 * The ingest ledger: which (gateway, seq) batches are stored (CONTRACT.md: stored at
 * most once), and which of them detection has not processed yet, with the batch kept
 * until it has, so a crash between storing and detecting replays it at start-up.
 */
import type { TelemetryBatch } from '@gridsafe/shared';
import { isUniqueViolation, type RelationalDb } from './db.js';

export interface IngestLedger {
  isKnown(gateway: string, seq: number): Promise<boolean>;
  /** Records a stored batch; false when another writer recorded it first (a duplicate). */
  record(batch: TelemetryBatch, receivedAt: number): Promise<boolean>;
  markDetected(keys: Array<{ gateway: string; seq: number }>): Promise<void>;
  /** Stored batches detection has not processed, oldest first. */
  pending(limit: number): Promise<TelemetryBatch[]>;
  /** Highest recorded seq per gateway (for the fleet page and the gateway's resume). */
  lastSeq(gateway: string): Promise<number | null>;
}

export class SqlIngestLedger implements IngestLedger {
  constructor(private readonly rdb: RelationalDb) {}

  async isKnown(gateway: string, seq: number): Promise<boolean> {
    const row = await this.rdb.db.selectFrom('ingest_ledger').select('seq').where('gateway', '=', gateway).where('seq', '=', seq).executeTakeFirst();
    return row !== undefined;
  }

  async record(batch: TelemetryBatch, receivedAt: number): Promise<boolean> {
    let first: number | null = null;
    let last: number | null = null;
    for (const reading of batch.readings) {
      if (first === null || reading.ts < first) first = reading.ts;
      if (last === null || reading.ts > last) last = reading.ts;
    }
    try {
      await this.rdb.db
        .insertInto('ingest_ledger')
        .values({
          gateway: batch.gateway,
          seq: batch.seq,
          received_at: receivedAt,
          readings: batch.readings.length,
          first_ts: first,
          last_ts: last,
          pending: JSON.stringify(batch),
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async markDetected(keys: Array<{ gateway: string; seq: number }>): Promise<void> {
    if (keys.length === 0) return;
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const key of keys) {
        await trx.updateTable('ingest_ledger').set({ pending: null }).where('gateway', '=', key.gateway).where('seq', '=', key.seq).execute();
      }
    });
  }

  async pending(limit: number): Promise<TelemetryBatch[]> {
    const rows = await this.rdb.db
      .selectFrom('ingest_ledger')
      .select('pending')
      .where('pending', 'is not', null)
      .orderBy('received_at')
      .orderBy('gateway')
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => JSON.parse(row.pending as string) as TelemetryBatch);
  }

  async lastSeq(gateway: string): Promise<number | null> {
    const row = await this.rdb.db
      .selectFrom('ingest_ledger')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .where('gateway', '=', gateway)
      .executeTakeFirst();
    return row?.seq === null || row?.seq === undefined ? null : Number(row.seq);
  }
}
