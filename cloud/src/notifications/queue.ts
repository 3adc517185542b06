/**
 * The durable notification queue. Enqueueing is one INSERT and never waits for a receiver:
 * the delivery worker drains the queue on its own schedule, so a receiver that is down
 * costs ingest and detection nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Bilingual, NotificationKind } from '@gridsafe/shared';
import { orderedId } from './ordered-id.js';
import type { NotificationTables } from './tables.js';
import type { Delivery, NotificationBody, NotificationEvent } from './types.js';

export interface QueueOptions {
  /**
   * How long the first event of a burst waits for others from the same site before one
   * notification goes out (FACTS.md: Grafana groups with a 30 s wait).
   */
  groupWaitMs: number;
  /** Kinds that are grouped per site; others go out one by one. */
  groupedKinds: readonly NotificationKind[];
  now?: () => number;
  /** The text people read, in 中文 and English (notifications/texts.ts); none when absent. */
  describe?: (events: readonly NotificationEvent[]) => Bilingual;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = { groupWaitMs: 30_000, groupedKinds: ['alert.opened'] };

type Db = Kysely<NotificationTables> | Transaction<NotificationTables>;

export class NotificationQueue {
  private readonly now: () => number;

  constructor(
    private readonly db: Kysely<NotificationTables>,
    private readonly options: QueueOptions = DEFAULT_QUEUE_OPTIONS,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Accepts an event: held for grouping, or turned into deliveries at once. Pass the
   * caller's transaction to make the notification part of the change it reports.
   */
  async enqueue(event: NotificationEvent, trx?: Transaction<NotificationTables>): Promise<void> {
    if (this.options.groupedKinds.includes(event.kind) && event.site) {
      await (trx ?? this.db)
        .insertInto('notification_pending')
        .values({
          id: orderedId('np', this.now()),
          group_key: `${event.kind}|${event.site}`,
          kind: event.kind,
          area: event.area,
          site: event.site,
          payload: JSON.stringify(event),
          created_at: this.now(),
        })
        .execute();
      return;
    }
    if (trx) await this.createNotification(trx, [event]);
    else await this.db.transaction().execute((t) => this.createNotification(t, [event]));
  }

  /** Turns every group whose wait is over into one notification. Returns how many went out. */
  async flushGroups(): Promise<number> {
    const now = this.now();
    const due = await this.db
      .selectFrom('notification_pending')
      .select(['group_key'])
      .groupBy('group_key')
      .having((eb) => eb.fn.min('created_at'), '<=', now - this.options.groupWaitMs)
      .execute();
    let sent = 0;
    for (const { group_key } of due) {
      await this.db
        .transaction()
        .execute(async (trx) => {
          const rows = await trx
            .selectFrom('notification_pending')
            .selectAll()
            .where('group_key', '=', group_key)
            .orderBy('created_at')
            .orderBy('id')
            .execute();
          if (!rows.length) return; // another instance flushed it
          const deleted = await trx
            .deleteFrom('notification_pending')
            .where(
              'id',
              'in',
              rows.map((r) => r.id),
            )
            .executeTakeFirst();
          // Another instance deleting the same rows first means it owns the group now.
          if (Number(deleted.numDeletedRows) !== rows.length) throw new GroupTaken();
          await this.createNotification(
            trx,
            rows.map((r) => JSON.parse(r.payload) as NotificationEvent),
          );
          sent++;
        })
        .catch((error: unknown) => {
          if (!(error instanceof GroupTaken)) throw error;
        });
    }
    return sent;
  }

  /** One notification, one delivery row per webhook that wants it. */
  private async createNotification(trx: Db, events: NotificationEvent[]): Promise<void> {
    const first = events[0]!;
    const body: NotificationBody = {
      id: randomUUID(),
      kind: first.kind,
      createdAt: this.now(),
      area: first.area,
      site: first.site,
      count: events.length,
      ...(this.options.describe ? { text: this.options.describe(events) } : {}),
      events,
    };
    const hooks = await trx.selectFrom('webhooks').select(['id', 'kinds', 'areas']).where('enabled', '=', 1).execute();
    const areas = new Set(events.map((e) => e.area));
    const wanted = hooks.filter((hook) => {
      const kinds = JSON.parse(hook.kinds) as string[];
      const hookAreas = JSON.parse(hook.areas) as string[];
      return (
        (kinds.length === 0 || kinds.includes(body.kind)) &&
        (hookAreas.length === 0 || hookAreas.some((a) => areas.has(a)))
      );
    });
    if (!wanted.length) return;
    const text = JSON.stringify(body);
    await trx
      .insertInto('notification_outbox')
      .values(
        wanted.map((hook) => ({
          id: orderedId('dl', body.createdAt),
          notification_id: body.id,
          webhook_id: hook.id,
          kind: body.kind,
          body: text,
          state: 'pending' as const,
          attempts: 0,
          next_attempt_at: body.createdAt,
          locked_until: null,
          last_error: null,
          last_status: null,
          created_at: body.createdAt,
          delivered_at: null,
          dead_at: null,
        })),
      )
      .execute();
  }

  async listDeliveries(filter: {
    state?: Delivery['state'];
    webhookId?: string;
    limit: number;
    offset: number;
  }): Promise<{ items: Delivery[]; total: number }> {
    let query = this.db.selectFrom('notification_outbox');
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.webhookId) query = query.where('webhook_id', '=', filter.webhookId);
    const total = await query.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
    const rows = await query
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute();
    return { items: rows.map(toDelivery), total: Number(total?.n ?? 0) };
  }

  /** Puts a dead delivery back in the queue, as new. Null when there is no such dead delivery. */
  async replay(id: string): Promise<Delivery | null> {
    const now = this.now();
    const result = await this.db
      .updateTable('notification_outbox')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, dead_at: null })
      .where('id', '=', id)
      .where('state', '=', 'dead')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return null;
    const row = await this.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return toDelivery(row);
  }

  /** Replays every dead delivery (optionally of one webhook); returns how many. */
  async replayAll(webhookId?: string): Promise<number> {
    let update = this.db
      .updateTable('notification_outbox')
      .set({ state: 'pending', attempts: 0, next_attempt_at: this.now(), locked_until: null, dead_at: null })
      .where('state', '=', 'dead');
    if (webhookId) update = update.where('webhook_id', '=', webhookId);
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Queue depths, for /metrics and the fleet page. */
  async stats(): Promise<{ pending: number; dead: number; grouping: number }> {
    const rows = await this.db
      .selectFrom('notification_outbox')
      .select(['state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('state', 'in', ['pending', 'dead'])
      .groupBy('state')
      .execute();
    const grouping = await this.db
      .selectFrom('notification_pending')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirst();
    const count = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
    return { pending: count('pending'), dead: count('dead'), grouping: Number(grouping?.n ?? 0) };
  }
}

class GroupTaken extends Error {}

export function toDelivery(row: NotificationTables['notification_outbox']): Delivery {
  const n = (v: number | string | null) => (v === null ? null : Number(v));
  return {
    id: row.id,
    notificationId: row.notification_id,
    webhookId: row.webhook_id,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: Number(row.next_attempt_at),
    lastError: row.last_error,
    lastStatus: row.last_status,
    createdAt: Number(row.created_at),
    deliveredAt: n(row.delivered_at),
    deadAt: n(row.dead_at),
    body: JSON.parse(row.body) as NotificationBody,
  };
}
