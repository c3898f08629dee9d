// Keeping the offline book current: a sync after sign-in and launch, on coming back
// online, every few minutes while the app is open, and on "Sync now" in Settings.
// One sync at a time; a sync started for one user stops writing if they sign out.

import { api } from './api.js';
import { kv, applyBookItems, allCustomers, clearBook } from './db.js';
import { syncBook, bookSize, KEYS } from './book.js';
import { state } from './state.js';

export const BOOK_EVERY_MS = 5 * 60 * 1000;

let running = null;
let timer = null;
const listeners = new Set();

/** Sync now (or join the sync already running). Resolves syncBook's answer, or null. */
export function syncBookNow() {
  if (!state.me || state.authLost) return Promise.resolve(null);
  if (running) return running;
  const who = state.me.id;
  const store = {
    apply: (items) => {
      if (state.me?.id !== who) throw new Error('signed out');
      return applyBookItems(items);
    },
    clear: () => {
      if (state.me?.id !== who) throw new Error('signed out');
      return clearBook();
    },
  };
  running = syncBook({ get: api, store, kv })
    .catch(() => ({ ok: false, status: 0, pages: 0 }))
    .then((result) => {
      running = null;
      for (const fn of listeners) fn(result);
      return result;
    });
  return running;
}

/** Start the periodic sync (main.js, once signed in) and sync at once. */
export function keepBookSynced() {
  clearInterval(timer);
  timer = setInterval(() => {
    if (document.visibilityState !== 'hidden' && navigator.onLine) syncBookNow();
  }, BOOK_EVERY_MS);
  return syncBookNow();
}

/** Call fn(result) after every sync; returns the function that stops it. */
export function onBookSynced(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** {count, kb, asOf, syncedAt, syncing} for Settings. */
export async function bookSummary() {
  const [rows, asOf, syncedAt] = await Promise.all([
    allCustomers().catch(() => []),
    kv.get(KEYS.asOf).catch(() => null),
    kv.get(KEYS.syncedAt).catch(() => null),
  ]);
  return { ...bookSize(rows), asOf, syncedAt, syncing: Boolean(running) };
}
