/**
 * Tables of the notification queue. Times are UTC ms (bigint: PostgreSQL may hand them
 * back as strings, so readers pass them through Number()). JSON is stored as text so the
 * same SQL runs on SQLite and PostgreSQL.
 */

export interface WebhookTable {
  id: string;
  url: string;
  /** Signing secret. Needed in clear to sign; never returned by the API nor logged. */
  secret: string;
  /** JSON array of notification kinds this receiver wants; empty = all. */
  kinds: string;
  /** JSON array of areas; empty = all areas. */
  areas: string;
  enabled: number;
  created_at: number | string;
}

/** Events waiting to be grouped with others from the same site (a burst becomes one notification). */
export interface NotificationPendingTable {
  id: string;
  group_key: string;
  kind: string;
  area: string | null;
  site: string | null;
  /** JSON of the event. */
  payload: string;
  created_at: number | string;
}

export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** One notification to one webhook: the durable queue the worker drains. */
export interface NotificationOutboxTable {
  id: string;
  notification_id: string;
  webhook_id: string;
  kind: string;
  /** The JSON body, fixed at enqueue time so every attempt signs the same bytes. */
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: number | string;
  /** Lease, so two cloud instances never send the same delivery at once. */
  locked_until: number | string | null;
  last_error: string | null;
  last_status: number | null;
  created_at: number | string;
  delivered_at: number | string | null;
  dead_at: number | string | null;
}

export interface NotificationTables {
  webhooks: WebhookTable;
  notification_pending: NotificationPendingTable;
  notification_outbox: NotificationOutboxTable;
}
