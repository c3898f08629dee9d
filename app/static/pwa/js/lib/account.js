// Signing in and out, and switching language: each changes what the whole frame
// shows, so each ends by drawing the screen again (router.render, which redraws the
// frame around it when the user or the language changed).

import { kv, clearUserData } from './db.js';
import { turnOff as turnOffPush } from './push.js';
import { state } from './state.js';
import { t, loadLocale } from './i18n.js';
import { api } from './api.js';
import { renderStatus, toast } from './sheets.js';
import { go, render } from './router.js';
import { clearApiCaches, forgetPreviousUser } from './session.js';
import { outbox, flush } from './sync.js';
import { keepBookSynced } from './book-sync.js';

/** A fresh sign-in (from the sign-in screen, which then goes on to Today). */
export async function signedIn(user, csrf) {
  await forgetPreviousUser(await kv.get('me').catch(() => null), user);
  state.me = user;
  state.csrf = csrf;
  state.authLost = false;
  await kv.set('me', user);
  await kv.set('csrf', csrf);
  await loadLocale(user.locale);
  state.queued = await outbox.list();
  renderStatus();
  flush();
  keepBookSynced();
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
  await go('/signin', { replace: true });
  return true;
}

/** Switch language now: reload the words and redraw the frame and the screen. */
export async function applyLocale(locale) {
  await loadLocale(locale);
  await render();
}
