/** Sign-in: an API token, checked by the server before anything is shown. */
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { signIn } from '../auth.js';

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
  const form = h(
    'form',
    {
      class: 'signin',
      id: 'signin-form',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        message.textContent = '';
        try {
          const s = await signIn(input.value.trim());
          if (!s || !s.token) message.textContent = t('badToken');
          else {
            location.hash = '#/alerts';
            window.dispatchEvent(new CustomEvent('gridsafe:signed-in'));
          }
        } catch (error) {
          message.textContent = (error as Error).message;
        }
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
}
