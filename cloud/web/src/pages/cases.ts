/** Capacity cases, newest first, live: a new case or a move appears without a reload. */
import { api } from '../api.js';
import { clear, h } from '../dom.js';
import { onLive, onReconnect } from '../events.js';
import { t, tv } from '../i18n.js';
import { fmtTime } from '../time.js';
import type { CaseRecord, Page } from '../types.js';

export function renderCaseList(root: HTMLElement): () => void {
  const error = h('p', { class: 'error', role: 'alert' });
  const body = h('tbody', { id: 'case-rows' });
  root.append(
    h('h1', {}, t('cases')),
    error,
    h(
      'table',
      { class: 'board', id: 'case-list' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...(['customer', 'state', 'contract', 'maxDemand', 'excess', 'firstSeen', 'lastSeen'] as const).map((k) =>
            h('th', {}, t(k)),
          ),
        ),
      ),
      body,
    ),
  );
  const load = async () => {
    try {
      const page = await api<Page<CaseRecord>>('GET', '/api/v1/cases?limit=200');
      clear(body);
      for (const c of page.items) {
        body.append(
          h(
            'tr',
            { 'data-case-id': c.id, 'data-state': c.state },
            h('td', {}, h('a', { href: `#/case/${encodeURIComponent(c.id)}` }, c.customer)),
            h('td', {}, h('span', { class: `badge st-${c.state}` }, tv(c.state))),
            h('td', {}, `${c.contractKva} kVA`),
            h('td', {}, `${c.maxDemandKw} kW`),
            h('td', {}, `${c.excessKva} kVA`),
            h('td', {}, fmtTime(c.firstSeen)),
            h('td', {}, fmtTime(c.lastSeen)),
          ),
        );
      }
      if (!page.items.length) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, t('none'))));
      root.dataset['loaded'] = 'true';
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  const offLive = onLive((event) => {
    if (event.type === 'case') void load();
  });
  const offReconnect = onReconnect(() => void load());
  void load();
  return () => {
    offLive();
    offReconnect();
  };
}
