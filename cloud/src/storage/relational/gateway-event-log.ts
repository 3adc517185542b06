/** Gateway events (comm_lost, restarts, ...) as received, each (gateway, seq) kept once. */
import type { GatewayEvent } from '@gridsafe/shared';
import type { RelationalDb } from './db.js';

export class SqlGatewayEventLog {
  /**
   * `detectionPending`: events wait in the log for the detection partition's owner (cluster
   * mode, detection-backlog.ts); otherwise the receiving instance detects them in-process.
   */
  constructor(
    private readonly rdb: RelationalDb,
    private readonly detectionPending = false,
  ) {}

  /** Stores the event; false when this (gateway, seq) was stored before (a redelivery). */
  async append(event: GatewayEvent, receivedAt: number): Promise<boolean> {
    const inserted = await this.rdb.db
      .insertInto('gateway_events')
      .values({
        gateway: event.gateway,
        seq: event.seq,
        ts: event.ts,
        device: event.device ?? null,
        type: event.type,
        detail: event.detail === undefined ? null : JSON.stringify(event.detail),
        received_at: receivedAt,
        detection_pending: this.detectionPending ? 1 : 0,
      })
      .onConflict((oc) => oc.columns(['gateway', 'seq']).doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
  }
}
