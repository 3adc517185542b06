/**
 * A customer's page: block demand against the contract capacity (apparent, kVA) and active
 * demand (kW) with its forecast band, over a free time range; its cases and its alerts.
 */
import { api } from '../api.js';
import { colour, lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { fmtTime, zoneOf } from '../time.js';
import type { CaseRecord, Customer, CustomerDemand, Device, Page } from '@gridsafe/shared';
import { transformerLink } from './links.js';
import { lastHours, rangePicker, type TimeRange } from './range-picker.js';
import { forecastBand, panel, subjectAlerts } from './subject-sections.js';

export function renderCustomer(root: HTMLElement, [id]: string[]): void {
  const customerId = id as string;
  const error = h('p', { class: 'error', role: 'alert', id: 'page-error' });
  const content = h('div', {});
  root.append(error, content);
  let range: TimeRange = lastHours(7 * 24);

  const load = async () => {
    try {
      const q = `from=${Math.round(range.from)}&to=${Math.round(range.to)}`;
      const enc = encodeURIComponent(customerId);
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
      clear(content);
      draw(customer, demand, devices.items, cases.items, band, alerts);
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  const setRange = (next: TimeRange) => {
    range = next;
    void load();
  };

  const draw = (
    customer: Customer,
    demand: CustomerDemand,
    devices: Device[],
    cases: CaseRecord[],
    band: Awaited<ReturnType<typeof forecastBand>>,
    alerts: HTMLElement,
  ) => {
    const zone = zoneOf(null);
    const series = (pick: (p: CustomerDemand['points'][number]) => number | null) =>
      demand.points.flatMap((p): Array<[number, number]> => {
        const v = pick(p);
        return v === null ? [] : [[p.ts, v]];
      });
    // Apparent demand against the contract (both kVA); active demand on its own chart (kW), never mixed.
    const kvaChart = lineChart({
      lines: [{ label: t('apparentDemand'), colour: colour(0), points: series((p) => p.kva) }],
      references: [
        { label: t('contract'), value: customer.contractKva, colour: '#1a7f37' },
        { label: '105 %', value: customer.contractKva * 1.05, colour: '#9a6700', dash: [2, 3] },
      ],
      unit: 'kVA',
      zone,
      peak: t('peak'),
      className: 'demand-kva-chart',
      range,
      onRange: (from, to) => setRange({ from, to }),
    });
    const kwChart = lineChart({
      lines: [{ label: t('activeDemand'), colour: colour(2), points: series((p) => p.kw) }],
      ...(band ? { band } : {}),
      unit: 'kW',
      zone,
      className: 'demand-kw-chart',
      range,
      onRange: (from, to) => setRange({ from, to }),
    });
    const transformers = [...new Set(devices.flatMap((d) => (d.transformer ? [d.transformer] : [])))];
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
      h('dd', {}, devices.map((d) => d.id).join(', ') || '—'),
    );
    const caseList = cases.length
      ? h(
          'ul',
          { class: 'links', id: 'customer-cases' },
          ...cases.map((c) =>
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
    content.append(
      h('h1', {}, `${customer.name} (${customer.id})`),
      panel('customer-info', t('facts'), facts),
      rangePicker(range, setRange),
      panel('demand-panel', t('demandVsContract'), kvaChart),
      panel('active-panel', t('activeDemand'), kwChart, band ? null : h('p', { class: 'muted' }, t('noForecast'))),
      panel('cases-panel', t('cases'), caseList),
      panel('alerts-panel', t('alerts'), alerts),
    );
  };

  void load();
}
