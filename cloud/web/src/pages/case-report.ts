/**
 * The case report as a page to share and print (#/case/{id}/report): a link anyone
 * signed in may open (an inspector only in their areas), in the reader's language, with
 * the demand chart, the evidence and the demand series as tables (units, local times),
 * the penalty, the audit trail and the comments; printed without the console's frame.
 * "Download PDF" fetches the server's PDF of the same report (GET /api/v1/cases/{id}/report).
 */
import type { AuditEntry, CaseComment, CaseWithHistory, PenaltyEstimate } from '@gridsafe/shared';
import { api, apiBlob } from '../api.js';
import { evidenceTable } from '../alert-types.js';
import { lineChart } from '../chart.js';
import { dataTable, h } from '../dom.js';
import { lang, t, tv } from '../i18n.js';
import { session } from '../session.js';
import { fmtTime, zoneOf } from '../time.js';

export function renderCaseReport(root: HTMLElement, [caseId]: string[]): void {
  const id = caseId ?? '';
  const error = h('p', { class: 'error', role: 'alert', id: 'report-error' });
  root.append(error);
  const download = async () => {
    error.textContent = '';
    try {
      const blob = await apiBlob(`/api/v1/cases/${encodeURIComponent(id)}/report`);
      const link = h('a', { href: URL.createObjectURL(blob), download: `${id}-report.pdf` });
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  void (async () => {
    try {
      const path = `/api/v1/cases/${encodeURIComponent(id)}`;
      const [record, penalty, comments] = await Promise.all([
        api<CaseWithHistory>('GET', path),
        api<{ stored: boolean; estimate: PenaltyEstimate }>('GET', `${path}/penalty`),
        api<CaseComment[]>('GET', `${path}/comments`),
      ]);
      const customer = await api<{ name: string; tariff: string }>(
        'GET',
        `/api/v1/customers/${encodeURIComponent(record.customer)}`,
      ).catch(() => null);
      root.append(...report(record, penalty, comments, customer, download));
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  })();
}

function report(
  record: CaseWithHistory,
  penalty: { stored: boolean; estimate: PenaltyEstimate },
  comments: CaseComment[],
  customer: { name: string; tariff: string } | null,
  download: () => Promise<void>,
): HTMLElement[] {
  const zone = zoneOf(null);
  const est = penalty.estimate;
  const facts: Array<[string, string]> = [
    [t('customer'), `${record.customer}${customer ? ` — ${customer.name}` : ''}`],
    [t('tariff'), tv(customer?.tariff)],
    [t('contract'), `${record.contractKva} kVA`],
    [t('maxDemand'), `${record.maxDemandKw} kW`],
    [t('apparentDemand'), record.maxDemandKva === null ? '—' : `${record.maxDemandKva} kVA`],
    [t('excess'), `${record.excessKva} kVA`],
    [t('firstSeen'), fmtTime(record.firstSeen)],
    [t('lastSeen'), fmtTime(record.lastSeen)],
  ];
  const trail = (entry: AuditEntry) => [
    fmtTime(entry.at),
    entry.actor,
    `${tv(entry.action)}${entry.to ? `: ${tv(entry.from)} → ${tv(entry.to)}` : ''}`,
    entry.note ?? '',
  ];
  const s = session();
  return [
    h(
      'h1',
      {},
      `${t('reportTitle')} — ${record.id} `,
      h('span', { class: `badge st-${record.state}`, id: 'report-state' }, tv(record.state)),
    ),
    h('p', { class: 'muted' }, `${t('generated')} ${fmtTime(Date.now())} (${zone})${s ? `, ${s.user.name}` : ''}`),
    h(
      'p',
      { class: 'noprint' },
      h('button', { id: 'print-report', onclick: () => window.print() }, t('print')),
      ' ',
      h('button', { id: 'download-pdf', onclick: () => void download() }, t('downloadPdf')),
      ' ',
      h('a', { href: `#/case/${encodeURIComponent(record.id)}` }, t('back')),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, t('evidence')),
      h(
        'table',
        { class: 'kv', id: 'report-facts' },
        ...facts.map(([label, value]) => h('tr', {}, h('th', {}, label), h('td', {}, value))),
      ),
      evidenceTable('capacity_violation', record.detail, null),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, `${t('maxDemand')} (kW)`),
      lineChart({
        lines: [{ label: t('maxDemand'), colour: '#0550ae', points: record.demandSeries }],
        unit: 'kW',
        zone,
        peak: t('peak'),
        className: 'demand-chart',
      }),
      h('h3', {}, `${t('demandSeries')} (${record.demandSeries.length})`),
      dataTable(
        'report-series',
        [`${t('when')} (${zone})`, `${t('maxDemand')} (kW)`, `${t('contract')} (kVA)`],
        record.demandSeries.map(([ts, kw]) => [fmtTime(ts), kw.toFixed(1), String(record.contractKva)]),
      ),
    ),
    h(
      'section',
      { class: 'panel', id: 'report-penalty' },
      h('h2', {}, t('penalty'), penalty.stored ? null : h('span', { class: 'muted' }, ` ${t('penaltyPreview')}`)),
      dataTable(
        undefined,
        [t('item'), t('formula'), t('yuan')],
        [
          ...est.items.map((item) => [
            lang() === 'zh' ? item.labelZh : item.label,
            item.formula,
            item.amountYuan.toFixed(2),
          ]),
          [t('total'), `${est.addedKva} kVA · ${est.monthsUsed}`, est.totalYuan.toFixed(2)],
        ],
      ),
      h(
        'p',
        { class: 'muted' },
        `${est.ruleSet} — ${est.citation}. ${lang() === 'zh' ? (est.noteZh ?? est.note) : est.note}`,
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, t('auditTrail')),
      dataTable(
        'report-trail',
        [t('when'), t('who'), t('what'), t('note')],
        record.history.filter((e) => e.action !== 'comment').map(trail),
      ),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, t('comments')),
      comments.length
        ? dataTable(
            undefined,
            [t('when'), t('who'), t('comments')],
            comments.map((c) => [fmtTime(c.at), c.author, c.text]),
          )
        : h('p', { class: 'muted' }, t('none')),
    ),
  ];
}
