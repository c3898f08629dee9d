// Fieldline PWA: start-up, the frame around every screen (status strip, tab
// bar, sheets, toasts), translations, the API client, the router, the outbox
// timer, the service worker's update prompt, and "call, then log".
// Screens live in views/*.js and are imported when first needed.

import { html, mount } from './lib/html.js';
import { kv, outboxStore, clearUserData, rememberCustomers } from './lib/db.js';
import { Outbox } from './lib/outbox.js';
import { turnOff as turnOffPush } from './lib/push.js';

export const state = {
  me: null,
  csrf: null,
  locale: 'en',
  messages: {},
  online: navigator.onLine,
  authLost: false,
  queued: [], // outbox items of the signed-in user, oldest first
  version: document.querySelector('meta[name="fieldline-version"]')?.content || '',
};

const LOCALES = ['en', 'zh-CN'];
const $ = (sel, root = document) => root.querySelector(sel);

// ---- Translations ---------------------------------------------------------

function guessLocale() {
  const saved = localStorage.getItem('fieldline.locale');
  if (LOCALES.includes(saved)) return saved;
  return (navigator.languages || [navigator.language]).some((l) => /^zh/i.test(l)) ? 'zh-CN' : 'en';
}

export async function loadLocale(locale) {
  const lang = LOCALES.includes(locale) ? locale : 'en';
  if (lang === state.locale && Object.keys(state.messages).length) return;
  // Without words there is no screen: try a few times (a server restarting, a flaky link).
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await fetch(`/pwa/i18n/${lang}.json`);
      if (res.ok) {
        state.messages = await res.json();
        break;
      }
    } catch {
      // retried below
    }
    if (attempt === 3) throw new Error(`translations for ${lang} unavailable`);
    await new Promise((resolve) => setTimeout(resolve, 700 * attempt));
  }
  state.locale = lang;
  document.documentElement.lang = lang;
  localStorage.setItem('fieldline.locale', lang);
}

/** t('today.title'), t('due.overdue_days', {n: 2}): plural forms are objects keyed by Intl.PluralRules. */
export function t(key, params = {}) {
  let value = key.split('.').reduce((node, part) => (node ? node[part] : undefined), state.messages);
  if (value && typeof value === 'object' && 'n' in params) {
    value = value[new Intl.PluralRules(state.locale).select(params.n)] ?? value.other;
  }
  if (typeof value !== 'string') return key;
  return value.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The word for a code ('outcome', 'order'); an unknown code (from an integration, say) shows as is. */
export function label(group, code) {
  const key = `${group}.${code}`;
  const word = t(key);
  return word === key ? code : word;
}

/** Switch language now: reload the words and redraw the frame and the screen. */
export async function applyLocale(locale) {
  await loadLocale(locale);
  renderChrome();
  await render();
}

/** The zone that decides what "today" is: the user's, else the phone's. */
export function zone() {
  return state.me?.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// ---- API ------------------------------------------------------------------

/**
 * Read from the API. Resolves {ok, status, data, cachedAt, offline}; never
 * throws for network trouble. cachedAt is set when the service worker answered
 * from its cache because the network did not.
 */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Accept-Language': state.locale,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' && state.csrf ? { 'X-CSRF-Token': state.csrf } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    setOnline(false);
    return { ok: false, status: 0, data: null, cachedAt: null, offline: true };
  }
  const cached = res.headers.get('X-Fieldline-Cached-At');
  const swOffline = res.headers.get('X-Fieldline-Offline');
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  setOnline(!cached && !swOffline);
  if (res.status === 401 && state.me && !path.startsWith('/auth/')) lostSession();
  return {
    ok: res.ok,
    status: res.status,
    data,
    cachedAt: cached ? new Date(cached) : null,
    offline: Boolean(cached || swOffline),
  };
}

// ---- Outbox ---------------------------------------------------------------

