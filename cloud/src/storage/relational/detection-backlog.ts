/**
 * What detection has still to process, read from the shared store (cluster mode): the
 * ledger's pending batches and the event log's pending events of some gateways, merged
 * in the order the cloud received them. Whichever instance stored a batch, the owner of
 * its gateway's partition takes it from here, so no batch depends on its receiver.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { GatewayEvent, TelemetryBatch } from '@gridsafe/shared';
import type { RelationalDb } from './db.js';
import type { DatabaseSchema } from './schema.js';

/** Rows in receipt order (both tables share the key and the receipt time). */
function oldestFirst<T extends 'ingest_ledger' | 'gateway_events', O>(
  query: SelectQueryBuilder<DatabaseSchema, T, O>,
  limit: number,
): SelectQueryBuilder<DatabaseSchema, T, O> {
  return query.orderBy('received_at').orderBy('gateway').orderBy('seq').limit(limit);
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
   * Up to `limit` batches and `limit` events of these gateways, oldest received first.
   * When one kind fills its limit, the other is cut at its last receipt, so nothing
   * received later than an item left out comes before it.
   */
  async next(gateways: readonly string[], limit: number): Promise<BacklogItem[]> {
    if (gateways.length === 0) return [];
    const [batchRows, eventRows] = await Promise.all([
      oldestFirst(
        this.rdb.db
          .selectFrom('ingest_ledger')
          .select(['received_at', 'pending'])
          .where('pending', 'is not', null)
          .where('gateway', 'in', gateways),
        limit,
      ).execute(),
      oldestFirst(
        this.rdb.db
          .selectFrom('gateway_events')
          .selectAll()
          .where('detection_pending', '=', 1)
          .where('gateway', 'in', gateways),
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

  async markEventsDetected(keys: ReadonlyArray<{ gateway: string; seq: number }>): Promise<void> {
    if (keys.length === 0) return;
    await this.rdb.db.transaction().execute(async (trx) => {
      for (const key of keys)
        await trx
          .updateTable('gateway_events')
          .set({ detection_pending: 0 })
          .where('gateway', '=', key.gateway)
          .where('seq', '=', key.seq)
          .execute();
    });
  }
}
