// Fieldline service worker (an ES module). The server prepends
//   const SHELL_VERSION = "<content hash of the shell>";
//   const SHELL_FILES = ["/", "/pwa/css/app.css", ...];
// so every deploy changes these bytes and the browser installs the new worker.
// The new worker waits until the rep taps "Reload" (the page then posts
// {type: "skip-waiting"}); it never takes over a page on its own.

import { kv } from '/pwa/js/lib/db.js';
import { makeOutbox, refreshCsrf } from '/pwa/js/lib/outbox-client.js';
import { actionWrite, keyBytes, notificationFor } from '/pwa/js/lib/push.js';

const SHELL_PREFIX = 'fieldline-shell-';
const SHELL_CACHE = SHELL_PREFIX + SHELL_VERSION;
const API_CACHE = 'fieldline-api'; // user data: deleted by the page at sign-out
const NETWORK_TIMEOUT_MS = 3000;
const SHELL = new Set(SHELL_FILES);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // Straight from the server, never from the HTTP cache: no stale mix.
      await cache.addAll(SHELL_FILES.map((url) => new Request(url, { cache: 'reload' })));
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(SHELL_PREFIX) && name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
  // The page's headers changed without a deploy (the map's tile host is a company
  // setting, let in by the page's CSP): keep the page as the server sends it now.
  if (event.data && event.data.type === 'refresh-page') event.waitUntil(refreshPage(event.ports[0]));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (path.startsWith('/api/')) {
    // Sign-in state and tokens are never cached.
    if (!path.startsWith('/api/v1/') || path.startsWith('/api/v1/auth/') || path === '/api/v1/me') return;
    // Searches, later pages, duplicate checks, the book's delta sync and "near me" are
    // not kept: offline, the page reads the customers on the phone (IndexedDB) instead.
    const keep = !url.searchParams.has('q') && !url.searchParams.has('cursor') && !path.endsWith('/duplicates') &&
      !url.searchParams.has('updated_since') && !path.endsWith('/customers/near');
    event.respondWith(keep ? networkFirst(event) : fetch(request).catch(offline));
    return;
  }
  if (request.mode === 'navigate') {
    if (path.startsWith('/pwa/') || path === '/healthz' || path.startsWith('/static/')) return;
    event.respondWith(fromShell('/', request));
    return;
  }
  if (SHELL.has(path)) event.respondWith(fromShell(path, request));
});

async function refreshPage(port) {
  let ok = false;
  try {
    const response = await fetch(new Request('/', { cache: 'reload' }));
    if (response.ok) {
      await (await caches.open(SHELL_CACHE)).put('/', response);
      ok = true;
    }
  } finally {
    port?.postMessage({ ok });
  }
}

async function fromShell(key, request) {
  const cache = await caches.open(SHELL_CACHE);
  return (await cache.match(key)) || fetch(request);
}

function offline() {
  const body = { code: 503, status: 'Service Unavailable', message: 'offline' };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { 'Content-Type': 'application/json', 'X-Fieldline-Offline': '1' },
  });
}

/** The response as stored: same body, plus when it was fetched. */
async function stamped(response) {
  const headers = new Headers(response.headers);
  headers.set('X-Fieldline-Cached-At', new Date().toISOString());
  return new Response(await response.blob(), { status: response.status, statusText: response.statusText, headers });
}

async function cachedAnswer(cache, request) {
  const exact = await cache.match(request);
  if (exact) return exact;
  // Yesterday's agenda beats none when the day turns while offline.
  if (new URL(request.url).pathname === '/api/v1/agenda') return cache.match(request, { ignoreSearch: true });
  return undefined;
}

/** Reads: the network if it answers within 3 s, else the last answer we kept. */
function networkFirst(event) {
  const request = event.request;
  let saving = null;
  const network = fetch(request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      saving = Promise.all([caches.open(API_CACHE), stamped(copy)]).then(([cache, kept]) => cache.put(request, kept));
    }
    return response;
  });
  event.waitUntil(network.then(() => saving).catch(() => null));
  return (async () => {
    const slow = new Promise((resolve) => setTimeout(() => resolve(null), NETWORK_TIMEOUT_MS));
    try {
      const first = await Promise.race([network, slow]);
      if (first) return first;
    } catch {
      // no network: fall through to the cache
    }
    const kept = await cachedAnswer(await caches.open(API_CACHE), request);
    if (kept) return kept;
    try {
      return await network;
    } catch {
      return offline();
    }
  })();
}

