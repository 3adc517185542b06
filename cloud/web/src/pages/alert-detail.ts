/**
 * One alert and its work order: the evidence, the device's readings around the event,
 * the order's state with the actions the user may take, notes, photos and the log.
 */
import { api, apiBlob, apiUpload } from '../api.js';
import { colour, lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { onLive } from '../events.js';
import { alertTypeLabel, alertTypeMeta, evidenceTable } from '../alert-types.js';
import { t, tv } from '../i18n.js';
import { canAct } from '../session.js';
import type { Message } from '@gridsafe/shared';
import { tm } from '../messages.js';
import { fmtDuration, fmtTime, zoneOf } from '../time.js';
import type {
  AlertRecord,
  Attachment,
  CaseRecord,
  Device,
  Inspector,
  Page,
  WorkOrder,
  WorkOrderEvent,
} from '@gridsafe/shared';
import { silenceBadge } from './silence-badge.js';
import { caseLink, caseOfCustomer, customerLink, refreshCaseLink, subjectLink, transformerLink } from './links.js';
import { assignControl, loadInspectors } from './work-order-assign.js';

const NEXT: Record<WorkOrder['state'], Array<'acknowledged' | 'on_site' | 'resolved'>> = {
  open: ['acknowledged'],
  acknowledged: ['on_site', 'resolved'],
  on_site: ['resolved'],
  resolved: [],
};

export function renderAlertDetail(root: HTMLElement, [alertId]: string[]): () => void {
  const urls: string[] = [];
  const error = h('p', { class: 'error', role: 'alert', id: 'detail-error' });
  const content = h('div', {});
  root.append(h('p', {}, h('a', { href: '#/alerts' }, `← ${t('back')}`)), error, content);
  let orderId: string | null = null;
  let capacityCustomer: string | null = null;

  const load = async () => {
    try {
      const alert = await api<AlertRecord>('GET', `/api/v1/alerts/${alertId}`);
      const orders = await api<Page<WorkOrder>>('GET', `/api/v1/workorders?alert=${encodeURIComponent(alertId!)}`);
      const summary = orders.items[0];
      const detail = summary
        ? await api<{ workOrder: WorkOrder; events: WorkOrderEvent[]; attachments: Attachment[] }>(
            'GET',
            `/api/v1/workorders/${summary.id}`,
          )
        : null;
      orderId = detail?.workOrder.id ?? null;
      if (detail) inspectors = await loadInspectors();
      // A capacity alert's subject is a customer, whose case the auditors review.
      capacityCustomer = alert.type === 'capacity_violation' ? alert.subject : null;
      const capacityCase = capacityCustomer ? await caseOfCustomer(capacityCustomer) : undefined;
      clear(content);
      draw(alert, detail, capacityCase);
      root.dataset['loaded'] = 'true';
      void drawSeries(alert, detail?.workOrder.site ?? null);
      if (detail) void drawPhotos(detail.workOrder, detail.attachments);
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  let inspectors: Inspector[] = [];
  const act = async (fn: () => Promise<unknown>) => {
    error.textContent = '';
    try {
      await fn();
      await load();
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  const chartBox = h('section', { class: 'panel', id: 'series-panel' }, h('h2', {}, t('series')));
  const photoBox = h('div', { class: 'photos', id: 'photos' });

  const draw = (
    alert: AlertRecord,
    detail: { workOrder: WorkOrder; events: WorkOrderEvent[]; attachments: Attachment[] } | null,
    capacityCase: CaseRecord | null | undefined,
  ) => {
    const order = detail?.workOrder;
    const site = order?.site ?? null;
    const facts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('type')),
      h('dd', {}, alertTypeLabel(alert.type)),
      h('dt', {}, t('severity')),
      h('dd', {}, h('span', { class: `badge sev-${alert.severity}` }, tv(alert.severity))),
      h('dt', {}, t('subject')),
      h('dd', { id: 'alert-subject' }, subjectLink(alert.subject, alert.subjectKind)),
      capacityCase !== undefined ? [h('dt', {}, t('case')), h('dd', {}, caseLink(capacityCase))] : [],
      h('dt', {}, t('site')),
      h('dd', {}, site ?? '—'),
      h('dt', {}, t('state')),
      h('dd', { id: 'alert-state', 'data-state': alert.state }, tv(alert.state), silenceBadge(alert, site)),
      h('dt', {}, t('opened')),
      h('dd', {}, fmtTime(alert.openedAt, site)),
      h('dt', {}, t('lastSeen')),
      h('dd', {}, fmtTime(alert.lastSeenAt, site)),
      h('dt', {}, t('occurrences')),
      h(
        'dd',
        { id: 'alert-occurrences', 'data-occurrences': String(alert.occurrences ?? 1) },
        String(alert.occurrences ?? 1),
        ...(alert.occurrenceLog ?? []).map((o) =>
          h(
            'div',
            { class: 'muted' },
            `${fmtTime(o.startedAt, site)} – ${o.endedAt === null ? '…' : fmtTime(o.endedAt, site)} (${tv(o.severity)})`,
          ),
        ),
      ),
    );
    // A device's alert leads on to the device's transformer and customer.
    if (alert.subjectKind === 'device')
      void api<Device>('GET', `/api/v1/devices/${encodeURIComponent(alert.subject)}`)
        .then((device) => {
          const subject = facts.querySelector('#alert-subject');
          if (device.transformer) subject?.append(' · ', transformerLink(device.transformer));
          if (device.customer) subject?.append(' · ', customerLink(device.customer));
        })
        .catch(() => undefined); // the subject stays text
    const evidence = evidenceTable(alert.type, alert.evidence, site);
    content.append(
      h('h1', {}, `${alertTypeLabel(alert.type)} — ${alert.subject}`),
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'panel' }, facts),
        h('section', { class: 'panel' }, h('h2', {}, t('evidence')), evidence),
      ),
      chartBox,
    );
    if (!order || !detail) return;

    const note = h('textarea', { id: 'wo-note', rows: 2, placeholder: t('note') });
    const buttons = canAct()
      ? NEXT[order.state].map((to) =>
          h(
            'button',
            {
              class: `wo-move move-${to}`,
              'data-to': to,
              onclick: () =>
                void act(() =>
                  api('POST', `/api/v1/workorders/${order.id}/transition`, {
                    to,
                    ...(note.value.trim() ? { note: note.value.trim() } : {}),
                  }),
                ),
            },
            to === 'acknowledged' ? t('acknowledge') : to === 'on_site' ? t('onSite') : t('resolve'),
          ),
        )
      : [];
    const addNote =
      canAct() && order.state !== 'resolved'
        ? h(
            'button',
            {
              id: 'add-note',
              onclick: () => void act(() => api('POST', `/api/v1/workorders/${order.id}/notes`, { text: note.value })),
            },
            t('addNote'),
          )
        : null;
    const file = h('input', { type: 'file', id: 'photo-input', accept: 'image/jpeg,image/png,image/webp,image/heic' });
    const upload = canAct()
      ? h(
          'span',
          {},
          file,
          h(
            'button',
            {
              id: 'upload-photo',
              onclick: () =>
                void act(async () => {
                  const chosen = file.files?.[0];
                  if (chosen)
                    await apiUpload(
                      `/api/v1/workorders/${order.id}/attachments?name=${encodeURIComponent(chosen.name)}`,
                      chosen,
                    );
                }),
            },
            t('uploadPhoto'),
          ),
        )
      : null;
    const woFacts = h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('state')),
      h(
        'dd',
        { id: 'wo-state', 'data-state': order.state },
        h('span', { class: `badge st-${order.state}` }, tv(order.state)),
      ),
      h('dt', {}, t('assignee')),
      h('dd', { id: 'wo-assignee' }, order.assignee ?? t('unassigned')),
      h('dt', {}, t('routing')),
      h('dd', { id: 'wo-routing' }, tm(order.routingMessage, order.routing)),
      h('dt', {}, t('deadline')),
      h('dd', {}, fmtTime(order.ackDeadlineAt, site)),
      order.escalatedAt
        ? [
            h('dt', {}, t('escalatedTo')),
            h('dd', {}, `${order.escalatedTo ?? '—'} (${fmtTime(order.escalatedAt, site)})`),
          ]
        : [],
      h('dt', {}, t('timeToAck')),
      h('dd', {}, fmtDuration(order.timeToAckMs)),
      h('dt', {}, t('timeToResolve')),
      h('dd', {}, fmtDuration(order.timeToResolveMs)),
      order.resolution ? [h('dt', {}, t('resolve')), h('dd', {}, order.resolution)] : [],
    );
    const log = h(
      'table',
      { class: 'log', id: 'wo-log' },
      h('tr', {}, h('th', {}, t('when')), h('th', {}, t('who')), h('th', {}, t('what')), h('th', {}, t('note'))),
      ...detail.events.map((e) =>
        h(
          'tr',
          { 'data-action': e.action },
          h('td', {}, fmtTime(e.at, site)),
          h('td', {}, e.actor),
          h('td', {}, tv(e.action)),
          h('td', {}, tm(e.detail?.['message'] as Message | undefined, e.note ?? '')),
        ),
      ),
    );
    content.append(
      h(
        'section',
        { class: 'panel', id: 'work-order', 'data-id': order.id },
        h('h2', {}, `${t('workOrder')} ${order.id}`),
        woFacts,
        order.state !== 'resolved' && canAct()
          ? h('div', { class: 'actions' }, note, h('div', {}, ...buttons, addNote), upload)
          : null,
        assignControl(order, inspectors, () => note.value, act),
        h('h3', {}, t('photos')),
        photoBox,
        h('h3', {}, t('log')),
        log,
      ),
    );
  };

  const drawPhotos = async (order: WorkOrder, attachments: Attachment[]) => {
    clear(photoBox);
    if (!attachments.length) photoBox.append(h('span', { class: 'muted' }, t('none')));
    for (const a of attachments) {
      try {
        const url = URL.createObjectURL(await apiBlob(`/api/v1/workorders/${order.id}/attachments/${a.id}`));
        urls.push(url);
        photoBox.append(
          h(
            'figure',
            {},
            h('img', { src: url, alt: a.fileName }),
            h('figcaption', {}, `${a.fileName} · ${a.author} · ${fmtTime(a.at, order.site)}`),
          ),
        );
      } catch (e) {
        photoBox.append(h('span', { class: 'error' }, (e as Error).message));
      }
    }
  };

  const drawSeries = async (alert: AlertRecord, site: string | null) => {
    clear(chartBox);
    chartBox.append(h('h2', {}, t('series')));
    try {
      const device = await deviceOf(alert);
      const groups = alertTypeMeta(alert.type)?.chartGroups ?? [{ unit: 'kW', quantities: ['p_kw'] }];
      if (!device) {
        chartBox.append(h('p', { class: 'muted' }, t('noSeries')));
        return;
      }
      const from = alert.openedAt - 60 * 60_000;
      const to = Math.min(Date.now(), Math.max(alert.lastSeenAt, alert.openedAt) + 60 * 60_000);
      const span = Math.max(60_000, to - from);
      const every = Math.max(1, Math.round(span / 300 / 1000));
      const fields = groups.flatMap((group) => group.quantities);
      const data = await api<{ points: Array<{ ts: number; values: Record<string, number> }> }>(
        'GET',
        `/api/v1/devices/${encodeURIComponent(device)}/series?from=${from}&to=${to + 1}&every=${every}s&fields=${fields.join(',')}`,
      );
      chartBox.append(h('p', { class: 'muted' }, device));
      // One chart per unit: kW and kVA (or A and V) never share an axis.
      let drawn = 0;
      for (const group of groups) {
        const lines = group.quantities
          .map((field, i) => ({
            label: field,
            colour: colour(i),
            points: data.points
              .filter((p) => p.values[field] !== undefined)
              .map((p) => [p.ts, p.values[field]!] as [number, number]),
          }))
          .filter((line) => line.points.length);
        if (!lines.length) continue;
        drawn++;
        chartBox.append(
          lineChart({
            lines,
            unit: group.unit,
            zone: zoneOf(site),
            marker: { at: alert.openedAt, label: t('opened') },
            className: 'chart series-chart',
          }),
        );
      }
      if (!drawn) chartBox.append(h('p', { class: 'muted' }, t('noSeries')));
    } catch (e) {
      chartBox.append(h('p', { class: 'error' }, (e as Error).message));
    }
  };

  const offLive = onLive((event) => {
    const relevant =
      (event.type === 'alert' && (event.data['alert'] as AlertRecord).id === alertId) ||
      (event.type === 'workorder' &&
        ((event.data['workOrder'] as WorkOrder).alertId === alertId ||
          (event.data['workOrder'] as WorkOrder).id === orderId));
    if (relevant) void load();
    else if (
      event.type === 'case' &&
      capacityCustomer &&
      (event.data['case'] as CaseRecord).customer === capacityCustomer
    )
      refreshCaseLink(content, capacityCustomer).catch((e: Error) => (error.textContent = e.message));
  });
  void load();
  return () => {
    offLive();
    for (const url of urls) URL.revokeObjectURL(url);
  };
}

/** The device whose readings show the alert: the subject itself, or a device under it. */
async function deviceOf(alert: AlertRecord): Promise<string | null> {
  if (alert.subjectKind === 'device' || !alert.subjectKind) {
    try {
      await api('GET', `/api/v1/devices/${encodeURIComponent(alert.subject)}`);
      return alert.subject;
    } catch {
      // not a device: look under it
    }
  }
  const key =
    alert.subjectKind === 'customer' ? 'customer' : alert.subjectKind === 'gateway' ? 'gateway' : 'transformer';
  const page = await api<Page<Device>>('GET', `/api/v1/devices?${key}=${encodeURIComponent(alert.subject)}&limit=50`);
  const meter = page.items.find((d) => d.kind === 'meter') ?? page.items[0];
  return meter?.id ?? null;
}
