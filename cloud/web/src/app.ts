/** The console's shell: sign-in state, header (navigation, language, live indicator), and the hash router. */
import { loadAlertTypes } from './alert-types.js';
import { signIn, signOut } from './auth.js';
import { clear, h } from './dom.js';
import { onStreamState } from './events.js';
import { lang, setLang, t } from './i18n.js';
import { loadMessages } from './messages.js';
import { session, storedToken } from './session.js';
import { renderAlertBoard } from './pages/alerts.js';
import { renderAlertDetail } from './pages/alert-detail.js';
import { renderCaseList } from './pages/cases.js';
import { renderCaseDetail } from './pages/case-detail.js';
import { renderCaseReport } from './pages/case-report.js';
import { renderFleet } from './pages/fleet.js';
import { renderMap } from './pages/map.js';
import { renderAdmin } from './pages/admin.js';
import { renderTransformer } from './pages/transformer.js';
import { renderCustomer } from './pages/customer.js';
import { renderSignIn } from './pages/signin.js';

export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: string[]) => Cleanup | void;

const ROUTES: Array<[RegExp, Page]> = [
  [/^#\/alerts$/, renderAlertBoard],
  [/^#\/alert\/([A-Za-z0-9_.:-]+)$/, renderAlertDetail],
  [/^#\/cases$/, renderCaseList],
  [/^#\/case\/([A-Za-z0-9_.:-]+)$/, renderCaseDetail],
  [/^#\/case\/([A-Za-z0-9_.:-]+)\/report$/, renderCaseReport],
  [/^#\/fleet$/, renderFleet],
  [/^#\/map$/, renderMap],
  [/^#\/admin(?:\/([a-z]+))?$/, renderAdmin],
  [/^#\/transformer\/([A-Za-z0-9_.:-]+)$/, renderTransformer],
  [/^#\/customer\/([A-Za-z0-9_.:-]+)$/, renderCustomer],
];

let cleanup: Cleanup | void;
let unwatchStream: (() => void) | null = null;

function header(): HTMLElement {
  const s = session();
  const live = h('span', { class: 'live', id: 'live-indicator' }, t('offline'));
  unwatchStream?.();
  unwatchStream = onStreamState((connected) => {
    live.textContent = connected ? `● ${t('live')}` : `○ ${t('offline')}`;
    live.className = connected ? 'live on' : 'live off';
  });
  const route = location.hash;
  const link = (href: string, label: string) =>
    h('a', { href, class: route.startsWith(href.replace(/s$/, '')) ? 'active' : '' }, label);
  return h(
    'header',
    {},
    h('strong', { class: 'brand' }, t('appName')),
    s
      ? h(
          'nav',
          {},
          link('#/alerts', t('alerts')),
          link('#/cases', t('cases')),
          link('#/fleet', t('fleet')),
          link('#/map', t('map')),
          s.user.role === 'admin' ? link('#/admin', t('admin')) : null,
        )
      : null,
    h('span', { class: 'spacer' }),
    s ? live : null,
    h(
      'button',
      {
        class: 'lang',
        id: 'lang-switch',
        onclick: () => {
          setLang(lang() === 'zh' ? 'en' : 'zh');
          render();
        },
      },
      lang() === 'zh' ? 'English' : '中文',
    ),
    s
      ? h(
          'span',
          { class: 'user', id: 'current-user' },
          `${s.user.name} (${s.user.role}${s.user.areas.length ? `: ${s.user.areas.join(', ')}` : ''})`,
        )
      : null,
    s && s.apiAuth ? h('button', { onclick: signOut, id: 'sign-out' }, t('signOut')) : null,
  );
}

function render(): void {
  if (cleanup) cleanup();
  cleanup = undefined;
  const app = document.getElementById('app')!;
  clear(app);
  const main = h('main', {});
  const s = session();
  if (!s || location.hash === '#/signin') {
    if (s) {
      location.hash = '#/alerts';
      return;
    }
    // A shared link (a case report) opened before signing in: go there once signed in.
    if (location.hash && location.hash !== '#/signin') sessionStorage.setItem('gridsafe.after-sign-in', location.hash);
    app.append(header(), main);
    renderSignIn(main);
    return;
  }
  const hash = location.hash || '#/alerts';
  const zone = h('footer', {}, `${t('timesIn')}${s.timeZone}`);
  app.append(header(), main, zone);
  for (const [pattern, page] of ROUTES) {
    const match = pattern.exec(hash);
    if (match) {
      cleanup = page(main, match.slice(1).map(decodeURIComponent));
      return;
    }
  }
  location.hash = '#/alerts';
}

async function boot(): Promise<void> {
  setLang(lang());
  await loadMessages().catch(() => undefined); // without it, server texts stay in English
  window.addEventListener('hashchange', render);
  window.addEventListener(
    'gridsafe:signed-in',
    () =>
      void loadAlertTypes()
        .catch(() => undefined)
        .finally(render),
  );
  window.addEventListener('gridsafe:unauthenticated', () => {
    if (session()?.apiAuth) signOut();
  });
  // A token from earlier in this tab; or none, which works when the server does not ask for one.
  try {
    await signIn(storedToken());
  } catch {
    // server unreachable: the sign-in page reports it when used
  }
  if (session()) await loadAlertTypes().catch(() => undefined); // without it, pages show raw type names
  render();
}

void boot();
