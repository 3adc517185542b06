/**
 * Assigning a work order by hand: an admin, or the lead inspector of the order's area,
 * picks an active inspector who covers the area (POST /api/v1/workorders/{id}/reassign).
 * The server checks the same rules; the page only offers what it would accept.
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { session } from '../session.js';
import type { Inspector, WorkOrder } from '@gridsafe/shared';

export async function loadInspectors(): Promise<Inspector[]> {
  const role = session()?.user.role;
  if (role !== 'admin' && role !== 'inspector') return [];
  return api<Inspector[]>('GET', '/api/v1/inspectors');
}

/** The control, or null when the signed-in user may not assign this order. */
export function assignControl(
  order: WorkOrder,
  inspectors: Inspector[],
  note: () => string,
  act: (fn: () => Promise<unknown>) => Promise<void>,
): HTMLElement | null {
  const user = session()?.user;
  if (!user || order.state === 'resolved') return null;
  const mayAssign = user.role === 'admin' || inspectors.some((i) => i.id === user.name && i.lead);
  if (!mayAssign) return null;
  const candidates = inspectors.filter(
    (i) => i.active && order.area !== null && i.areas.includes(order.area) && i.id !== order.assignee,
  );
  if (!candidates.length) return h('p', { class: 'muted', id: 'assign-none' }, t('noOneToAssign'));
  // Those with the skill the order asks for first.
  candidates.sort((a, b) => Number(b.skills.includes(order.skill)) - Number(a.skills.includes(order.skill)));
  const select = h(
    'select',
    { id: 'assign-to', 'aria-label': t('assignTo') },
    ...candidates.map((i) =>
      h(
        'option',
        { value: i.id },
        `${i.name} (${i.skills.join(', ') || '—'})${i.skills.includes(order.skill) ? ' ✓' : ''}`,
      ),
    ),
  );
  return h(
    'div',
    { class: 'assign', id: 'assign' },
    h('label', { for: 'assign-to' }, order.assignee ? t('reassignTo') : t('assignTo')),
    select,
    h(
      'button',
      {
        id: 'assign-button',
        onclick: () =>
          void act(() =>
            api('POST', `/api/v1/workorders/${order.id}/reassign`, {
              to: select.value,
              ...(note().trim() ? { note: note().trim() } : {}),
            }),
          ),
      },
      order.assignee ? t('reassign') : t('assign'),
    ),
  );
}
