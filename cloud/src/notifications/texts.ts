/**
 * The text a person reads in a notification, in 中文 and English: one line per event
 * (messages/catalog.ts, notify.*), under a heading when a burst at one site was grouped.
 * Alert types are named by their labels (each detector's meta.ts).
 */
import type { AlertTypeMeta, Bilingual } from '@gridsafe/shared';
import { formatMessage, type Lang } from '../messages/catalog.js';
import type { Message } from '@gridsafe/shared';
import type { NotificationEvent } from './types.js';

interface OrderLike {
  id?: string;
  alertType?: string;
  subject?: string;
  assignee?: string | null;
  severity?: string;
}
interface CaseLike {
  id?: string;
  customer?: string;
  state?: string;
  maxDemandKw?: number;
  contractKva?: number;
}

/** One event as a message; `type` is filled in per language. */
function messageOf(event: NotificationEvent): Message {
  const order = (event.data['workOrder'] ?? {}) as OrderLike;
  const record = (event.data['case'] ?? {}) as CaseLike;
  const about = { order: order.id ?? '', subject: order.subject ?? '', type: order.alertType ?? '' };
  const who = (value: unknown) => (typeof value === 'string' && value ? value : '—');
  switch (event.kind) {
    case 'alert.opened':
      return {
        code: 'notify.alert_opened',
        params: { ...about, severity: order.severity ?? '', assignee: who(order.assignee) },
      };
    case 'alert.escalated':
      return { code: 'notify.alert_escalated', params: { ...about, to: who(event.data['to']) } };
    case 'workorder.assigned':
      return {
        code: 'notify.workorder_assigned',
        params: { ...about, assignee: who(order.assignee), by: who(event.data['by']) },
      };
    case 'workorder.resolved':
      return { code: 'notify.workorder_resolved', params: about };
    case 'case.opened':
      return {
        code: 'notify.case_opened',
        params: {
          case: record.id ?? '',
          customer: record.customer ?? '',
          maxDemandKw: record.maxDemandKw ?? '',
          contractKva: record.contractKva ?? '',
        },
      };
    case 'case.transition':
      return {
        code: 'notify.case_transition',
        params: { case: record.id ?? '', customer: record.customer ?? '', state: record.state ?? '' },
      };
  }
}

/** Builds the describer the queue calls for each notification, with the alert types' labels. */
export function notificationTexts(
  alertTypes: readonly AlertTypeMeta[],
): (events: readonly NotificationEvent[]) => Bilingual {
  const labels = new Map(alertTypes.map((meta) => [meta.type, meta.label]));
  const inLang = (events: readonly NotificationEvent[], lang: Lang) => {
    const lines = events.map((event) => {
      const message = messageOf(event);
      const type = message.params?.['type'];
      const label = typeof type === 'string' ? labels.get(type)?.[lang] : undefined;
      return formatMessage(label ? { ...message, params: { ...message.params, type: label } } : message, lang);
    });
    const first = events[0];
    if (events.length === 1 || !first) return lines.join('\n');
    const heading = formatMessage(
      { code: 'notify.group', params: { site: first.site ?? '—', count: events.length } },
      lang,
    );
    return [heading, ...lines].join('\n');
  };
  return (events) => ({ zh: inLang(events, 'zh'), en: inLang(events, 'en') });
}