export const outbox = new Outbox({
  store: outboxStore,
  fetch: (...args) => fetch(...args),
  headers: () => ({ 'Accept-Language': state.locale, ...(state.csrf ? { 'X-CSRF-Token': state.csrf } : {}) }),
  refreshAuth: async () => {
    const res = await api('/me');
    if (!res.ok || !res.data?.csrf_token) return false;
    state.csrf = res.data.csrf_token;
    await kv.set('csrf', state.csrf);
    return true;
  },
  owner: () => state.me?.id || null,
  lock: (fn) => (navigator.locks ? navigator.locks.request('fieldline-outbox', fn) : fn()),
});

outbox.onChange((items) => {
  state.queued = items;
  renderStatus();
  if (current.page?.isConnected) current.module?.onQueue?.(current.page);
});

let replayTimer = null;

/** Try to send the outbox now; reschedules itself while anything is waiting. */
export async function flush() {
  clearTimeout(replayTimer);
  if (!state.me || state.authLost) return null;
  const result = await outbox.replay();
  if (result.sent.length) {
    setOnline(true);
    const customers = result.sent.filter((s) => s.item.url === '/api/v1/customers' && s.data?.id);
    await rememberCustomers(customers.map((s) => s.data)).catch(() => {});
    refreshView();
  }
  if (result.failed.length) refreshView();
  if (result.stopped === 'auth') return lostSession();
  if (result.stopped === 'network') setOnline(false);
  const waiting = state.queued.some((i) => i.status === 'pending');
  if (result.stopped) replayTimer = setTimeout(flush, outbox.nextDelay());
  else if (waiting) replayTimer = setTimeout(flush, 30000);
  return result;
}

/**
 * Queue a write and try to send it at once. Resolves {item, sending}: sending
 * settles when this attempt is over (the item is then gone, failed or waiting).
 */
export async function queue(write) {
  const item = await outbox.add(write);
  navigator.serviceWorker?.ready
    .then((reg) => reg.sync?.register('fieldline-outbox'))
    .catch(() => {});
  return { item, sending: flush() };
}

/**
 * Queue a write and wait for its first attempt, for screens that still hold what
 * was typed. Resolves one of
 *   {state: 'sent', data}      the server took it (data: its answer, when known)
 *   {state: 'queued'}          no network: it waits in the outbox and goes later
 *   {state: 'refused', error}  the server said no ({status, message, fields}); the
 *                              item is taken back out so the screen can say why
 *                              and let the rep fix it there, unless `alive()` says
 *                              that screen is gone: then it stays in Pending changes
 */
export async function send(write, { alive = () => true } = {}) {
  const { item, sending } = await queue(write);
  const result = await sending;
  const after = await outbox.store.get(item.key);
  if (!after) return { state: 'sent', data: result?.sent.find((s) => s.item.key === item.key)?.data ?? null };
  if (after.status !== 'failed') return { state: 'queued' };
  // Nobody left to show it to (the sheet was closed, the rep moved on): it stays in
  // Pending changes with the server's reason, so what was typed is not lost.
  if (!alive()) return { state: 'refused', error: after.error || {}, kept: true };
  await outbox.discard(item.key);
  flush(); // anything held behind it can go now
  return { state: 'refused', error: after.error || {} };
}

/**
 * Send what a sheet's form holds (see send()). Refused: the reason goes in the
 * form's [data-error], the sheet stays open, resolves null. Otherwise the sheet
 * closes (a "saved on this phone" toast when it was queued) and resolves the result.
 */
export async function sendFromSheet(form, write) {
  const submit = form.querySelector('[type=submit]');
  submit.disabled = true;
  const result = await send(write, { alive: () => $('#sheet').open && form.isConnected });
  submit.disabled = false;
  if (result.state === 'refused') {
    form.querySelector('[data-error]').textContent = refusal(result.error);
    return null;
  }
  closeSheet();
  if (result.state === 'queued') toast(t('toast.saved_offline'));
  return result;
}

/** The server's words for a refused write: its field messages, else its message. */
export function refusal(error) {
  const flat = (e) => (typeof e === 'string' ? [e] : Array.isArray(e) ? e.flatMap(flat) : Object.values(e || {}).flatMap(flat));
  const fields = flat(error?.fields);
  return fields.length ? fields.join(' ') : error?.message || t('common.error');
}

