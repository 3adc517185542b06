/**
 * The triage list's filter bar: state, severity, type, area, search, sort and the "my work"
 * view. The choice is kept in the browser (a saved view), so an inspector comes back to
 * the list as they left it.
 */
import { alertTypeLabel, alertTypes } from '../alert-types.js';
import { h } from '../dom.js';
import { t, tv } from '../i18n.js';

export interface AlertView {
  state: '' | 'active' | 'open' | 'acknowledged' | 'resolved';
  severity: '' | 'critical' | 'warning' | 'info';
  type: string;
  area: string;
  q: string;
  sort: 'triage' | 'newest' | 'oldest' | 'last_seen';
  /** Alerts a silence hides now: left out (''), shown too, or alone. */
  silenced: '' | 'include' | 'only';
  /** Only the work orders assigned to the signed-in user. */
  mine: boolean;
  page: number;
}

const STORAGE_KEY = 'gridsafe.alertView';
const DEFAULT_VIEW: AlertView = {
  state: '',
  severity: '',
  type: '',
  area: '',
  q: '',
  sort: 'triage',
  silenced: '',
  mine: false,
  page: 0,
};

export function savedView(): AlertView {
  try {
    return {
      ...DEFAULT_VIEW,
      ...(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<AlertView>),
      page: 0,
    };
  } catch {
    return { ...DEFAULT_VIEW };
  }
}

export function saveView(view: AlertView): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(view));
}

/** The list's query string for a view (paging included). */
export function alertQuery(view: AlertView, pageSize: number): string {
  const params = new URLSearchParams({
    sort: view.sort,
    limit: String(pageSize),
    offset: String(view.page * pageSize),
  });
  for (const key of ['state', 'severity', 'type', 'area', 'q', 'silenced'] as const)
    if (view[key]) params.set(key, view[key].trim());
  return params.toString();
}

export function filterBar(view: AlertView, onChange: (view: AlertView) => void): HTMLElement {
  const select = (id: keyof AlertView, options: Array<[string, string]>) => {
    const el = h(
      'select',
      {
        id: `filter-${id}`,
        'aria-label': t(
          id === 'q' ? 'search' : id === 'mine' || id === 'page' ? 'state' : id === 'silenced' ? 'silenced' : id,
        ),
      },
      ...options.map(([value, label]) =>
        h('option', { value, ...(view[id] === value ? { selected: true } : {}) }, label),
      ),
    );
    el.addEventListener('change', () => onChange({ ...view, [id]: el.value, page: 0 }));
    return el;
  };
  const search = h('input', {
    id: 'filter-q',
    type: 'search',
    placeholder: t('searchSubject'),
    value: view.q,
    'aria-label': t('search'),
  });
  search.addEventListener('change', () => onChange({ ...view, q: search.value, page: 0 }));
  const area = h('input', {
    id: 'filter-area',
    placeholder: t('area'),
    value: view.area,
    'aria-label': t('area'),
    size: 8,
  });
  area.addEventListener('change', () => onChange({ ...view, area: area.value.trim(), page: 0 }));
  const mine = h('input', { id: 'filter-mine', type: 'checkbox', ...(view.mine ? { checked: true } : {}) });
  mine.addEventListener('change', () => onChange({ ...view, mine: mine.checked, page: 0 }));
  return h(
    'div',
    { class: 'filters', id: 'alert-filters' },
    h('label', { class: 'mine' }, mine, t('myWork')),
    select('state', [
      ['', t('all')],
      ['active', t('activeAlerts')],
      ['open', tv('open')],
      ['acknowledged', tv('acknowledged')],
      ['resolved', tv('resolved')],
    ]),
    select('severity', [
      ['', t('allSeverities')],
      ['critical', tv('critical')],
      ['warning', tv('warning')],
      ['info', tv('info')],
    ]),
    select('type', [
      ['', t('allTypes')],
      ...alertTypes().map((type): [string, string] => [type, alertTypeLabel(type)]),
    ]),
    area,
    search,
    select('silenced', [
      ['', t('hideSilenced')],
      ['include', t('withSilenced')],
      ['only', t('onlySilenced')],
    ]),
    select('sort', [
      ['triage', t('sortTriage')],
      ['newest', t('sortNewest')],
      ['oldest', t('sortOldest')],
      ['last_seen', t('sortLastSeen')],
    ]),
  );
}
