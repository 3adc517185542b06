/**
 * Case review: maximum demand against the contract capacity, the evidence, the decision
 * buttons the workflow allows from here, the audit trail, comments and the penalty estimate.
 */
import { api, apiBlob } from '../api.js';
import { lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { onLive } from '../events.js';
import { lang, t, tv } from '../i18n.js';
import { canDecide } from '../session.js';
import { fmtTime, zoneOf } from '../time.js';
import type {
  AlertRecord,
  CaseState,
  CaseWithHistory,
  CaseWorkflow,
  CustomerDemand,
  PenaltyEstimate,
} from '@gridsafe/shared';
import { alertLinks, capacityAlertsOf, customerLink, refreshAlertLinks } from './links.js';
import { evidenceTable } from '../alert-types.js';

/** FACTS.md "Maximum demand": 15-minute blocks; the demand API charts at most 92 days. */
const DEMAND_BLOCK_MS = 15 * 60_000;
const LONGEST_RANGE_MS = 92 * 86_400_000;

export function renderCaseDetail(root: HTMLElement, [caseId]: string[]): () => void {
  const error = h('p', { class: 'error', role: 'alert', id: 'case-error' });
  const content = h('div', {});
  root.append(h('p', {}, h('a', { href: '#/cases' }, `← ${t('back')}`)), error, content);
  let workflow: CaseWorkflow | null = null;
  let customerId: string | null = null;

  const load = async () => {
    try {
      workflow ??= await api<CaseWorkflow>('GET', '/api/v1/cases/workflow');
      const [record, penalty, comments] = await Promise.all([
        api<CaseWithHistory>('GET', `/api/v1/cases/${caseId}`),
        api<{ stored: boolean; estimate: PenaltyEstimate }>('GET', `/api/v1/cases/${caseId}/penalty`),
        api<Array<{ at: number; author: string; text: string }>>('GET', `/api/v1/cases/${caseId}/comments`),
      ]);
      customerId = record.customer;
      // Apparent demand over the case's period (its last 92 days, what the API charts), for the contract comparison in kVA.
      const to = record.lastSeen + DEMAND_BLOCK_MS;
      const from = Math.max(record.firstSeen, to - LONGEST_RANGE_MS);
      const [customer, alerts, apparent] = await Promise.all([
        api<{ name: string; tariff: string }>('GET', `/api/v1/customers/${encodeURIComponent(record.customer)}`).catch(
          () => null,
        ),
        capacityAlertsOf(record.customer),
        api<CustomerDemand>(
          'GET',
          `/api/v1/customers/${encodeURIComponent(record.customer)}/demand?from=${from}&to=${to}`,
        ).catch(() => null),
      ]);
      clear(content);
      draw(record, penalty, comments, customer, alerts, apparent);
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  const draw = (
    record: CaseWithHistory,
    penalty: { stored: boolean; estimate: PenaltyEstimate },
    comments: Array<{ at: number; author: string; text: string }>,
    customer: { name: string; tariff: string } | null,
    alerts: AlertRecord[],
    apparent: CustomerDemand | null,
  ) => {
    const zone = zoneOf(null);
    // kW and kVA never on one axis: the detector's demand evidence (kW) on its own, the
    // apparent demand from the readings (kVA) against the contract capacity (kVA).
    const chart = lineChart({
      lines: [{ label: t('maxDemand'), colour: '#0550ae', points: record.demandSeries }],
      unit: 'kW',
      zone,
      peak: t('peak'),
      className: 'demand-chart',
    });
    const apparentChart = lineChart({
      lines: [
        {
          label: t('apparentDemand'),
          colour: '#8250df',
          points: (apparent?.points ?? []).flatMap((p): Array<[number, number]> =>
            p.kva === null ? [] : [[p.ts, p.kva]],
          ),
        },
      ],
      references: [
        { label: t('contract'), value: record.contractKva, colour: '#1a7f37' },
        { label: '105 %', value: record.contractKva * 1.05, colour: '#9a6700', dash: [2, 3] },
      ],
      unit: 'kVA',
      zone,
      className: 'apparent-demand-chart',
    });
    const facts = h(
      'table',
      { class: 'kv', id: 'case-evidence' },
      h('tr', {}, h('th', {}, t('customer')), h('td', {}, customerLink(record.customer, customer?.name))),
      h('tr', {}, h('th', {}, t('tariff')), h('td', {}, tv(customer?.tariff))),
      h('tr', {}, h('th', {}, t('capacityAlerts')), h('td', {}, alertLinks(alerts))),
      h('tr', {}, h('th', {}, t('contract')), h('td', {}, `${record.contractKva} kVA`)),
      h('tr', {}, h('th', {}, t('maxDemand')), h('td', { id: 'case-max-demand' }, `${record.maxDemandKw} kW`)),
      h('tr', {}, h('th', {}, t('excess')), h('td', {}, `${record.excessKva} kVA`)),
      h('tr', {}, h('th', {}, t('firstSeen')), h('td', {}, fmtTime(record.firstSeen))),
      h('tr', {}, h('th', {}, t('lastSeen')), h('td', {}, fmtTime(record.lastSeen))),
    );
    const detailTable = evidenceTable('capacity_violation', record.detail, null);
    const note = h('textarea', { id: 'case-note', rows: 2, placeholder: t('note') });
    const next = workflow?.transitions[record.state] ?? [];
    const needsNote = (to: CaseState) => workflow?.noteRequired.includes(to) ?? false;
    // A move with no way back (confirmed, dismissed) is asked twice; a required note is asked before sending.
    const isFinal = (to: CaseState) => (workflow?.transitions[to] ?? []).length === 0;
    const hint = h('p', { class: 'hint', id: 'note-hint', role: 'status' });
    const confirmBox = h('div', { class: 'confirm', id: 'confirm-move', hidden: true });
    const send = (to: CaseState) =>
      act(() =>
        api('POST', `/api/v1/cases/${record.id}/transition`, {
          to,
          ...(note.value.trim() ? { note: note.value.trim() } : {}),
        }),
      );
    const decide = (to: CaseState) => {
      hint.textContent = '';
      note.removeAttribute('aria-invalid');
      confirmBox.hidden = true;
      if (needsNote(to) && !note.value.trim()) {
        hint.textContent = `${t('noteRequiredFor')} ${tv(to)}`;
        note.setAttribute('aria-invalid', 'true');
        note.focus();
        return;
      }
      if (!isFinal(to)) return void send(to);
      clear(confirmBox);
      confirmBox.append(
        h('p', {}, `${t('finalDecision')} ${tv(record.state)} → ${tv(to)}`),
        h('blockquote', {}, note.value.trim() || '—'),
        h('button', { id: 'confirm-yes', class: `move-${to}`, onclick: () => void send(to) }, `${t('yes')}: ${tv(to)}`),
        h('button', { id: 'confirm-no', onclick: () => (confirmBox.hidden = true) }, t('cancel')),
      );
      confirmBox.hidden = false;
    };
    const decision =
      canDecide() && next.length
        ? h(
            'section',
            { class: 'panel', id: 'decision' },
            h('h2', {}, t('decision')),
            h(
              'label',
              { for: 'case-note' },
              next.some(needsNote)
                ? `${t('note')} (${t('noteRequiredShort')}: ${next.filter(needsNote).map(tv).join(', ')})`
                : t('note'),
            ),
            note,
            hint,
            h(
              'div',
              {},
              ...next.map((to) =>
                h(
                  'button',
                  { class: `case-move move-${to}`, 'data-to': to, onclick: () => decide(to) },
                  `→ ${tv(to)}${needsNote(to) ? ' *' : ''}`,
                ),
              ),
            ),
            confirmBox,
          )
        : null;
    const trail = h(
      'table',
      { class: 'log', id: 'audit-trail' },
      h('tr', {}, h('th', {}, t('when')), h('th', {}, t('who')), h('th', {}, t('what')), h('th', {}, t('note'))),
      ...record.history.map((e) =>
        h(
          'tr',
          { 'data-action': e.action, 'data-to': e.to ?? '' },
          h('td', {}, fmtTime(e.at)),
          h('td', {}, e.actor),
          h(
            'td',
            {},
            e.to && e.from
              ? `${tv(e.action)}: ${tv(e.from)} → ${tv(e.to)}`
              : e.to
                ? `${tv(e.action)} → ${tv(e.to)}`
                : tv(e.action),
          ),
          h('td', {}, e.note ?? ''),
        ),
      ),
    );
    const est = penalty.estimate;
    const penaltyBox = h(
      'section',
      { class: 'panel', id: 'penalty', 'data-stored': String(penalty.stored), 'data-total': String(est.totalYuan) },
      h('h2', {}, t('penalty'), penalty.stored ? null : h('span', { class: 'muted' }, ` ${t('penaltyPreview')}`)),
      h(
        'table',
        { class: 'log' },
        ...est.items.map((item) =>
          h(
            'tr',
            {},
            h('td', {}, lang() === 'zh' ? item.labelZh : item.label),
            h('td', {}, item.formula),
            h('td', { class: 'num' }, item.amountYuan.toFixed(2)),
          ),
        ),
        h(
          'tr',
          { class: 'total' },
          h('td', {}, t('total')),
          h('td', {}, `${est.addedKva} kVA · ${est.monthsUsed} × 30 d`),
          h('td', { class: 'num', id: 'penalty-total' }, `${est.totalYuan.toFixed(2)} ${t('yuan')}`),
        ),
      ),
      h(
        'p',
        { class: 'muted', id: 'penalty-note' },
        `${est.ruleSet} — ${est.citation}. ${lang() === 'zh' ? (est.noteZh ?? est.note) : est.note}`,
      ),
    );
    const commentText = h('textarea', { id: 'comment-text', rows: 2 });
    const commentBox = h(
      'section',
      { class: 'panel', id: 'comments' },
      h('h2', {}, t('comments')),
      ...comments.map((c) =>
        h('p', { class: 'comment' }, h('span', { class: 'muted' }, `${fmtTime(c.at)} ${c.author}: `), c.text),
      ),
      canDecide()
        ? h(
            'div',
            {},
            commentText,
            h(
              'button',
              {
                id: 'add-comment',
                onclick: () =>
                  void act(() => api('POST', `/api/v1/cases/${record.id}/comments`, { text: commentText.value })),
              },
              t('addComment'),
            ),
          )
        : null,
    );
    content.append(
      h(
        'h1',
        {},
        `${t('cases')} ${record.id} `,
        h(
          'span',
          { class: `badge st-${record.state}`, id: 'case-state', 'data-state': record.state },
          tv(record.state),
        ),
      ),
      h(
        'p',
        {},
        h(
          'a',
          { id: 'open-report', class: 'button', href: `#/case/${encodeURIComponent(record.id)}/report` },
          t('report'),
        ),
        ' ',
        h('button', { id: 'download-csv', onclick: () => void downloadCsv(record.id) }, t('downloadCsv')),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, t('demandChart')),
        h('h3', {}, `${t('maxDemand')} (kW)`),
        chart,
        h('h3', {}, `${t('demandVsContract')} (kVA)`),
        apparentChart,
      ),
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'panel' }, h('h2', {}, t('evidence')), facts, detailTable),
        decision ?? h('span', {}),
      ),
      penaltyBox,
      h('section', { class: 'panel' }, h('h2', {}, t('auditTrail')), trail),
      commentBox,
    );
  };

  const act = async (fn: () => Promise<unknown>) => {
    error.textContent = '';
    try {
      await fn();
      await load();
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  const downloadCsv = async (id: string) => {
    error.textContent = '';
    try {
      const blob = await apiBlob(`/api/v1/cases/${encodeURIComponent(id)}/evidence.csv`);
      const link = h('a', { href: URL.createObjectURL(blob), download: `${id}-demand.csv` });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  const offLive = onLive((event) => {
    if (event.type === 'case' && (event.data['case'] as { id: string }).id === caseId) void load();
    const alert = event.type === 'alert' ? (event.data['alert'] as AlertRecord) : null;
    if (alert && customerId && alert.type === 'capacity_violation' && alert.subject === customerId)
      refreshAlertLinks(content, customerId).catch((e: Error) => (error.textContent = e.message));
  });
  void load();
  return offLive;
}
