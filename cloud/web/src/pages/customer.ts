/**
 * A customer's page: block demand against the contract capacity (apparent, kVA) and active
 * demand (kW) with its forecast band, over a free time range; its cases and its alerts.
 */
import { api } from '../api.js';
import { colour, lineChart } from '../chart.js';
import { h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { fmtTime, zoneOf } from '../time.js';
import type { CaseRecord, Customer, CustomerDemand, Device, Page } from '@gridsafe/shared';
import { transformerLink } from './links.js';
import { lastHours, rangePicker } from './range-picker.js';
import { forecastBand, panel, pointsOf, rangedPage, subjectAlerts } from './subject-sections.js';

export function renderCustomer(root: HTMLElement, [id]: string[]): void {
  const customerId = id as string;
  const enc = encodeURIComponent(customerId);
  rangedPage(root, lastHours(7 * 24), async (range, reload) => {
    const q = `from=${Math.round(range.from)}&to=${Math.round(range.to)}`;
    const [customer, demand, devices, cases] = await Promise.all([
      api<Customer>('GET', `/api/v1/customers/${enc}`),
      api<CustomerDemand>('GET', `/api/v1/customers/${enc}/demand?${q}`),
      api<Page<Device>>('GET', `/api/v1/devices?customer=${enc}&limit=1000`),
      api<Page<CaseRecord>>('GET', `/api/v1/cases?customer=${enc}&limit=50`),
    ]);
    const [band, alerts] = await Promise.all([
      forecastBand('customers', customerId, range),
      subjectAlerts('customer', customerId, null),
    ]);
    const chart = { zone: zoneOf(null), range, onRange: (from: number, to: number) => reload({ from, to }) };
    // Apparent demand against the contract (both kVA); active demand on its own chart (kW), never mixed.
    const kvaChart = lineChart({
      ...chart,
      lines: [{ label: t('apparentDemand'), colour: colour(0), points: pointsOf(demand.points, (p) => p.kva) }],
      references: [
        { label: t('contract'), value: customer.contractKva, colour: '#1a7f37' },
        { label: '105 %', value: customer.contractKva * 1.05, colour: '#9a6700', dash: [2, 3] },
      ],
      unit: 'kVA',
      peak: t('peak'),
      className: 'demand-kva-chart',
    });
    const kwChart = lineChart({
      ...chart,
      lines: [{ label: t('activeDemand'), colour: colour(2), points: pointsOf(demand.points, (p) => p.kw) }],
      ...(band ? { band } : {}),
      unit: 'kW',
      className: 'demand-kw-chart',
    });
    const transformers = [...new Set(devices.items.flatMap((d) => (d.transformer ? [d.transformer] : [])))];
    const facts = h(
      'dl',
      { class: 'facts', id: 'customer-facts' },
      h('dt', {}, t('customer')),
      h('dd', {}, customer.name),
      h('dt', {}, t('contract')),
      h('dd', {}, `${customer.contractKva} kVA`),
      h('dt', {}, t('tariff')),
      h('dd', {}, tv(customer.tariff)),
      h('dt', {}, t('transformer')),
      h('dd', {}, ...(transformers.length ? transformers.map((tx) => transformerLink(tx)) : ['—'])),
      h('dt', {}, t('devices')),
      h('dd', {}, devices.items.map((d) => d.id).join(', ') || '—'),
    );
    const caseList = cases.items.length
      ? h(
          'ul',
          { class: 'links', id: 'customer-cases' },
          ...cases.items.map((c) =>
            h(
              'li',
              {},
              h(
                'a',
                { href: `#/case/${encodeURIComponent(c.id)}`, 'data-case-id': c.id },
                `${c.id} · ${tv(c.state)} · ${fmtTime(c.openedAt)}`,
              ),
            ),
          ),
        )
      : h('p', { class: 'muted', id: 'customer-cases' }, t('none'));
    return [
      h('h1', {}, `${customer.name} (${customer.id})`),
      panel('customer-info', t('facts'), facts),
      rangePicker(range, reload),
      panel('demand-panel', t('demandVsContract'), kvaChart),
      panel('active-panel', t('activeDemand'), kwChart, band ? null : h('p', { class: 'muted' }, t('noForecast'))),
      panel('cases-panel', t('cases'), caseList),
      panel('alerts-panel', t('alerts'), alerts),
    ];
  });
}
