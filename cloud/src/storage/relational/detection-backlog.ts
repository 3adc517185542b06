/**
 * What detection has still to process, read from the shared store (cluster mode): the
 * ledger's pending batches and the event log's pending events of some gateways, merged
 * in the order the cloud received them. Whichever instance stored a batch, the owners of
 * the partitions it feeds take it from here, so no batch depends on its receiver. An item
 * that feeds several partitions is marked done for each (`detection_done`) and leaves the
 * backlog when the last of them is done.
 */
import { sql, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { GatewayEvent, TelemetryBatch } from '@gridsafe/shared';
import type { RelationalDb } from './db.js';
import type { DatabaseSchema } from './schema.js';
import { clearPendingBatch } from './ingest-ledger.js';

/** Rows in receipt order (both tables share the key and the receipt time). */
function oldestFirst<T extends 'ingest_ledger' | 'gateway_events', O>(
  query: SelectQueryBuilder<DatabaseSchema, T, O>,
  limit: number,
): SelectQueryBuilder<DatabaseSchema, T, O> {
  return query.orderBy('received_at').orderBy('gateway').orderBy('seq').limit(limit);
}

/** A batch or event, by its key. */
export interface BacklogKey {
  kind: 'batch' | 'event';
  gateway: string;
  seq: number;
}

export type BacklogItem =
  | { kind: 'batch'; receivedAt: number; batch: TelemetryBatch }
  | { kind: 'event'; receivedAt: number; event: GatewayEvent };

export class DetectionBacklog {
  constructor(private readonly rdb: RelationalDb) {}

  /** Gateways with a batch or an event waiting (partial indexes keep this cheap). */
  async gatewaysWithWork(): Promise<string[]> {
    const [batches, events] = await Promise.all([
      this.rdb.db.selectFrom('ingest_ledger').select('gateway').distinct().where('pending', 'is not', null).execute(),
      this.rdb.db
        .selectFrom('gateway_events')
        .select('gateway')
        .distinct()
        .where('detection_pending', '=', 1)
        .execute(),
    ]);
    return [...new Set([...batches, ...events].map((row) => row.gateway))];
  }

  /**
   * Up to `limit` batches and `limit` events of these gateways not yet done by this
   * partition, oldest received first, leaving out `processed` (done, not yet marked). When
   * one kind fills its limit, the other is cut at its last receipt, so nothing received
   * later than an item left out comes before it.
   */
  async next(
    gateways: readonly string[],
    limit: number,
    partition: number,
    processed: readonly BacklogKey[] = [],
  ): Promise<BacklogItem[]> {
    if (gateways.length === 0) return [];
    const notDone = (kind: BacklogKey['kind'], table: 'ingest_ledger' | 'gateway_events') => {
      const skipped = processed.filter((key) => key.kind === kind);
      const notSkipped =
        skipped.length === 0
          ? sql``
          : sql` AND (${sql.table(table)}.gateway, ${sql.table(table)}.seq) NOT IN (${sql.join(skipped.map((key) => sql`(${key.gateway}, ${key.seq})`))})`;
      return sql<boolean>`NOT EXISTS (SELECT 1 FROM detection_done d WHERE d.kind = ${kind} AND d.partition = ${partition}
        AND d.gateway = ${sql.table(table)}.gateway AND d.seq = ${sql.table(table)}.seq)${notSkipped}`;
    };
    const [batchRows, eventRows] = await Promise.all([
      oldestFirst(
        this.rdb.db
          .selectFrom('ingest_ledger')
          .select(['received_at', 'pending'])
          .where('pending', 'is not', null)
          .where('gateway', 'in', gateways)
          .where(notDone('batch', 'ingest_ledger')),
        limit,
      ).execute(),
      oldestFirst(
        this.rdb.db
          .selectFrom('gateway_events')
          .selectAll()
          .where('detection_pending', '=', 1)
          .where('gateway', 'in', gateways)
          .where(notDone('event', 'gateway_events')),
        limit,
      ).execute(),
    ]);
    const items: BacklogItem[] = [
      ...batchRows.map((row) => ({
        kind: 'batch' as const,
        receivedAt: row.received_at,
        batch: JSON.parse(row.pending as string) as TelemetryBatch,
      })),
      ...eventRows.map((row) => {
        const event: GatewayEvent = { gateway: row.gateway, seq: row.seq, ts: row.ts, type: row.type };
        if (row.device !== null) event.device = row.device;
        if (row.detail !== null) event.detail = JSON.parse(row.detail) as Record<string, unknown>;
        return { kind: 'event' as const, receivedAt: row.received_at, event };
      }),
    ];
    let cutoff = Number.POSITIVE_INFINITY;
    if (batchRows.length === limit) cutoff = Math.min(cutoff, batchRows[limit - 1]?.received_at ?? cutoff);
    if (eventRows.length === limit) cutoff = Math.min(cutoff, eventRows[limit - 1]?.received_at ?? cutoff);
    // Stable: a batch and an event received in the same millisecond keep batch first.
    return items.filter((item) => item.receivedAt <= cutoff).sort((a, b) => a.receivedAt - b.receivedAt);
  }

  /**
   * Records that this partition has processed these items (in the order given, which is
   * every owner's receipt order, so row locks are taken in one order and never deadlock).
   * An item that feeds this partition alone leaves the backlog at once; one that feeds
   * others too leaves it when all of `needed(gateway)` are done: its row is locked first,
   * so two owners finishing it together see each other's mark.
   */
  async markDone(
    partition: number,
    keys: readonly BacklogKey[],
    needed: (gateway: string) => readonly number[],
  ): Promise<void> {
    if (keys.length === 0) return;
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const key of keys) {
        const partitions = needed(key.gateway);
        if (partitions.length === 1 && partitions[0] === partition) {
          await this.clear(trx, key);
          continue;
        }
        await this.lock(trx, key);
        await trx
          .insertInto('detection_done')
          .values({ ...key, partition })
          .onConflict((oc) => oc.columns(['kind', 'gateway', 'seq', 'partition']).doNothing())
          .execute();
        await this.finishIfDone(trx, key, partitions);
      }
    });
  }

  /**
   * After a registry edit a gateway may feed fewer partitions: items the remaining ones
   * have all done leave the backlog (no owner would come back to them otherwise), and
   * the marks of items that have left it (cleared by an owner that was then their only
   * one) are dropped.
   */
  async settle(needed: (gateway: string) => readonly number[]): Promise<void> {
    const keys = await this.rdb.db.selectFrom('detection_done').select(['kind', 'gateway', 'seq']).distinct().execute();
    for (const key of keys)
      await this.rdb.db.transaction().execute(async (trx) => {
        const backlogKey: BacklogKey = { kind: key.kind, gateway: key.gateway, seq: Number(key.seq) };
        if (await this.lock(trx, backlogKey)) await this.finishIfDone(trx, backlogKey, needed(key.gateway));
        else await this.dropMarks(trx, backlogKey);
      });
  }

  /** Clears the item and its marks when every partition it feeds is done with it (its row locked). */
  private async finishIfDone(
    trx: Transaction<DatabaseSchema>,
    key: BacklogKey,
    partitions: readonly number[],
  ): Promise<void> {
    const done = await this.doneFor(trx, key);
    if (!partitions.every((p) => done.has(p))) return;
    await this.clear(trx, key);
    await this.dropMarks(trx, key);
  }

  private async dropMarks(trx: Transaction<DatabaseSchema>, key: BacklogKey): Promise<void> {
    await trx
      .deleteFrom('detection_done')
      .where('kind', '=', key.kind)
      .where('gateway', '=', key.gateway)
      .where('seq', '=', key.seq)
      .execute();
  }

  private async doneFor(trx: Transaction<DatabaseSchema>, key: BacklogKey): Promise<Set<number>> {
    const rows = await trx
      .selectFrom('detection_done')
      .select('partition')
      .where('kind', '=', key.kind)
      .where('gateway', '=', key.gateway)
      .where('seq', '=', key.seq)
      .execute();
    return new Set(rows.map((row) => Number(row.partition)));
  }

  /** Locks the item's row; whether it is still in the backlog. */
  private async lock(trx: Transaction<DatabaseSchema>, key: BacklogKey): Promise<boolean> {
    const pending =
      key.kind === 'batch'
        ? sql<{ pending: boolean }>`SELECT pending IS NOT NULL AS pending FROM ingest_ledger
            WHERE gateway = ${key.gateway} AND seq = ${key.seq} FOR UPDATE`
        : sql<{ pending: boolean }>`SELECT detection_pending = 1 AS pending FROM gateway_events
            WHERE gateway = ${key.gateway} AND seq = ${key.seq} FOR UPDATE`;
    const { rows } = await pending.execute(trx);
    return rows[0]?.pending === true;
  }

  private async clear(trx: Transaction<DatabaseSchema>, key: BacklogKey): Promise<void> {
    if (key.kind === 'batch') await clearPendingBatch(trx, key);
    else
      await trx
        .updateTable('gateway_events')
        .set({ detection_pending: 0 })
        .where('gateway', '=', key.gateway)
        .where('seq', '=', key.seq)
        .execute();
  }
}
