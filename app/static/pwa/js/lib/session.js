// The end of a session, and what of a user may stay on this phone: nothing of theirs
// once someone else signs in or they sign out.

import { kv, clearUserData } from './db.js';
import { state } from './state.js';
import { t } from './i18n.js';
import { renderStatus, toast } from './sheets.js';
import { go } from './router.js';

/** Delete the API answers the service worker kept (they are the user's data). */
export async function clearApiCaches() {
  if (!('caches' in globalThis)) return;
  for (const name of await caches.keys()) {
    if (name.startsWith('fieldline-api')) await caches.delete(name);
  }
}

/** `user` signs in where `previous` was: if that was someone else, none of their data
 *  may stay visible (their queued writes stay, owned by them, for when they are back). */
export async function forgetPreviousUser(previous, user) {
  if (previous && previous.id !== user.id) {
    await clearUserData({ keepOutbox: true });
    await clearApiCaches();
  }
}

/** The server said 401: with nothing queued, back to sign-in; with writes waiting,
 *  stay and ask the rep to sign in again so they can go. */
export function lostSession() {
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
