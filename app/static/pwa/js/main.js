// Fieldline PWA: start-up and the page's global listeners. The only module with side
// effects: importing it boots the app. It draws the frame around every screen (status
// strip, tab bar, Log button, sheet, toast), draws the screen a path asks for (views/*.js,
// imported when first needed), and wires links, history, "call, then log", the outbox
// timer and the service worker. Everything it uses lives in lib/ and components/.

import { html, mount } from './lib/html.js';
import { kv } from './lib/db.js';
import { state } from './lib/state.js';
import { t, guessLocale, loadLocale, fetchShellJSON } from './lib/i18n.js';
import { setOnline, renderStatus, closeSheet } from './lib/sheets.js';
import { compileRoutes, matchRoute, redirectFor, current, onRender, go, render, refreshView, HAS_TEAM } from './lib/router.js';
import { forgetPreviousUser } from './lib/session.js';
import { outbox, flush } from './lib/sync.js';
import { keepBookSynced, syncBookNow } from './lib/book-sync.js';
import { noteAway, takeAway } from './lib/away.js';
import { registerWorker } from './lib/sw-client.js';
import { ICON } from './components/icons.js';

const $ = (sel, root = document) => root.querySelector(sel);
let routes = [];

// ---- The frame ----------------------------------------------------------------

let chromeFor = null; // who and which language the frame was drawn for

function renderChrome() {
  const signed = Boolean(state.me);
  chromeFor = `${signed}|${state.locale}|${state.me?.role}`;
  document.body.classList.toggle('signed-out', !signed);
  mount(
    $('#app'),
    html`<div id="status" class="status" hidden></div>
      <main id="view" class="view" tabindex="-1"></main>
      <div id="update" class="update" role="status" hidden></div>
      ${signed &&
      html`<button id="fab" class="fab" type="button" aria-label="${t('log.open')}">
          ${ICON.add}<span>${t('log.button')}</span>
        </button>
        <nav class="tabs" aria-label="${t('nav.label')}">
          ${HAS_TEAM.includes(state.me.role) &&
          html`<a href="/team" data-tab="team">${ICON.team}<span>${t('nav.team')}</span></a>`}
          <a href="/today" data-tab="today">${ICON.today}<span>${t('nav.today')}</span></a>
          <a href="/customers" data-tab="customers">${ICON.customers}<span>${t('nav.customers')}</span></a>
          <a href="/leads" data-tab="leads">${ICON.leads}<span>${t('nav.leads')}</span></a>
          <a href="/deals" data-tab="deals">${ICON.deals}<span>${t('nav.deals')}</span></a>
          <a href="/settings" data-tab="settings">${ICON.settings}<span>${t('nav.settings')}</span></a>
        </nav>`}
      <dialog id="sheet" class="sheet"></dialog>
      <div id="toast" class="toast" role="status" aria-live="polite"></div>`,
  );
  $('#fab')?.addEventListener('click', async () => {
    const { openLog } = await import('./components/log-sheet.js');
    const customer = current.module?.currentCustomer?.();
    openLog(customer ? { customer } : {});
  });
  $('#sheet').addEventListener('click', (event) => {
    // A tap on the backdrop (outside the sheet's box) closes it.
    if (event.target === event.currentTarget) {
      const r = event.currentTarget.getBoundingClientRect();
      if (event.clientY < r.top || event.clientX < r.left || event.clientX > r.right) closeSheet();
    }
  });
  renderStatus();
}

function showUpdate(apply) {
  const bar = $('#update');
  mount(
    bar,
    html`<span>${t('update.available')}</span>
      <button class="btn btn-small btn-primary" type="button">${t('update.reload')}</button>`,
  );
  bar.hidden = false;
  bar.querySelector('button').addEventListener('click', apply);
}

// ---- The screen ---------------------------------------------------------------

/** Draw the screen for location.pathname (and the frame again if the user or the
 *  language changed since it was drawn). */
async function renderView() {
  let path = location.pathname;
  const to = redirectFor(path, { signedIn: Boolean(state.me), authLost: state.authLost, role: state.me?.role });
  if (to !== path) {
    history.replaceState(null, '', to);
    path = to;
  }
  if (chromeFor !== `${Boolean(state.me)}|${state.locale}|${state.me?.role}`) renderChrome();
  const match = matchRoute(routes, path);
  document.body.dataset.view = match.fn === 'showNew' ? `${match.view === 'leads' ? 'lead' : 'customer'}-new` : match.view;
  for (const a of document.querySelectorAll('.tabs a')) {
    a.toggleAttribute('aria-current', a.dataset.tab === match.tab);
    if (a.dataset.tab === match.tab) a.setAttribute('aria-current', 'page');
  }
  const view = $('#view');
  const mod = await import(`./views/${match.view}.js`);
  // Each screen gets a fresh element, so its listeners go when it goes.
  const page = document.createElement('div');
  page.className = `page page-${match.view}`;
  view.replaceChildren(page);
  Object.assign(current, { path, module: mod, fn: match.fn, params: match.params, page });
  closeSheet();
  window.scrollTo(0, 0);
  await mod[current.fn](page, ...current.params);
  view.focus({ preventScroll: true });
  await openLogFromLink();
}

