/**
 * The registry for administrators: transformers, customers, devices and gateways as
 * tables, and the CSV import (POST /api/v1/import/{kind}: a header row of field names,
 * all rows or none; problems listed by line and field).
 */
import type { Customer, Device, GatewayRecord, Page, Transformer } from '@gridsafe/shared';
import { api, ApiError, apiUpload } from '../api.js';
import { dataTable as table, h } from '../dom.js';
import { t, tv } from '../i18n.js';

const KINDS = ['transformers', 'customers', 'devices', 'gateways'] as const;

function importForm(redraw: () => void, say: (text: string) => void): HTMLElement {
  const kind = h('select', { id: 'import-kind' }, ...KINDS.map((k) => h('option', { value: k }, t(k))));
  const text = h('textarea', { id: 'import-csv', rows: 4, placeholder: 'id,site,ratedKva,area,lat,lon' });
  const result = h('div', { id: 'import-result', role: 'status' });
  return h(
    'form',
    {
      class: 'import',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        result.replaceChildren();
        try {
          const done = await apiUpload<{ imported: number }>(
            `/api/v1/import/${kind.value}`,
            new Blob([text.value], { type: 'text/csv' }),
          );
          say(`${t('imported')}: ${done.imported}`);
          redraw();
        } catch (e) {
          result.append(
            h('p', { class: 'error' }, (e as Error).message),
            e instanceof ApiError && e.problems.length
              ? h('ul', { id: 'import-problems' }, ...e.problems.map((p) => h('li', {}, `${p.where}: ${p.message}`)))
              : '',
          );
        }
      },
    },
    h('h2', {}, t('importCsv')),
    h('label', { for: 'import-kind' }, t('kind')),
    kind,
    text,
    h('button', { type: 'submit', id: 'import-submit' }, t('importCsv')),
    result,
  );
}

export async function renderRegistryAdmin(
  box: HTMLElement,
  redraw: () => void,
  say: (text: string) => void,
): Promise<void> {
  const [transformers, customers, devices, gateways] = await Promise.all([
    api<Page<Transformer>>('GET', '/api/v1/transformers?limit=1000'),
    api<Page<Customer>>('GET', '/api/v1/customers?limit=1000'),
    api<Page<Device>>('GET', '/api/v1/devices?limit=1000'),
    api<Page<GatewayRecord>>('GET', '/api/v1/gateways?limit=1000'),
  ]);
  box.append(
    importForm(redraw, say),
    h('h2', {}, t('transformers')),
    table(
      'admin-transformers',
      [t('transformer'), t('site'), t('rating'), t('area'), t('position')],
      transformers.items.map((x) => [
        x.id,
        x.site,
        `${x.ratedKva} kVA`,
        x.area ?? '—',
        x.lat === undefined ? '—' : `${x.lat}, ${x.lon}`,
      ]),
    ),
    h('h2', {}, t('customers')),
    table(
      'admin-customers',
      [t('customer'), t('name'), t('contract'), t('tariff')],
      customers.items.map((c) => [c.id, c.name, `${c.contractKva} kVA`, tv(c.tariff)]),
    ),
    h('h2', {}, t('devices')),
    table(
      'admin-devices',
      [t('devices'), t('kind'), t('gateway'), t('transformer'), t('customer')],
      devices.items.map((d) => [d.id, tv(d.kind), d.gateway, d.transformer ?? '—', d.customer ?? '—']),
    ),
    h('h2', {}, t('gateways')),
    table(
      'admin-gateways',
      [t('gateway'), t('state')],
      // A gateway that never reported has no status yet: offline, as the fleet page says.
      gateways.items.map((g) => [g.id, tv(g.status?.state ?? 'offline')]),
    ),
  );
}