// ---- Online state, status strip, toasts, sheets --------------------------

function setOnline(online) {
  const value = online && navigator.onLine;
  if (value === state.online) return;
  state.online = value;
  renderStatus();
}

function renderStatus() {
  const strip = $('#status');
  if (!strip) return;
  const n = state.queued.length;
  const failed = state.queued.filter((i) => i.status === 'failed').length;
  mount(
    strip,
    html`${!state.online && html`<span class="pill pill-offline" role="status">${t('status.offline')}</span>`}
    ${state.authLost &&
    html`<a class="pill pill-alert" href="/signin">${t('status.signin_again')}</a>`}
    ${n > 0 &&
    html`<a class="pill ${failed ? 'pill-alert' : 'pill-pending'}" href="/pending"
      >${t('status.pending', { n })}</a
    >`}`,
  );
  strip.hidden = state.online && !state.authLost && n === 0;
}

let toastTimer = null;
export function toast(message, { alert = false } = {}) {
  const el = $('#toast');
  el.textContent = message;
  el.className = alert ? 'toast toast-alert show' : 'toast show';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 3200);
}

/** Show a bottom sheet with the given content; resolves with the dialog element. */
export function openSheet(template, { label = '' } = {}) {
  const dialog = $('#sheet');
  mount(dialog, template);
  dialog.setAttribute('aria-label', label);
  if (!dialog.open) dialog.showModal();
  dialog.scrollTop = 0;
  return dialog;
}

export function closeSheet() {
  const dialog = $('#sheet');
  if (dialog.open) dialog.close();
}

/**
 * The page of a record that could not be shown: not found (or not yours), not
 * seen before while offline, or another error; with a way back.
 */
export function mountMissing(page, res, { back, title, notFound }) {
  const why = res?.status === 404 ? notFound : res?.offline ? 'common.offline_nothing' : 'common.error';
  mount(
    page,
    html`<header class="page-head row">${backLink(back)}<h1>${title}</h1></header>
      <div class="empty-state"><p>${t(why)}</p></div>`,
  );
}

/**
 * A bottom sheet holding a form: its title, the `fields`, a line for errors
 * ([data-error]), Cancel (which closes it) and the submit button `ok`.
 */
export function openFormSheet({ title, label = title, fields, ok, danger = false }) {
  const dialog = openSheet(
    html`<form class="sheet-body" novalidate>
      <div class="sheet-head"><h2>${title}</h2></div>
      ${fields}
      <p class="form-error" data-error role="alert"></p>
      <div class="sheet-foot two">
        <button class="btn" type="button" data-cancel>${t('common.cancel')}</button>
        <button class="btn ${danger ? 'btn-danger' : 'btn-primary'}" type="submit">${ok}</button>
      </div>
    </form>`,
    { label },
  );
  const form = dialog.querySelector('form');
  form.querySelector('[data-cancel]').addEventListener('click', closeSheet);
  return { dialog, form };
}

