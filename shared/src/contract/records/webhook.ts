/** A webhook as the cloud keeps it and the API answers it (GET /api/v1/webhooks): where notifications of which kinds go. */

export const NOTIFICATION_KINDS = [
  'alert.opened',
  'alert.escalated',
  'workorder.assigned',
  'workorder.resolved',
  'case.opened',
  'case.transition',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Webhook {
  id: string;
  url: string;
  kinds: NotificationKind[];
  areas: string[];
  enabled: boolean;
  createdAt: number;
}
