/** Sign-in: an API token, checked by the server before anything is shown; in demo mode, the demo users of each role too. */
import { api } from '../api.js';
import { h } from '../dom.js';
import { t, tv } from '../i18n.js';
import { signIn } from '../auth.js';
import type { DemoUsers } from '@gridsafe/shared';

export function renderSignIn(root: HTMLElement): void {
  const input = h('input', {
    type: 'password',
    id: 'token',
    name: 'token',
    autocomplete: 'off',
    placeholder: 'gst_…',
    required: true,
  });
  const message = h('p', { class: 'error', id: 'signin-error', role: 'alert' });
  const enter = async (token: string) => {
    message.textContent = '';
    try {
      const s = await signIn(token);
      if (!s || !s.token) message.textContent = t('badToken');
      else {
        location.hash = sessionStorage.getItem('gridsafe.after-sign-in') ?? '#/alerts';
        sessionStorage.removeItem('gridsafe.after-sign-in');
        window.dispatchEvent(new CustomEvent('gridsafe:signed-in'));
      }
    } catch (error) {
      message.textContent = (error as Error).message;
    }
  };
  const form = h(
    'form',
    {
      class: 'signin',
      id: 'signin-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void enter(input.value.trim());
      },
    },
    h('h1', {}, t('signIn')),
    h('label', { for: 'token' }, t('token')),
    input,
    h('p', { class: 'muted' }, t('tokenHelp')),
    h('button', { type: 'submit', id: 'signin-submit' }, t('signIn')),
    message,
  );
  root.append(form);
  // Demo mode lists its users (public tokens, from the cloud's embedded defaults); otherwise nothing is shown.
  void api<DemoUsers>('GET', '/api/v1/demo', undefined, null)
    .then((demo) => {
      if (!demo.demo) return;
      form.before(
        h(
          'section',
          { class: 'signin demo panel', id: 'demo-users' },
          h('h2', {}, t('demoMode')),
          h('p', { class: 'muted' }, t('demoHelp')),
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h('tr', {}, h('th', {}, t('role')), h('th', {}, t('user')), h('th', {}, t('area')), h('th', {})),
            ),
            h(
              'tbody',
              {},
              demo.users.map((user) =>
                h(
                  'tr',
                  { 'data-role': user.role },
                  h('td', {}, tv(user.role)),
                  h('td', {}, user.name, h('br'), h('code', {}, user.token)),
                  h('td', {}, user.areas.join(', ') || t('allAreas')),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'demo-signin',
                        'data-user': user.name,
                        onclick: () => void enter(user.token),
                      },
                      t('signIn'),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    })
    .catch(() => undefined); // an older server without the route: no demo list
}