/** A confirm dialog in the app's own style; resolves true or false. */
export function confirmSheet({ title, body, ok, danger = false }) {
  return new Promise((resolve) => {
    const dialog = openSheet(
      html`<form method="dialog" class="sheet-body confirm">
        <h2>${title}</h2>
        <p>${body}</p>
        <div class="row-buttons">
          <button class="btn" value="no">${t('common.cancel')}</button>
          <button class="btn ${danger ? 'btn-danger' : 'btn-primary'}" value="yes">${ok}</button>
        </div>
      </form>`,
      { label: title },
    );
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}

/** "Offline, as of 10:32" note for data the service worker served from its cache. */
export function staleNote(res) {
  if (!res.cachedAt) return html``;
  const time = new Intl.DateTimeFormat(state.locale, {
    timeZone: zone(),
    hour: 'numeric',
    minute: '2-digit',
  }).format(res.cachedAt);
  return html`<p class="stale" role="status">${t('status.offline_as_of', { time })}</p>`;
}

/** The "<" in a screen's header, back to ``href``. */
export function backLink(href) {
  return html`<a class="back" href="${href}" aria-label="${t('common.back')}"
    ><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 5l-7 7 7 7"/></svg></a>`;
}

export function setTitle(text) {
  document.title = text ? `${text} · Fieldline` : 'Fieldline';
}

// ---- Router ---------------------------------------------------------------

const ROUTES = [
  [/^\/(today)?$/, 'today', 'today'],
  [/^\/customers$/, 'customers', 'customers'],
  [/^\/customers\/new$/, 'customers', 'customers', 'showNew'],
  [/^\/customers\/([0-9a-f-]{36})$/i, 'customer', 'customers'],
  [/^\/leads$/, 'leads', 'leads'],
  [/^\/leads\/new$/, 'leads', 'leads', 'showNew'],
  [/^\/leads\/([0-9a-f-]{36})$/i, 'lead', 'leads'],
  [/^\/deals$/, 'deals', 'deals'],
  [/^\/deals\/([0-9a-f-]{36})$/i, 'deal', 'deals'],
  [/^\/orders\/([0-9a-f-]{36})$/i, 'order', 'deals'],
  [/^\/settings$/, 'settings', 'settings'],
  [/^\/expenses$/, 'expenses', 'settings'],
  [/^\/expenses\/new$/, 'expense', 'settings', 'showNew'],
  [/^\/expenses\/([0-9a-f-]{36})\/edit$/i, 'expense', 'settings', 'showEdit'],
  [/^\/expenses\/([0-9a-f-]{36})$/i, 'expense', 'settings'],
  [/^\/approvals$/, 'approvals', 'settings'],
  [/^\/reports\/expenses$/, 'expense-report', 'settings'],
  [/^\/reports\/sales$/, 'sales-report', 'settings'],
  [/^\/admin$/, 'admin', 'settings'],
  [/^\/pending$/, 'pending', 'settings'],
  [/^\/signin$/, 'signin', null],
];

let current = { path: null, module: null };

export function go(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  return render();
}

async function render() {
  let path = location.pathname;
  if (!state.me && path !== '/signin') {
    history.replaceState(null, '', '/signin');
    path = '/signin';
  } else if (state.me && path === '/signin' && !state.authLost) {
    history.replaceState(null, '', '/today');
    path = '/today';
  }
  const match = ROUTES.map(([re, name, tab, fn]) => ({ m: re.exec(path), name, tab, fn })).find((r) => r.m) || {
    m: [],
    name: 'today',
    tab: 'today',
  };
  document.body.dataset.view = match.fn === 'showNew' ? `${match.name === 'leads' ? 'lead' : 'customer'}-new` : match.name;
  for (const a of document.querySelectorAll('.tabs a')) {
    a.toggleAttribute('aria-current', a.dataset.tab === match.tab);
    if (a.dataset.tab === match.tab) a.setAttribute('aria-current', 'page');
  }
  const view = $('#view');
  const mod = await import(`./views/${match.name}.js`);
  // Each screen gets a fresh element, so its listeners go when it goes.
  const page = document.createElement('div');
  page.className = `page page-${match.name}`;
  view.replaceChildren(page);
  current = { path, module: mod, fn: match.fn || 'show', params: match.m.slice(1), page };
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
  const { openLog } = await import('./views/log.js');
  openLog({ kind });
}

/**
 * Re-render the current screen if it shows live data (after a sync, say). Only a
 * module's main screen (`show`): its forms (`showNew`, `showEdit`) hold what the
 * rep is typing and are never redrawn under them.
 */
export function refreshView() {
  const { module, fn, params, page } = current;
  if (!module?.live || fn !== 'show' || !page?.isConnected || $('#sheet').open) return;
  module[fn](page, ...(params || []));
}

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

// ---- Session --------------------------------------------------------------

/** A fresh sign-in (from the sign-in screen). */
export async function signedIn(user, csrf) {
  const previous = await kv.get('me').catch(() => null);
  if (previous && previous.id !== user.id) {
    // Someone else used this phone: none of their data may stay visible.
    await clearUserData({ keepOutbox: true });
    await clearApiCaches();
  }
  state.me = user;
  state.csrf = csrf;
  state.authLost = false;
  await kv.set('me', user);
  await kv.set('csrf', csrf);
  await loadLocale(user.locale);
  renderChrome();
  state.queued = await outbox.list();
  renderStatus();
  flush();
}

function lostSession() {
  if (state.authLost) return;
  state.authLost = true;
  renderStatus();
  if (!state.queued.length) {
    state.me = null;
    state.authLost = false;
    kv.del('me').catch(() => {});
    go('/signin', { replace: true });
  } else {
    toast(t('status.signin_again'), { alert: true });
  }
}

export async function clearApiCaches() {
  if (!('caches' in window)) return;
  for (const name of await caches.keys()) {
    if (name.startsWith('fieldline-api')) await caches.delete(name);
  }
}

/** Sign out and leave nothing of the user's data behind. */
export async function signOut() {
  // This phone stops getting the user's reminders (needs the session, so first).
  if (navigator.onLine) await turnOffPush(api).catch(() => {});
  const res = await api('/auth/logout', { method: 'POST' });
  if (!res.ok && res.status !== 401) {
    toast(res.offline ? t('settings.signout_offline') : res.data?.message || t('common.error'), { alert: true });
    return false;
  }
  await outbox.clear();
  await clearUserData();
  await clearApiCaches();
  localStorage.removeItem('fieldline.away');
  state.me = null;
  state.csrf = null;
  state.authLost = false;
  state.queued = [];
  renderChrome();
  await go('/signin', { replace: true });
  return true;
}

// ---- Call, then log -------------------------------------------------------

const AWAY_KEY = 'fieldline.away';

function noteAway(info, href) {
  const kind = href.startsWith('mailto:') ? 'email' : 'call';
  localStorage.setItem(AWAY_KEY, JSON.stringify({ ...info, kind, started_at: Date.now(), left: false }));
}

/** After a call or email started from the app, ask how it went (>= 5 s away). */
async function checkAway() {
  const raw = localStorage.getItem(AWAY_KEY);
  if (!raw || !state.me) return;
  let away;
  try {
    away = JSON.parse(raw);
  } catch {
    localStorage.removeItem(AWAY_KEY);
    return;
  }
  if (document.visibilityState === 'hidden') {
    localStorage.setItem(AWAY_KEY, JSON.stringify({ ...away, left: true }));
    return;
  }
  const seconds = Math.round((Date.now() - away.started_at) / 1000);
  if (!away.left && seconds < 60) return; // the dialer never took over; keep listening
  localStorage.removeItem(AWAY_KEY);
  if (seconds < 5 || seconds > 4 * 3600) return;
  const { openAfterCall } = await import('./views/log.js');
  openAfterCall({ ...away, seconds });
}

document.addEventListener('visibilitychange', checkAway);

// ---- Service worker and updates -------------------------------------------

let updateRequested = false;

function showUpdate(worker) {
  const bar = $('#update');
  mount(
    bar,
    html`<span>${t('update.available')}</span>
      <button class="btn btn-small btn-primary" type="button">${t('update.reload')}</button>`,
  );
  bar.hidden = false;
  bar.querySelector('button').addEventListener('click', () => {
    updateRequested = true;
    worker.postMessage({ type: 'skip-waiting' });
  });
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  sw.addEventListener('controllerchange', () => {
    if (updateRequested) {
      updateRequested = false;
      location.reload();
    }
  });
  sw.addEventListener('message', (event) => {
    if (event.data?.type === 'outbox-replayed') outbox.emit().then(refreshView);
    if (event.data?.type === 'outbox-replay') flush();
  });
  try {
    const reg = await sw.register('/sw.js', { scope: '/', type: 'module', updateViaCache: 'none' });
    const watch = (worker) =>
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && sw.controller) showUpdate(worker);
      });
    if (reg.waiting && sw.controller) showUpdate(reg.waiting);
    watch(reg.installing);
    reg.addEventListener('updatefound', () => watch(reg.installing));
    let lastCheck = Date.now();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && Date.now() - lastCheck > 10 * 60 * 1000) {
        lastCheck = Date.now();
        reg.update().catch(() => {});
      }
    });
  } catch (err) {
    console.warn('Service worker not registered', err);
  }
}

