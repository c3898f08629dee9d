// The page's side of the outbox: queue a write, send it at once when the network
// answers, replay what waits (on a timer, on `online`, on launch), and tell the
// status strip and the screen on show when the queue moves.

import { rememberCustomers } from './db.js';
import { makeOutbox } from './outbox-client.js';
import { state } from './state.js';
import { setOnline, renderStatus } from './sheets.js';
import { current, refreshView } from './router.js';
import { lostSession } from './session.js';

export const outbox = makeOutbox({
  owner: () => state.me?.id || null,
  csrf: { get: () => state.csrf, set: (token) => { state.csrf = token; } },
  language: () => state.locale,
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
    // New and edited customers: the phone's copy is what the server now holds.
    const customers = result.sent.filter((s) => /^\/api\/v1\/customers(\/[0-9a-f-]{36})?$/i.test(s.item.url) &&
      s.item.method !== 'DELETE' && s.data?.id);
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
 *                              (or `keep(error)` says the screen resolves it from
 *                              there, a 412 say: `kept` and the item's `key` come back)
 */
export async function send(write, { alive = () => true, keep = () => false } = {}) {
  const { item, sending } = await queue(write);
  const result = await sending;
  const after = await outbox.store.get(item.key);
  if (!after) return { state: 'sent', data: result?.sent.find((s) => s.item.key === item.key)?.data ?? null };
  if (after.status !== 'failed') return { state: 'queued' };
  // Nobody left to show it to (the sheet was closed, the rep moved on): it stays in
  // Pending changes with the server's reason, so what was typed is not lost.
  if (!alive() || keep(after.error || {})) return { state: 'refused', error: after.error || {}, kept: true, key: item.key };
  await outbox.discard(item.key);
  flush(); // anything held behind it can go now
  return { state: 'refused', error: after.error || {} };
}
