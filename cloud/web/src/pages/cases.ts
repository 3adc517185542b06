/**
 * Capacity cases, newest first, live: a new case or a move appears without a reload.
 * Filters by state and customer are done by the server; each row names its customer
 * and shows the penalty stored at confirmation.
 */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { onLive, onReconnect } from '../events.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { CaseRecord, CaseWorkflow, Page } from '@gridsafe/shared';

interface CaseView {
  state: string;
  customer: string;
}

const COLUMNS = ['customer', 'state', 'contract', 'maxDemand', 'excess', 'penalty', 'firstSeen', 'lastSeen'] as const;

export function renderCaseList(root: HTMLElement): () => void {
  const view: CaseView = { state: '', customer: '' };
  const names = new Map<string, string>();
  const error = h('p', { class: 'error', role: 'alert' });
  const filters = h('div', { class: 'filters', id: 'case-filters' });
  const body = h('tbody', { id: 'case-rows' });
  root.append(
    h('h1', {}, t('cases')),
    filters,
    error,
    h(
      'table',
      { class: 'board', id: 'case-list' },
      h('thead', {}, h('tr', {}, ...COLUMNS.map((k) => h('th', {}, t(k))))),
      body,
    ),
  );

  const select = (key: keyof CaseView, label: string, options: Array<[string, string]>) => {
    const el = h(
      'select',
      { id: `case-filter-${key}`, 'aria-label': label },
      ...options.map(([value, text]) =>
        h('option', { value, ...(view[key] === value ? { selected: true } : {}) }, text),
      ),
    );
    el.addEventListener('change', () => {
      view[key] = el.value;
      void load();
    });
    return el;
  };

  const drawFilters = (states: string[]) => {
    clear(filters);
    filters.append(
      select('state', t('state'), [['', t('allStates')], ...states.map((s): [string, string] => [s, tv(s)])]),
      select('customer', t('customer'), [
        ['', t('allCustomers')],
        ...[...names].map(([id, name]): [string, string] => [id, `${id} — ${name}`]),
      ]),
    );
  };

  const row = (c: CaseRecord) =>
    h(
      'tr',
      { 'data-case-id': c.id, 'data-state': c.state, 'data-customer': c.customer },
      h(
        'td',
        {},
        h('a', { href: `#/case/${encodeURIComponent(c.id)}` }, c.customer),
        names.has(c.customer) ? h('span', { class: 'customer-name' }, ` ${names.get(c.customer)}`) : null,
      ),
      h('td', {}, h('span', { class: `badge st-${c.state}` }, tv(c.state))),
      h('td', {}, `${c.contractKva} kVA`),
      h('td', {}, `${c.maxDemandKw} kW`),
      h('td', {}, `${c.excessKva} kVA`),
      h('td', { class: 'num case-penalty' }, c.penalty ? `${c.penalty.totalYuan.toFixed(2)} ${t('yuan')}` : '—'),
      h('td', {}, fmtTime(c.firstSeen)),
      h('td', {}, fmtTime(c.lastSeen)),
    );

  const load = async () => {
    try {
      const query = new URLSearchParams({ limit: '200' });
      if (view.state) query.set('state', view.state);
      if (view.customer) query.set('customer', view.customer);
      const page = await api<Page<CaseRecord>>('GET', `/api/v1/cases?${query.toString()}`);
      clear(body);
      for (const c of page.items) body.append(row(c));
      if (!page.items.length) body.append(h('tr', {}, h('td', { colspan: COLUMNS.length, class: 'muted' }, t('none'))));
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };

  const start = async () => {
    try {
      // The filters' choices: the workflow's states, and the registry's customers (names shown beside ids).
      const [workflow, customers] = await Promise.all([
        api<CaseWorkflow>('GET', '/api/v1/cases/workflow'),
        api<Page<{ id: string; name: string }>>('GET', '/api/v1/customers?limit=1000'),
      ]);
      for (const c of customers.items) names.set(c.id, c.name);
      drawFilters(Object.keys(workflow.transitions));
    } catch (e) {
      error.textContent = (e as Error).message;
    }
    await load();
  };

  const offLive = onLive((event) => {
    if (event.type === 'case') void load();
  });
  const offReconnect = onReconnect(() => void load());
  void start();
  return () => {
    offLive();
    offReconnect();
  };
}