// ---- Frame and start-up ---------------------------------------------------

const ICONS = {
  today: html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M7 2v3M17 2v3M3.5 9h17M5 4.5h14a1.5 1.5 0 0 1 1.5 1.5v13A1.5 1.5 0 0 1 19 20.5H5A1.5 1.5 0 0 1 3.5 19V6A1.5 1.5 0 0 1 5 4.5Z"/><path d="m8.5 14.5 2.2 2.2 4.8-4.8"/></svg>`,
  customers: html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 20.5V8.5l5-3 5 3v12M14 20.5v-9h6v9M2.5 20.5h19M7 11h4M7 14.5h4"/></svg>`,
  leads: html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3.5 4.5h17l-6.5 8v6l-4 2v-8l-6.5-8Z"/></svg>`,
  deals: html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 19.5V13M9.3 19.5V9M14.6 19.5v-5M20 19.5V5M2.5 19.5h19"/></svg>`,
  settings: html`<svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="3"/><path d="M12 2.5v3M12 18.5v3M21.5 12h-3M5.5 12h-3M18.7 5.3l-2.1 2.1M7.4 16.6l-2.1 2.1M18.7 18.7l-2.1-2.1M7.4 7.4 5.3 5.3"/></svg>`,
  log: html`<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5v14M5 12h14"/></svg>`,
};

