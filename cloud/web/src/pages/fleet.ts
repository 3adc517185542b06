/**
 * The fleet, from the cloud's own knowledge first: a gateway or device with an open
 * comm_loss alert is "silent" whatever its retained status still says, "last batch" is
 * when the cloud last stored one, and a device's last reading is the newest one stored.
 * What only the gateway knows (outbox depth, polling state, failures) comes from its
 * retained status. Totals on top; "problems only" hides what is healthy.
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { customerLink, transformerLink } from './links.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { AlertRecord, Device, GatewayRecord, Page } from '@gridsafe/shared';

/** Quantities whose newest stored value dates a device's last reading (one per kind of device). */
const LAST_READING_FIELDS = 'p_kw,v_a,i_a,i_res_ma,t1_c';

/** What the fleet page reads of a gateway's health report (free-form in the contract). */
interface Health {
  outbox?: { batches?: number; bytes?: number; events?: number; oldestTs?: number | null };
  uplink?: { connected?: boolean };
  devices?: Record<string, { state?: string; lastOkAt?: number | null; failedPollsInRow?: number; polls?: number }>;
}

interface Knowledge {
  /** Gateways and devices with an open or acknowledged comm_loss alert. */
  silent: Set<string>;
  /** Newest stored reading per device (ms). */
  lastReading: Map<string, number | null>;
}

export function renderFleet(root: HTMLElement): () => void {
  const error = h('p', { class: 'error', role: 'alert' });
  const totals = h('p', { id: 'fleet-totals' });
  const problemsOnly = h('input', { type: 'checkbox', id: 'fleet-problems' });
  const content = h('div', {});
  root.append(
    h('h1', {}, t('fleet')),
    error,
    totals,
    h('label', { class: 'mine' }, problemsOnly, t('problemsOnly')),
    content,
  );
  let gateways: GatewayRecord[] = [];
  let devices: Device[] = [];
  let known: Knowledge = { silent: new Set(), lastReading: new Map() };
  let stats: { pending: number; dead: number } | null = null;

  const draw = () => {
    clear(content);
    if (stats)
      content.append(
        h(
          'p',
          { id: 'notification-stats' },
          `${t('notifications')}: ${t('pending')} ${stats.pending} · ${t('dead')} ${stats.dead}`,
        ),
      );
    const states = gateways.map((gw) => linkState(gw, known));
    const failing = devices.filter((d) => deviceProblem(d, gateways, known));
    totals.textContent = [
      `${t('gateways')}: ${gateways.length}`,
      `${tv('online')} ${states.filter((s) => s === 'online').length}`,
      `${tv('silent')} ${states.filter((s) => s === 'silent').length}`,
      `${tv('offline')} ${states.filter((s) => s === 'offline').length}`,
      `${t('devices')}: ${devices.length}`,
      `${t('failing')} ${failing.length}`,
    ].join(' · ');
    for (const gw of gateways) {
      const own = devices.filter((d) => d.gateway === gw.id);
      const shown = problemsOnly.checked ? own.filter((d) => deviceProblem(d, gateways, known)) : own;
      if (problemsOnly.checked && linkState(gw, known) === 'online' && !shown.length) continue;
      content.append(gatewayPanel(gw, shown, known));
    }
  };
  problemsOnly.addEventListener('change', draw);

  const load = async () => {
    try {
      const [gatewayPage, devicePage, commLoss, notificationStats] = await Promise.all([
        api<Page<GatewayRecord>>('GET', '/api/v1/gateways?limit=1000'),
        api<Page<Device>>('GET', '/api/v1/devices?limit=1000'),
        api<Page<AlertRecord>>('GET', '/api/v1/alerts?type=comm_loss&state=active&silenced=include&limit=1000'),
        api<{ pending: number; dead: number }>('GET', '/api/v1/notifications/stats').catch(() => null),
      ]);
      const latest = await Promise.all(
        devicePage.items.map((d) =>
          api<{ values: Record<string, { ts: number }> }>(
            'GET',
            `/api/v1/devices/${encodeURIComponent(d.id)}/latest?fields=${LAST_READING_FIELDS}`,
          ).then(
            (answer) => Math.max(...Object.values(answer.values).map((v) => v.ts), -Infinity),
            () => -Infinity,
          ),
        ),
      );
      gateways = gatewayPage.items;
      devices = devicePage.items;
      stats = notificationStats;
      known = {
        silent: new Set(commLoss.items.map((a) => a.subject)),
        lastReading: new Map(devicePage.items.map((d, i) => [d.id, Number.isFinite(latest[i]) ? latest[i]! : null])),
      };
      draw();
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  void load();
  const timer = setInterval(() => void load(), 15_000);
  return () => clearInterval(timer);
}

/** The cloud's word first: an open comm_loss alert makes a gateway silent whatever it last said. */
function linkState(gw: GatewayRecord, known: Knowledge): string {
  if (known.silent.has(gw.id)) return 'silent';
  return gw.status?.state ?? 'offline';
}

function healthOf(gw: GatewayRecord | undefined): Health {
  return (gw?.status?.health ?? {}) as Health;
}

function deviceProblem(device: Device, gateways: GatewayRecord[], known: Knowledge): boolean {
  if (known.silent.has(device.id) || known.silent.has(device.gateway)) return true;
  const state = healthOf(gateways.find((gw) => gw.id === device.gateway)).devices?.[device.id]?.state;
  return state !== undefined && state !== 'ok';
}

function gatewayPanel(gw: GatewayRecord, devices: Device[], known: Knowledge): HTMLElement {
  const state = linkState(gw, known);
  const health = healthOf(gw);
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
      h('dt', {}, t('lastBatch')),
      h('dd', { class: 'last-batch' }, fmtTime(gw.lastSeenAt)),
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
          { 'data-device': d.id, 'data-health': known.silent.has(d.id) ? 'silent' : (dh?.state ?? 'unknown') },
          h('td', {}, d.id),
          h('td', {}, tv(d.kind)),
          h('td', {}, d.transformer ? transformerLink(d.transformer) : '—'),
          h('td', {}, d.customer ? customerLink(d.customer) : '—'),
          h(
            'td',
            {},
            h('span', { class: `badge health-${dh?.state ?? 'unknown'}` }, dh?.state ?? '—'),
            dh?.failedPollsInRow ? ` (${dh.failedPollsInRow}×)` : '',
          ),
          h('td', { class: 'last-reading' }, fmtTime(known.lastReading.get(d.id) ?? null)),
        );
      }),
    ),
  );
}
