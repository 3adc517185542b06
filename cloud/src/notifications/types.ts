/** What the rest of the cloud hands to the notification queue. */
import type { Bilingual, NotificationKind } from '@gridsafe/shared';

export interface NotificationEvent {
  kind: NotificationKind;
  /** Routing area (webhooks may subscribe to some areas only); null when unknown. */
  area: string | null;
  /** Site (substation or distribution room): events of one site in a burst are grouped. */
  site: string | null;
  /** Event time, ms UTC. */
  at: number;
  data: Record<string, unknown>;
}

/** The JSON body a webhook receives: one notification carries one or more events. */
export interface NotificationBody {
  id: string;
  kind: NotificationKind;
  createdAt: number;
  area: string | null;
  site: string | null;
  count: number;
  /** What a person reads, in both languages (notifications/texts.ts). */
  text?: Bilingual;
  events: NotificationEvent[];
}

export interface Delivery {
  id: string;
  notificationId: string;
  webhookId: string;
  kind: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  lastStatus: number | null;
  createdAt: number;
  deliveredAt: number | null;
  deadAt: number | null;
  body: NotificationBody;
}