function renderChrome() {
  const signed = Boolean(state.me);
  document.body.classList.toggle('signed-out', !signed);
  mount(
    $('#app'),
    html`<div id="status" class="status" hidden></div>
      <main id="view" class="view" tabindex="-1"></main>
      <div id="update" class="update" role="status" hidden></div>
      ${signed &&
      html`<button id="fab" class="fab" type="button" aria-label="${t('log.open')}">
          ${ICONS.log}<span>${t('log.button')}</span>
        </button>
        <nav class="tabs" aria-label="${t('nav.label')}">
          <a href="/today" data-tab="today">${ICONS.today}<span>${t('nav.today')}</span></a>
          <a href="/customers" data-tab="customers">${ICONS.customers}<span>${t('nav.customers')}</span></a>
          <a href="/leads" data-tab="leads">${ICONS.leads}<span>${t('nav.leads')}</span></a>
          <a href="/deals" data-tab="deals">${ICONS.deals}<span>${t('nav.deals')}</span></a>
          <a href="/settings" data-tab="settings">${ICONS.settings}<span>${t('nav.settings')}</span></a>
        </nav>`}
      <dialog id="sheet" class="sheet"></dialog>
      <div id="toast" class="toast" role="status" aria-live="polite"></div>`,
  );
  $('#fab')?.addEventListener('click', async () => {
    const { openLog } = await import('./views/log.js');
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

async function boot() {
  // Ask the server who we are only if someone signed in on this phone before:
  // a first visit goes straight to the sign-in screen, without a 401.
  const known = Promise.all([kv.get('me').catch(() => null), kv.get('csrf').catch(() => null)]);
  const [, [saved, csrf], me] = await Promise.all([
    loadLocale(guessLocale()),
    known,
    known.then(([who]) => (who ? fetchMe() : { signedOut: true })),
  ]);
  if (me.data) {
    const { csrf_token: token, ...user } = me.data;
    if (saved && saved.id !== user.id) {
      await clearUserData({ keepOutbox: true });
      await clearApiCaches();
    }
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
  });
  window.addEventListener('offline', () => setOnline(false));
  if (state.me && !state.authLost) flush();
  checkAway();
  if (document.readyState === 'complete') registerWorker();
  else window.addEventListener('load', registerWorker, { once: true });
}

/** Start-up failed before any words could load: offer a way round, without words. */
function bootFailed(err) {
  console.error(err);
  mount(
    $('#app'),
    html`<div class="splash"><button class="icon-btn retry" type="button" aria-label="Fieldline ↻">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7"/></svg>
    </button></div>`,
  );
  $('.retry').addEventListener('click', () => location.reload());
}

boot().catch(bootFailed);
