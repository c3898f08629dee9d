// The one way the page and the service worker build their outbox (see outbox.js) over
// the IndexedDB store, and the one way either of them refreshes a stale CSRF token.

import { Outbox } from './outbox.js';
import { kv, outboxStore } from './db.js';

/** Run `fn` alone across tabs and the service worker (Web Locks, where there are any). */
function exclusive(fn) {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request('fieldline-outbox', fn) : fn();
}

/** Ask the server for a fresh CSRF token and keep it; resolves the token, or null. */
export async function refreshCsrf() {
  try {
    const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) return null;
    const token = (await res.json())?.csrf_token || null;
    if (token) await kv.set('csrf', token);
    return token;
  } catch {
    return null;
  }
}

/**
 * The outbox of the signed-in user. owner(): their id; csrf: {get(), set(token)}, where
 * the token is kept between writes; language(): the Accept-Language to send, if any.
 */
export function makeOutbox({ owner, csrf, language = () => null }) {
  return new Outbox({
    store: outboxStore,
    fetch: (...args) => fetch(...args),
    headers: () => ({
      ...(language() ? { 'Accept-Language': language() } : {}),
      ...(csrf.get() ? { 'X-CSRF-Token': csrf.get() } : {}),
    }),
    refreshAuth: async () => {
      const token = await refreshCsrf();
      if (token) csrf.set(token);
      return Boolean(token);
    },
    owner,
    lock: exclusive,
  });
}
