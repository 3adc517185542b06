/**
 * A free time range for a page's charts: quick choices (6 hours to 30 days back from now),
 * or any start and end typed in; dragging across a chart sets it too (the chart's onRange).
 */
import { h } from '../dom.js';
import { t } from '../i18n.js';

export interface TimeRange {
  from: number;
  to: number;
}

const HOUR = 3_600_000;
const CHOICES: Array<[string, number]> = [
  ['6h', 6 * HOUR],
  ['24h', 24 * HOUR],
  ['7d', 7 * 24 * HOUR],
  ['30d', 30 * 24 * HOUR],
];

/** A datetime-local value (the browser's own zone, as the input shows it) and back. */
const toInput = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

export const lastHours = (hours: number): TimeRange => ({ from: Date.now() - hours * HOUR, to: Date.now() });

export function rangePicker(range: TimeRange, onChange: (range: TimeRange) => void): HTMLElement {
  const from = h('input', {
    type: 'datetime-local',
    id: 'range-from',
    value: toInput(range.from),
    'aria-label': t('from'),
  });
  const to = h('input', { type: 'datetime-local', id: 'range-to', value: toInput(range.to), 'aria-label': t('to') });
  const error = h('span', { class: 'error', id: 'range-error' });
  const apply = () => {
    const next = { from: new Date(from.value).getTime(), to: new Date(to.value).getTime() };
    if (!Number.isFinite(next.from) || !Number.isFinite(next.to) || next.from >= next.to) {
      error.textContent = t('badRange');
      return;
    }
    error.textContent = '';
    onChange(next);
  };
  return h(
    'div',
    { class: 'filters range', id: 'range-picker' },
    ...CHOICES.map(([label, span]) =>
      h(
        'button',
        { type: 'button', 'data-range': label, onclick: () => onChange({ from: Date.now() - span, to: Date.now() }) },
        label,
      ),
    ),
    from,
    to,
    h('button', { type: 'button', id: 'range-apply', onclick: apply }, t('show')),
    error,
  );
}
