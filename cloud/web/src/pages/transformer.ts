/**
 * A transformer's page: load against its rating with the forecast band, its thermal state
 * (top-oil and hot-spot against the loading mode's limits), over a free time range; its
 * meters and terminals (customers linked), its silences and maintenance windows, and its alerts.
 */
import { api } from '../api.js';
import { colour, lineChart } from '../chart.js';
import { h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { zoneOf } from '../time.js';
import type { Device, Page, Transformer, TransformerLoading } from '@gridsafe/shared';
import { customerLink } from './links.js';
import { lastHours, rangePicker } from './range-picker.js';
import { forecastBand, panel, pointsOf, rangedPage, subjectAlerts } from './subject-sections.js';
import { silencePanel } from './silence-panel.js';

export function renderTransformer(root: HTMLElement, [id]: string[]): void {
  const txId = id as string;
  const enc = encodeURIComponent(txId);
  rangedPage(root, lastHours(24), async (range, reload) => {
    const q = `from=${Math.round(range.from)}&to=${Math.round(range.to)}`;
    const [tx, loading, devices] = await Promise.all([
      api<Transformer>('GET', `/api/v1/transformers/${enc}`),
      api<TransformerLoading>('GET', `/api/v1/transformers/${enc}/loading?${q}`),
      api<Page<Device>>('GET', `/api/v1/devices?transformer=${enc}&limit=1000`),
    ]);
    const [band, alerts, silences] = await Promise.all([
      forecastBand('transformers', txId, range),
      subjectAlerts('transformer', txId, tx.site),
      silencePanel(txId, tx.site, () => reload()),
    ]);
    const chart = { zone: zoneOf(tx.site), range, onRange: (from: number, to: number) => reload({ from, to }) };
    const loadChart = lineChart({
      ...chart,
      lines: [{ label: t('load'), colour: colour(0), points: pointsOf(loading.points, (p) => p.kva) }],
      references: [
        { label: t('rating'), value: tx.ratedKva, colour: '#1a7f37' },
        { label: t('loadingLimit'), value: tx.ratedKva * loading.limits.currentPu, colour: '#cf222e', dash: [2, 3] },
      ],
      ...(band ? { band } : {}),
      unit: 'kVA',
      className: 'load-chart',
    });
    const thermalChart = lineChart({
      ...chart,
      lines: [
        { label: t('hotSpot'), colour: colour(1), points: pointsOf(loading.points, (p) => p.hotSpotC) },
        { label: t('topOil'), colour: colour(4), points: pointsOf(loading.points, (p) => p.topOilC) },
      ],
      references: [
        { label: t('hotSpotLimit'), value: loading.limits.hotSpotC, colour: '#cf222e' },
        { label: t('topOilLimit'), value: loading.limits.topOilC, colour: '#9a6700', dash: [2, 3] },
      ],
      unit: '°C',
      className: 'thermal-chart',
    });
    const facts = h(
      'dl',
      { class: 'facts', id: 'transformer-facts' },
      h('dt', {}, t('site')),
      h('dd', {}, tx.site),
      h('dt', {}, t('rating')),
      h('dd', {}, `${tx.ratedKva} kVA`),
      h('dt', {}, t('area')),
      h('dd', {}, tx.area ?? '—'),
      h('dt', {}, t('vectorGroup')),
      h('dd', {}, tx.vectorGroup ?? '—'),
      h('dt', {}, t('ambient')),
      h('dd', {}, loading.ambient),
    );
    const deviceTable = h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'log', id: 'transformer-devices' },
        h('tr', {}, ...(['devices', 'kind', 'customer', 'gateway'] as const).map((k) => h('th', {}, t(k)))),
        ...devices.items.map((d) =>
          h(
            'tr',
            { 'data-device-id': d.id },
            h('td', {}, d.id, loading.meters.includes(d.id) ? h('span', { class: 'badge' }, t('counted')) : null),
            h('td', {}, tv(d.kind)),
            h('td', {}, d.customer ? customerLink(d.customer) : '—'),
            h('td', {}, d.gateway),
          ),
        ),
      ),
    );
    return [
      h('h1', {}, `${t('transformer')} ${tx.id}`),
      panel('transformer-info', t('facts'), facts),
      rangePicker(range, reload),
      panel('load-panel', t('loadVsRating'), loadChart, band ? null : h('p', { class: 'muted' }, t('noForecast'))),
      panel('thermal-panel', t('thermalState'), thermalChart),
      panel('devices-panel', t('metersAndTerminals'), deviceTable),
      panel('silences-panel', t('silences'), silences),
      panel('alerts-panel', t('alerts'), alerts),
    ];
  });
}
