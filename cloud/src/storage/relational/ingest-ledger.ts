/**
 * The ingest ledger: which (gateway, seq) batches are stored (CONTRACT.md: stored at
 * most once), and which of them detection has not processed yet, with the batch kept
 * until it has, so a crash between storing and detecting replays it at start-up.
 */
import type { TelemetryBatch } from '@gridsafe/shared';
import type { RelationalDb } from './db.js';
import type { Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';
import { GroupCommit } from '../group-commit.js';

/** Marks one stored batch processed by detection: the kept batch is dropped. */
export async function clearPendingBatch(db: Kysely<DatabaseSchema>, key: { gateway: string; seq: number }) {
  await db
    .updateTable('ingest_ledger')
    .set({ pending: null })
    .where('gateway', '=', key.gateway)
    .where('seq', '=', key.seq)
    .execute();
}

export interface IngestLedger {
  isKnown(gateway: string, seq: number): Promise<boolean>;
  /** Records a stored batch; false when another writer recorded it first (a duplicate). `pendingJson`: the batch as received, if JSON. */
  record(batch: TelemetryBatch, receivedAt: number, pendingJson?: string): Promise<boolean>;
  markDetected(keys: Array<{ gateway: string; seq: number }>): Promise<void>;
  /** Stored batches detection has not processed, oldest first. */
  pending(limit: number): Promise<TelemetryBatch[]>;
  /** Highest recorded seq per gateway (for the fleet page and the gateway's resume). */
  lastSeq(gateway: string): Promise<number | null>;
  /** Every recorded seq of a gateway, ascending (audits and tests). */
  recorded(gateway: string): Promise<number[]>;
}

export class SqlIngestLedger implements IngestLedger {
  /** Records from concurrent batches share one transaction (one commit). */
  private readonly recorder = new GroupCommit<
    { batch: TelemetryBatch; receivedAt: number; pendingJson: string | undefined },
    boolean
  >((items) =>
    this.rdb.db.transaction().execute(async (trx) => {
      const results: boolean[] = [];
      for (const { batch, receivedAt, pendingJson } of items) {
        let first: number | null = null;
        let last: number | null = null;
        for (const reading of batch.readings) {
          if (first === null || reading.ts < first) first = reading.ts;
          if (last === null || reading.ts > last) last = reading.ts;
        }
        // ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL a
        // failed statement would abort the whole group's transaction.
        const result = await trx
          .insertInto('ingest_ledger')
          .values({
            gateway: batch.gateway,
            seq: batch.seq,
            received_at: receivedAt,
            readings: batch.readings.length,
            first_ts: first,
            last_ts: last,
            pending: pendingJson ?? JSON.stringify(batch),
          })
          .onConflict((oc) => oc.columns(['gateway', 'seq']).doNothing())
          .executeTakeFirst();
        results.push(Number(result.numInsertedOrUpdatedRows ?? 0n) > 0);
      }
      return results;
    }),
  );

  constructor(private readonly rdb: RelationalDb) {}

  async isKnown(gateway: string, seq: number): Promise<boolean> {
    const row = await this.rdb.db
      .selectFrom('ingest_ledger')
      .select('seq')
      .where('gateway', '=', gateway)
      .where('seq', '=', seq)
      .executeTakeFirst();
    return row !== undefined;
  }

  record(batch: TelemetryBatch, receivedAt: number, pendingJson?: string): Promise<boolean> {
    return this.recorder.submit({ batch, receivedAt, pendingJson });
  }

  async markDetected(keys: Array<{ gateway: string; seq: number }>): Promise<void> {
    if (keys.length === 0) return;
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const key of keys) await clearPendingBatch(trx, key);
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

  async recorded(gateway: string): Promise<number[]> {
    const rows = await this.rdb.db
      .selectFrom('ingest_ledger')
      .select('seq')
      .where('gateway', '=', gateway)
      .orderBy('seq')
      .execute();
    return rows.map((row) => Number(row.seq));
  }
}
