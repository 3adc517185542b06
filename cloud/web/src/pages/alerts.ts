/**
 * The live alert board: alerts with their work orders, newest first. New alerts and
 * changes arrive through the event stream and are applied in place, without a reload.
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { onLive, onReconnect } from '../events.js';
import { alertTypeLabel } from '../alert-types.js';
import { t, tv } from '../i18n.js';
import { canAct } from '../session.js';
import { fmtTime } from '../time.js';
import type { Alert, Page, WorkOrder } from '../types.js';

export function renderAlertBoard(root: HTMLElement): () => void {
  const alerts = new Map<string, Alert>();
  const orders = new Map<string, WorkOrder>(); // by alert id
  const fresh = new Set<string>();
  const status = h('p', { class: 'error', role: 'alert', id: 'board-error' });
  const body = h('tbody', { id: 'alert-rows' });
  const table = h(
    'table',
    { class: 'board', id: 'alert-board' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...(
          ['severity', 'type', 'subject', 'site', 'opened', 'state', 'workOrder', 'assignee', 'actions'] as const
        ).map((k) => h('th', {}, t(k))),
      ),
    ),
    body,
  );
  root.append(h('h1', {}, t('alerts')), status, table);

  const draw = () => {
    clear(body);
    const list = [...alerts.values()].sort((a, b) => b.openedAt - a.openedAt || b.id.localeCompare(a.id));
    if (!list.length) body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, t('noAlerts'))));
    for (const alert of list) body.append(row(alert, orders.get(alert.id)));
  };

  const row = (alert: Alert, order: WorkOrder | undefined) => {
    const site = order?.site ?? null;
    const ack = async (button: HTMLButtonElement) => {
      button.disabled = true;
      status.textContent = '';
      try {
        if (order)
          orders.set(
            alert.id,
            await api<WorkOrder>('POST', `/api/v1/workorders/${order.id}/transition`, { to: 'acknowledged' }),
          );
        else alerts.set(alert.id, await api<Alert>('POST', `/api/v1/alerts/${alert.id}/ack`, {}));
        draw();
      } catch (error) {
        status.textContent = (error as Error).message;
        button.disabled = false;
      }
    };
    const canAck = canAct() && alert.state === 'open' && (!order || order.state === 'open');
    return h(
      'tr',
      {
        'data-alert-id': alert.id,
        'data-state': alert.state,
        class: `sev-${alert.severity}${fresh.has(alert.id) ? ' fresh' : ''}`,
      },
      h('td', {}, h('span', { class: `badge sev-${alert.severity}` }, tv(alert.severity))),
      h('td', {}, h('a', { href: `#/alert/${encodeURIComponent(alert.id)}` }, alertTypeLabel(alert.type))),
      h('td', {}, alert.subject),
      h('td', {}, site ?? '—'),
      h('td', {}, fmtTime(alert.openedAt, site)),
      h('td', { class: 'alert-state' }, h('span', { class: `badge st-${alert.state}` }, tv(alert.state))),
      h(
        'td',
        { class: 'wo-state' },
        order ? h('span', { class: `badge st-${order.state}` }, tv(order.state)) : '—',
        order?.escalatedAt ? h('span', { class: 'badge escalated' }, t('escalated')) : null,
      ),
      h('td', { class: 'assignee' }, order?.assignee ?? (order ? t('unassigned') : '—')),
      h(
        'td',
        {},
        canAck
          ? h(
              'button',
              { class: 'ack', onclick: (e: Event) => void ack(e.currentTarget as HTMLButtonElement) },
              t('acknowledge'),
            )
          : null,
      ),
    );
  };

  const load = async () => {
    try {
      const [alertPage, orderPage] = await Promise.all([
        api<Page<Alert>>('GET', '/api/v1/alerts?limit=300'),
        api<Page<WorkOrder>>('GET', '/api/v1/workorders?limit=500'),
      ]);
      alerts.clear();
      orders.clear();
      for (const a of alertPage.items) alerts.set(a.id, a);
      for (const o of orderPage.items) orders.set(o.alertId, o);
      draw();
      root.dataset['loaded'] = 'true';
    } catch (error) {
      status.textContent = (error as Error).message;
    }
  };

  const offLive = onLive((event) => {
    if (event.type === 'alert') {
      const alert = event.data['alert'] as Alert;
      if (!alerts.has(alert.id)) fresh.add(alert.id);
      alerts.set(alert.id, alert);
      draw();
    } else if (event.type === 'workorder') {
      const order = event.data['workOrder'] as WorkOrder;
      orders.set(order.alertId, order);
      if (alerts.has(order.alertId)) draw();
      else
        void api<Alert>('GET', `/api/v1/alerts/${order.alertId}`).then(
          (a) => {
            fresh.add(a.id);
            alerts.set(a.id, a);
            draw();
          },
          () => undefined,
        );
    }
  });
  const offReconnect = onReconnect(() => void load());
  void load();
  return () => {
    offLive();
    offReconnect();
  };
}