/** The home-screen shortcut "Log a visit" opens /today?log=visit: show the Log sheet,
 * then drop the parameter so a reload or Back does not open it again. */
async function openLogFromLink() {
  const kind = new URLSearchParams(location.search).get('log');
  if (!kind || !state.me) return;
  history.replaceState(null, '', location.pathname);
  const { openLog } = await import('./components/log-sheet.js');
  openLog({ kind });
}

/** After a call or email started from the app, ask how it went (>= 5 s away). */
async function checkAway() {
  if (!state.me) return;
  const away = takeAway(document.visibilityState === 'hidden');
  if (!away) return;
  const { openAfterCall } = await import('./components/log-sheet.js');
  openAfterCall(away);
}

// ---- Start-up -----------------------------------------------------------------

async function fetchMe() {
  try {
    const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.status === 401) return { signedOut: true };
    if (!res.ok || res.headers.get('X-Fieldline-Offline')) return { offline: true };
    return { data: await res.json() };
  } catch {
    return { offline: true };
  }
}

function listen() {
  document.addEventListener('click', (event) => {
    const a = event.target.closest('a[href]');
    if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    if (a.dataset.away) noteAway(JSON.parse(a.dataset.away), a.getAttribute('href'));
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || a.target || a.hasAttribute('download')) return;
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/pwa/')) return;
    event.preventDefault();
    go(url.pathname + url.search);
  });
  window.addEventListener('popstate', () => render());
  document.addEventListener('visibilitychange', checkAway);
}

async function boot() {
  state.online = navigator.onLine;
  state.version = document.querySelector('meta[name="fieldline-version"]')?.content || '';
  onRender(renderView);
  listen();
  // Ask the server who we are only if someone signed in on this phone before:
  // a first visit goes straight to the sign-in screen, without a 401.
  const known = Promise.all([kv.get('me').catch(() => null), kv.get('csrf').catch(() => null)]);
  const [, table, [saved, csrf], me] = await Promise.all([
    loadLocale(guessLocale()),
    fetchShellJSON('/pwa/js/lib/routes.json'),
    known,
    known.then(([who]) => (who ? fetchMe() : { signedOut: true })),
  ]);
  routes = compileRoutes(table);
  if (me.data) {
    const { csrf_token: token, ...user } = me.data;
    await forgetPreviousUser(saved, user);
    state.me = user;
    state.csrf = token;
    kv.set('me', user).catch(() => {});
    kv.set('csrf', token).catch(() => {});
  } else if (me.offline && saved) {
    state.me = saved; // offline launch: carry on with what we knew
    state.csrf = csrf;
    setOnline(false);
  } else if (me.signedOut && saved) {
    // The session ended (expired, or signed out elsewhere). Keep the outbox.
    state.queued = await outbox.list().catch(() => []);
    state.me = state.queued.length ? saved : null;
    state.authLost = Boolean(state.queued.length);
    if (!state.me) await kv.del('me').catch(() => {});
  }
  if (state.me) await loadLocale(state.me.locale);
  renderChrome();
  state.queued = await outbox.list().catch(() => []);
  renderStatus();
  await render();
  document.body.classList.remove('booting');
  window.addEventListener('online', () => {
    setOnline(true);
    flush();
    syncBookNow();
  });
  window.addEventListener('offline', () => setOnline(false));
  if (state.me && !state.authLost) {
    flush();
    keepBookSynced(); // the offline book: now, then every few minutes
  }
  checkAway();
  const worker = () =>
    registerWorker({
      showUpdate,
      onMessage: (data) => {
        if (data.type === 'outbox-replayed') outbox.emit().then(refreshView);
        if (data.type === 'outbox-replay') flush();
      },
    });
  if (document.readyState === 'complete') worker();
  else window.addEventListener('load', worker, { once: true });
}

/** Start-up failed before any words could load: offer a way round, without words. */
function bootFailed(err) {
  console.error(err);
  mount(
    $('#app'),
    html`<div class="splash"><button class="icon-btn retry" type="button" aria-label="Fieldline ↻">
      ${ICON.retry}
    </button></div>`,
  );
  $('.retry').addEventListener('click', () => location.reload());
}

boot().catch(bootFailed);
