/**
 * The fleet: each gateway's link state and outbox depth from its retained status, and
 * each device's health as its gateway reports it (polling state, last good read, failures).
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { Device, Page } from '../types.js';

interface GatewayInfo {
  id: string;
  status: { state?: string; since?: number; version?: string; health?: Health } | null;
  statusAt: number | null;
  lastSeenAt: number | null;
}

interface Health {
  outbox?: { batches?: number; bytes?: number; events?: number; oldestTs?: number | null };
  uplink?: { connected?: boolean };
  devices?: Record<string, { state?: string; lastOkAt?: number | null; failedPollsInRow?: number; polls?: number }>;
}

export function renderFleet(root: HTMLElement): () => void {
  const error = h('p', { class: 'error', role: 'alert' });
  const content = h('div', {});
  root.append(h('h1', {}, t('fleet')), error, content);
  const load = async () => {
    try {
      const [gateways, devices, stats] = await Promise.all([
        api<Page<GatewayInfo>>('GET', '/api/v1/gateways?limit=1000'),
        api<Page<Device>>('GET', '/api/v1/devices?limit=1000'),
        api<{ pending: number; dead: number }>('GET', '/api/v1/notifications/stats').catch(() => null),
      ]);
      clear(content);
      if (stats)
        content.append(
          h(
            'p',
            { id: 'notification-stats' },
            `${t('notifications')}: ${t('pending')} ${stats.pending} · ${t('dead')} ${stats.dead}`,
          ),
        );
      for (const gw of gateways.items)
        content.append(
          gatewayPanel(
            gw,
            devices.items.filter((d) => d.gateway === gw.id),
          ),
        );
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  void load();
  const timer = setInterval(() => void load(), 15_000);
  return () => clearInterval(timer);
}

function gatewayPanel(gw: GatewayInfo, devices: Device[]): HTMLElement {
  const state = gw.status?.state ?? 'offline';
  const health = gw.status?.health ?? {};
  const outbox = health.outbox;
  return h(
    'section',
    { class: 'panel gateway', 'data-gateway': gw.id, 'data-link': state },
    h('h2', {}, `${t('gateway')} ${gw.id} `, h('span', { class: `badge link-${state}` }, tv(state))),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('since')),
      h('dd', {}, fmtTime(gw.status?.since ?? null)),
      h('dt', {}, t('lastSeen')),
      h('dd', {}, fmtTime(gw.lastSeenAt)),
      h('dt', {}, t('version')),
      h('dd', {}, gw.status?.version ?? '—'),
      h('dt', {}, t('outbox')),
      h(
        'dd',
        { class: 'outbox-depth' },
        outbox
          ? `${outbox.batches ?? 0} batches · ${Math.round((outbox.bytes ?? 0) / 1024)} KiB${outbox.oldestTs ? ` · ${fmtTime(outbox.oldestTs)}` : ''}`
          : '—',
      ),
    ),
    h(
      'table',
      { class: 'log' },
      h(
        'tr',
        {},
        ...(['devices', 'kind', 'transformer', 'customer', 'health', 'lastReading'] as const).map((k) =>
          h('th', {}, t(k)),
        ),
      ),
      ...devices.map((d) => {
        const dh = health.devices?.[d.id];
        return h(
          'tr',
          { 'data-device': d.id, 'data-health': dh?.state ?? 'unknown' },
          h('td', {}, d.id),
          h('td', {}, tv(d.kind)),
          h('td', {}, d.transformer ?? '—'),
          h('td', {}, d.customer ?? '—'),
          h(
            'td',
            {},
            h('span', { class: `badge health-${dh?.state ?? 'unknown'}` }, dh?.state ?? '—'),
            dh?.failedPollsInRow ? ` (${dh.failedPollsInRow}×)` : '',
          ),
          h('td', {}, fmtTime(dh?.lastOkAt ?? null)),
        );
      }),
    ),
  );
}
