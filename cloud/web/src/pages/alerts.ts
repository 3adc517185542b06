/**
 * The alert triage list: filters, search, sort and paging done by the server, most urgent
 * first by default, resolved alerts set apart, bulk acknowledge, and "my work" (the work
 * orders assigned to the signed-in user). Live events refresh the page in place, without
 * a reload; a new alert is highlighted.
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { onLive, onReconnect } from '../events.js';
import { alertTypeLabel } from '../alert-types.js';
import { t, tv } from '../i18n.js';
import { canAct, session } from '../session.js';
import { fmtTime } from '../time.js';
import type { AlertRecord, Page, WorkOrder } from '@gridsafe/shared';
import { silenceBadge } from './silence-badge.js';
import { subjectLink } from './links.js';
import { alertQuery, filterBar, saveView, savedView, type AlertView } from './alert-filters.js';

const PAGE_SIZE = 50;

export function renderAlertBoard(root: HTMLElement): () => void {
  let view = savedView();
  let rows: Array<{ alert: AlertRecord; order: WorkOrder | undefined }> = [];
  let total = 0;
  const known = new Set<string>();
  const fresh = new Set<string>();
  const selected = new Set<string>();
  const status = h('p', { class: 'error', role: 'alert', id: 'board-error' });
  const filters = h('div', {});
  const body = h('tbody', { id: 'alert-rows' });
  const pager = h('div', { class: 'pager', id: 'alert-pager' });
  const bulk = h('div', { class: 'bulk', id: 'bulk-actions' });
  const table = h(
    'table',
    { class: 'board', id: 'alert-board' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { class: 'select' }),
        ...(
          ['severity', 'type', 'subject', 'site', 'opened', 'state', 'workOrder', 'assignee', 'actions'] as const
        ).map((k) => h('th', { class: `col-${k}` }, t(k))),
      ),
    ),
    body,
  );
  root.append(h('h1', {}, t('alerts')), filters, status, bulk, h('div', { class: 'table-wrap' }, table), pager);

  const setView = (next: AlertView) => {
    view = next;
    saveView(view);
    selected.clear();
    drawFilters();
    void load();
  };
  const drawFilters = () => {
    clear(filters);
    filters.append(filterBar(view, setView));
  };

  const draw = () => {
    clear(body);
    if (!rows.length) body.append(h('tr', {}, h('td', { colspan: 10, class: 'muted' }, t('noAlerts'))));
    for (const { alert, order } of rows) body.append(row(alert, order));
    clear(pager);
    const first = view.page * PAGE_SIZE;
    pager.append(
      h(
        'button',
        { id: 'page-prev', disabled: view.page === 0, onclick: () => setView({ ...view, page: view.page - 1 }) },
        `← ${t('previous')}`,
      ),
      h('span', { id: 'page-info' }, total ? `${first + 1}–${first + rows.length} ${t('shown')} ${total}` : '0'),
      h(
        'button',
        {
          id: 'page-next',
          disabled: first + rows.length >= total,
          onclick: () => setView({ ...view, page: view.page + 1 }),
        },
        `${t('next')} →`,
      ),
    );
    drawBulk();
  };

  const drawBulk = () => {
    clear(bulk);
    if (!canAct() || !selected.size) return;
    bulk.append(
      h(
        'button',
        { id: 'ack-selected', onclick: (e: Event) => void ackSelected(e.currentTarget as HTMLButtonElement) },
        `${t('ackSelected')} (${selected.size})`,
      ),
    );
  };

  const ackSelected = async (button: HTMLButtonElement) => {
    button.disabled = true;
    status.textContent = '';
    const result = await api<{ results: Array<{ id: string; status: number; detail?: string }> }>(
      'POST',
      '/api/v1/alerts/ack',
      { ids: [...selected] },
    ).catch((error: Error) => {
      status.textContent = error.message;
      return null;
    });
    const refused = result?.results.filter((r) => r.status !== 200) ?? [];
    if (refused.length) status.textContent = refused.map((r) => `${r.id}: ${r.detail ?? r.status}`).join('; ');
    selected.clear();
    await load();
  };

  const row = (alert: AlertRecord, order: WorkOrder | undefined) => {
    const site = order?.site ?? null;
    const ack = async (button: HTMLButtonElement) => {
      button.disabled = true;
      status.textContent = '';
      try {
        if (order) await api('POST', `/api/v1/workorders/${order.id}/transition`, { to: 'acknowledged' });
        else await api('POST', `/api/v1/alerts/${alert.id}/ack`, {});
        await load();
      } catch (error) {
        status.textContent = (error as Error).message;
        button.disabled = false;
      }
    };
    const canAck = canAct() && alert.state === 'open' && (!order || order.state === 'open');
    const pick = h('input', {
      type: 'checkbox',
      class: 'pick',
      'aria-label': alert.id,
      ...(selected.has(alert.id) ? { checked: true } : {}),
      ...(canAck ? {} : { disabled: true }),
    });
    pick.addEventListener('change', () => {
      if (pick.checked) selected.add(alert.id);
      else selected.delete(alert.id);
      drawBulk();
    });
    return h(
      'tr',
      {
        'data-alert-id': alert.id,
        'data-state': alert.state,
        'data-severity': alert.severity,
        class: `sev-${alert.severity} st-${alert.state}${fresh.has(alert.id) ? ' fresh' : ''}`,
      },
      h('td', { class: 'select' }, pick),
      h('td', {}, h('span', { class: `badge sev-${alert.severity}` }, tv(alert.severity))),
      h(
        'td',
        {},
        h('a', { href: `#/alert/${encodeURIComponent(alert.id)}` }, alertTypeLabel(alert.type)),
        silenceBadge(alert, site),
      ),
      h('td', {}, subjectLink(alert.subject, alert.subjectKind)),
      h('td', { class: 'col-site' }, site ?? '—'),
      h('td', { class: 'col-opened' }, fmtTime(alert.openedAt, site)),
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

  /** "My work": the user's work orders that are not resolved, each with its alert. */
  const loadMine = async () => {
    const me = session()?.user.name ?? '';
    const orders = await api<Page<WorkOrder>>(
      'GET',
      `/api/v1/workorders?assignee=${encodeURIComponent(me)}&limit=${PAGE_SIZE}&offset=${view.page * PAGE_SIZE}`,
    );
    const open = orders.items.filter((o) => o.state !== 'resolved' || view.state === '' || view.state === 'resolved');
    const alerts = await Promise.all(open.map((o) => api<AlertRecord>('GET', `/api/v1/alerts/${o.alertId}`)));
    return { rows: alerts.map((alert, i) => ({ alert, order: open[i] })), total: orders.total };
  };

  let loading: Promise<void> | null = null;
  let again = false;
  const load = async (): Promise<void> => {
    // Live events can arrive in bursts: one load at a time, and one more after it if asked.
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        if (view.mine) ({ rows, total } = await loadMine());
        else {
          const alertPage = await api<Page<AlertRecord>>('GET', `/api/v1/alerts?${alertQuery(view, PAGE_SIZE)}`);
          const ids = alertPage.items.map((a) => a.id);
          const orders = ids.length
            ? await api<Page<WorkOrder>>('GET', `/api/v1/workorders?alerts=${ids.join(',')}&limit=${PAGE_SIZE}`)
            : { items: [] };
          const orderOf = new Map(orders.items.map((o) => [o.alertId, o]));
          rows = alertPage.items.map((alert) => ({ alert, order: orderOf.get(alert.id) }));
          total = alertPage.total;
        }
        for (const { alert } of rows) {
          if (known.size && !known.has(alert.id)) fresh.add(alert.id);
          known.add(alert.id);
        }
        if (!known.size) known.add('');
        draw();
        root.dataset['loaded'] = 'true';
      } catch (error) {
        status.textContent = (error as Error).message;
      }
    })();
    await loading;
    loading = null;
    if (again) {
      again = false;
      await load();
    }
  };

  const offLive = onLive((event) => {
    if (event.type === 'alert' || event.type === 'workorder') void load();
  });
  const offReconnect = onReconnect(() => void load());
  drawFilters();
  void load();
  return () => {
    offLive();
    offReconnect();
  };
}
