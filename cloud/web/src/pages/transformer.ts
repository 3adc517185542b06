/**
 * A transformer's page: load against its rating with the forecast band, its thermal state
 * (top-oil and hot-spot against the loading mode's limits), over a free time range; its
 * meters and terminals (customers linked), its silences and maintenance windows, and its alerts.
 */
import { api } from '../api.js';
import { colour, lineChart } from '../chart.js';
import { clear, h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { zoneOf } from '../time.js';
import type { Device, Page, Transformer, TransformerLoading } from '@gridsafe/shared';
import { customerLink } from './links.js';
import { lastHours, rangePicker, type TimeRange } from './range-picker.js';
import { forecastBand, panel, subjectAlerts } from './subject-sections.js';
import { silencePanel } from './silence-panel.js';

export function renderTransformer(root: HTMLElement, [id]: string[]): void {
  const txId = id as string;
  const error = h('p', { class: 'error', role: 'alert', id: 'page-error' });
  const content = h('div', {});
  root.append(error, content);
  let range: TimeRange = lastHours(24);

  const load = async () => {
    try {
      const q = `from=${Math.round(range.from)}&to=${Math.round(range.to)}`;
      const [tx, loading, devices] = await Promise.all([
        api<Transformer>('GET', `/api/v1/transformers/${encodeURIComponent(txId)}`),
        api<TransformerLoading>('GET', `/api/v1/transformers/${encodeURIComponent(txId)}/loading?${q}`),
        api<Page<Device>>('GET', `/api/v1/devices?transformer=${encodeURIComponent(txId)}&limit=1000`),
      ]);
      const [band, alerts, silences] = await Promise.all([
        forecastBand('transformers', txId, range),
        subjectAlerts('transformer', txId, tx.site),
        silencePanel(txId, tx.site, () => void load()),
      ]);
      clear(content);
      draw(tx, loading, devices.items, band, alerts, silences);
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
    tx: Transformer,
    loading: TransformerLoading,
    devices: Device[],
    band: Awaited<ReturnType<typeof forecastBand>>,
    alerts: HTMLElement,
    silences: HTMLElement,
  ) => {
    const zone = zoneOf(tx.site);
    const series = (pick: (p: TransformerLoading['points'][number]) => number | null) =>
      loading.points.flatMap((p): Array<[number, number]> => {
        const v = pick(p);
        return v === null ? [] : [[p.ts, v]];
      });
    const loadChart = lineChart({
      lines: [{ label: t('load'), colour: colour(0), points: series((p) => p.kva) }],
      references: [
        { label: t('rating'), value: tx.ratedKva, colour: '#1a7f37' },
        { label: t('loadingLimit'), value: tx.ratedKva * loading.limits.currentPu, colour: '#cf222e', dash: [2, 3] },
      ],
      ...(band ? { band } : {}),
      unit: 'kVA',
      zone,
      className: 'load-chart',
      range,
      onRange: (from, to) => setRange({ from, to }),
    });
    const thermalChart = lineChart({
      lines: [
        { label: t('hotSpot'), colour: colour(1), points: series((p) => p.hotSpotC) },
        { label: t('topOil'), colour: colour(4), points: series((p) => p.topOilC) },
      ],
      references: [
        { label: t('hotSpotLimit'), value: loading.limits.hotSpotC, colour: '#cf222e' },
        { label: t('topOilLimit'), value: loading.limits.topOilC, colour: '#9a6700', dash: [2, 3] },
      ],
      unit: '°C',
      zone,
      className: 'thermal-chart',
      range,
      onRange: (from, to) => setRange({ from, to }),
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
        ...devices.map((d) =>
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
    content.append(
      h('h1', {}, `${t('transformer')} ${tx.id}`),
      panel('transformer-info', t('facts'), facts),
      rangePicker(range, setRange),
      panel('load-panel', t('loadVsRating'), loadChart, band ? null : h('p', { class: 'muted' }, t('noForecast'))),
      panel('thermal-panel', t('thermalState'), thermalChart),
      panel('devices-panel', t('metersAndTerminals'), deviceTable),
      panel('silences-panel', t('silences'), silences),
      panel('alerts-panel', t('alerts'), alerts),
    );
  };

  void load();
}