// ---- Background Sync: send the outbox even when no page is open -------------

self.addEventListener('sync', (event) => {
  if (event.tag === 'fieldline-outbox') event.waitUntil(replay());
});

/** The outbox of the user signed in on this phone, with the CSRF token they last had. */
async function userOutbox(me) {
  let csrf = await kv.get('csrf');
  return makeOutbox({ owner: () => me.id, csrf: { get: () => csrf, set: (token) => { csrf = token; } } });
}

async function replay() {
  const me = await kv.get('me');
  if (!me) return;
  const result = await (await userOutbox(me)).replay();
  for (const client of await self.clients.matchAll({ type: 'window' })) {
    client.postMessage({ type: 'outbox-replayed' });
  }
  // Network trouble: fail the sync so the browser tries again later.
  if (result.stopped === 'network' || result.stopped === 'server') throw new Error('outbox not sent yet');
}

// ---- Reminders --------------------------------------------------------------

self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  const { title, options } = notificationFor(data, self.Notification?.maxActions ?? Infinity);
  // Outside a real push event (a test dispatching one) waitUntil may be missing.
  whileRunning(event, self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  const notification = event.notification;
  const data = notification.data || {};
  notification.close();
  whileRunning(event, handleClick(event.action, data));
});

function whileRunning(event, promise) {
  try {
    event.waitUntil(promise);
  } catch {
    // not a real ExtendableEvent: the promise still runs
  }
  return promise;
}

async function handleClick(action, data) {
  const phone = (data.phone || '').replace(/[^+\d]/g, '');
  if (action === 'call' && phone) {
    // The dialer straight away where the browser lets a worker open tel:; else the
    // customer, whose page offers the call button first.
    try {
      if (await self.clients.openWindow(`tel:${phone}`)) return;
    } catch {
      // fall through
    }
    return openApp(`${data.url || '/today'}${(data.url || '').includes('?') ? '&' : '?'}call=1`);
  }
  const write = actionWrite(action, data, new Date());
  if (write) return runFromNotification(write);
  return openApp(data.url || '/today');
}

async function openApp(url) {
  const target = new URL(url, self.location.origin).href;
  for (const client of await self.clients.matchAll({ type: 'window' })) {
    if ('focus' in client) {
      await client.focus();
      if ('navigate' in client) await client.navigate(target);
      return;
    }
  }
  await self.clients.openWindow(target);
}

/** Done, Snooze, Approve from the notification: through the outbox, so they are sent
 *  now when online and later (Background Sync, next launch) when not. */
async function runFromNotification(write) {
  const me = await kv.get('me');
  if (!me) return openApp('/signin');
  await (await userOutbox(me)).add(write);
  try {
    await replay();
  } catch {
    await self.registration.sync?.register('fieldline-outbox').catch(() => {});
  }
}

self.addEventListener('pushsubscriptionchange', (event) => {
  whileRunning(event, resubscribe(event));
});

/** The push service replaced this device's subscription: subscribe again with our key
 *  and tell the server, dropping the old endpoint. */
async function resubscribe(event) {
  const me = await kv.get('me');
  if (!me) return;
  let sub = event.newSubscription;
  if (!sub) {
    const res = await fetch('/api/v1/push/public-key');
    if (!res.ok) return;
    const { public_key: key } = await res.json();
    sub = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  }
  const saved = await sendWithCsrf('POST', '/api/v1/push/subscriptions', sub.toJSON());
  // Only once the server has the new one: the old endpoint is dead anyway.
  if (saved.ok && event.oldSubscription && event.oldSubscription.endpoint !== sub.endpoint) {
    await sendWithCsrf('DELETE', '/api/v1/push/subscriptions', { endpoint: event.oldSubscription.endpoint });
  }
}

/** A write with the session cookie and the stored CSRF token, refreshed once if stale. */
async function sendWithCsrf(method, url, body) {
  const send = async (csrf) => fetch(url, {
    method,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', ...(csrf ? { 'X-CSRF-Token': csrf } : {}) },
    body: JSON.stringify(body),
  });
  const res = await send(await kv.get('csrf'));
  if (res.status !== 403) return res;
  const csrf = await refreshCsrf();
  return csrf ? send(csrf) : res;
}
