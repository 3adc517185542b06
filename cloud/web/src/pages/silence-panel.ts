/**
 * A site's silences and maintenance windows on its transformer page: those in force (who,
 * why, until when, ended now by a button) and a form for a new one (kind, reason, how long),
 * for admins and the area's inspectors. Alerts raised meanwhile are hidden and marked.
 */
import type { Page, Silence } from '@gridsafe/shared';
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { canAct } from '../session.js';
import { fmtTime } from '../time.js';

const HOUR = 3_600_000;
const DURATIONS = [1, 4, 8, 24, 72];

export async function silencePanel(target: string, site: string, onChange: () => void): Promise<HTMLElement> {
  const active = await api<Page<Silence>>('GET', `/api/v1/silences?target=${encodeURIComponent(target)}&active=true`);
  const error = h('p', { class: 'error', role: 'alert', id: 'silence-error' });
  const act = async (button: HTMLButtonElement, fn: () => Promise<unknown>) => {
    button.disabled = true;
    error.textContent = '';
    try {
      await fn();
      onChange();
    } catch (e) {
      error.textContent = (e as Error).message;
      button.disabled = false;
    }
  };
  const list = active.items.length
    ? h(
        'ul',
        { class: 'links', id: 'silences' },
        ...active.items.map((s) =>
          h(
            'li',
            { 'data-silence-id': s.id },
            h('span', { class: 'badge silenced' }, t(s.kind === 'maintenance' ? 'maintenance' : 'silenced')),
            ` ${s.reason} · ${t('until')} ${fmtTime(s.endsAt, site)} · ${s.createdBy} `,
            canAct()
              ? h(
                  'button',
                  {
                    class: 'end-silence',
                    onclick: (e: Event) =>
                      void act(e.currentTarget as HTMLButtonElement, () =>
                        api('POST', `/api/v1/silences/${encodeURIComponent(s.id)}/end`),
                      ),
                  },
                  t('endNow'),
                )
              : null,
          ),
        ),
      )
    : h('p', { class: 'muted', id: 'silences' }, t('none'));
  if (!canAct()) return h('div', {}, list);
  const kind = h(
    'select',
    { id: 'silence-kind', 'aria-label': t('kind') },
    h('option', { value: 'maintenance' }, t('maintenance')),
    h('option', { value: 'silence' }, t('silenced')),
  );
  const reason = h('input', {
    id: 'silence-reason',
    placeholder: t('reason'),
    'aria-label': t('reason'),
    maxlength: 500,
  });
  const hours = h(
    'select',
    { id: 'silence-hours', 'aria-label': t('duration') },
    ...DURATIONS.map((n) => h('option', { value: n }, `${n} h`)),
  );
  const create = h(
    'button',
    {
      id: 'silence-create',
      onclick: (e: Event) => {
        if (!reason.value.trim()) {
          error.textContent = t('reasonRequired');
          return;
        }
        void act(e.currentTarget as HTMLButtonElement, () =>
          api('POST', '/api/v1/silences', {
            kind: kind.value,
            target,
            endsAt: Date.now() + Number(hours.value) * HOUR,
            reason: reason.value.trim(),
          }),
        );
      },
    },
    t('silenceSite'),
  );
  return h('div', {}, list, h('div', { class: 'filters' }, kind, reason, hours, create), error);
}
