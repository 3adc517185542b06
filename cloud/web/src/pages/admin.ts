/**
 * Administration (#/admin/{section}, admins only): the registry with its CSV import
 * (admin-registry.ts), the inspectors (areas, skills, lead, on duty, open orders), the API
 * users (names, roles, areas; never tokens) and the webhook receivers (add, remove; a new
 * receiver's signing secret shown once). Everything through the API, which refuses other roles too.
 */
import type { ApiUser, Inspector, Page, Webhook, WorkOrder } from '@gridsafe/shared';
import { api } from '../api.js';
import { dataTable as table, h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { session } from '../session.js';
import { renderRegistryAdmin } from './admin-registry.js';

const SECTIONS = ['registry', 'inspectors', 'users', 'webhooks'] as const;
type Section = (typeof SECTIONS)[number];

async function inspectors(box: HTMLElement): Promise<void> {
  const [list, orders] = await Promise.all([
    api<Inspector[]>('GET', '/api/v1/inspectors'),
    api<Page<WorkOrder>>('GET', '/api/v1/workorders?limit=1000'),
  ]);
  const open = new Map<string, number>();
  for (const order of orders.items)
    if (order.assignee && order.state !== 'resolved') open.set(order.assignee, (open.get(order.assignee) ?? 0) + 1);
  box.append(
    table(
      'admin-inspectors',
      [t('user'), t('area'), t('skills'), t('lead'), t('onDuty'), t('openOrders')],
      list.map((i) => [
        `${i.id}${i.name !== i.id ? ` (${i.name})` : ''}`,
        i.areas.join(', '),
        i.skills.join(', ') || '—',
        i.lead ? t('yes') : '—',
        i.active ? t('yes') : t('no'),
        String(open.get(i.id) ?? 0),
      ]),
    ),
  );
}

async function users(box: HTMLElement): Promise<void> {
  const list = await api<ApiUser[]>('GET', '/api/v1/users');
  box.append(
    table(
      'admin-users',
      [t('user'), t('role'), t('area')],
      list.map((u) => [u.name, tv(u.role), u.areas.join(', ') || t('allAreas')]),
    ),
  );
}

async function webhooks(box: HTMLElement, redraw: () => void, say: (text: string) => void): Promise<void> {
  const list = await api<Webhook[]>('GET', '/api/v1/webhooks');
  const url = h('input', { type: 'url', id: 'webhook-url', placeholder: 'https://…', required: true });
  const message = h('p', { id: 'webhook-message', role: 'status' });
  const add = h(
    'form',
    {
      class: 'inline-form',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        try {
          const created = await api<{ secret: string }>('POST', '/api/v1/webhooks', { url: url.value.trim() });
          // Shown once: the server keeps only what it needs to sign, the admin copies it now.
          say(`${t('secretOnce')} ${created.secret}`);
          redraw();
        } catch (e) {
          message.textContent = (e as Error).message;
        }
      },
    },
    url,
    h('button', { type: 'submit', id: 'webhook-add' }, t('add')),
  );
  box.append(
    add,
    message,
    table(
      'admin-webhooks',
      [t('url'), t('kind'), t('area'), t('state'), ''],
      list.map((w) => [
        w.url,
        w.kinds.join(', ') || t('all'),
        w.areas.join(', ') || t('allAreas'),
        w.enabled ? t('yes') : t('no'),
        h(
          'button',
          {
            class: 'webhook-remove',
            'data-id': w.id,
            onclick: async () => {
              try {
                await api('DELETE', `/api/v1/webhooks/${encodeURIComponent(w.id)}`);
                redraw();
              } catch (e) {
                message.textContent = (e as Error).message;
              }
            },
          },
          t('remove'),
        ),
      ]),
    ),
  );
}

export function renderAdmin(root: HTMLElement, [which]: string[]): void {
  const section: Section = SECTIONS.includes(which as Section) ? (which as Section) : 'registry';
  const error = h('p', { class: 'error', role: 'alert', id: 'admin-error' });
  root.append(
    h('h1', {}, t('admin')),
    h(
      'nav',
      { class: 'subnav' },
      ...SECTIONS.map((s) => h('a', { href: `#/admin/${s}`, class: s === section ? 'active' : '' }, t(s))),
    ),
    error,
  );
  if (session()?.user.role !== 'admin') {
    error.textContent = t('adminOnly');
    root.dataset['loaded'] = 'true';
    return;
  }
  // What the last action did (rows imported, a new webhook's secret): kept while the section redraws.
  const status = h('p', { id: 'admin-status', role: 'status' });
  const box = h('section', { class: 'panel', id: `admin-${section}-section` });
  root.append(status, box);
  const say = (text: string) => (status.textContent = text);
  const draw = () => {
    box.replaceChildren();
    const work =
      section === 'registry'
        ? renderRegistryAdmin(box, draw, say)
        : section === 'inspectors'
          ? inspectors(box)
          : section === 'users'
            ? users(box)
            : webhooks(box, draw, say);
    void work.then(
      () => (root.dataset['loaded'] = 'true'),
      (e: Error) => (error.textContent = e.message),
    );
  };
  draw();
}
