// Push reminders on this device: can it have them, turning them on and off, and
// what a tap on a notification's button does. Used by the page (settings, the
// prompt after the first follow-up, sign-out) and by the service worker.
// The pure parts (reminderState, actionWrite, snoozeUntil, keyBytes) run in node tests.

/**
 * What the Reminders toggle can offer on this device:
 *   'unsupported'      no service worker / Push API / Notification here
 *   'ios-install'      iPhone/iPad Safari outside the installed app: push works only
 *                      for an app added to the Home Screen (iOS 16.4+)
 *   'denied'           the user blocked notifications for this site
 *   'off' | 'on'       available; on when this device has a subscription
 */
export function reminderState({ hasServiceWorker, hasPush, hasNotification, permission, ios, standalone, subscribed }) {
  if (ios && !standalone) return 'ios-install';
  if (!hasServiceWorker || !hasPush || !hasNotification) return 'unsupported';
  if (permission === 'denied') return 'denied';
  return subscribed && permission === 'granted' ? 'on' : 'off';
}

/** iPhone, iPod, or an iPad that says it is a Mac. */
export function isIOS(nav) {
  return /iPad|iPhone|iPod/.test(nav.userAgent || '') || (nav.platform === 'MacIntel' && nav.maxTouchPoints > 1);
}

/** The VAPID key (base64url) as the bytes `applicationServerKey` wants. */
export function keyBytes(base64url) {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/**
 * Snooze 1 h: the reminder comes again an hour from now, so the follow-up moves to an
 * hour plus the user's lead time from now (never earlier than it was due).
 */
export function snoozeUntil(dueAt, now, leadMinutes = 15) {
  const due = new Date(dueAt).getTime();
  return new Date(Math.max(due, now.getTime() + (60 + leadMinutes) * 60 * 1000));
}

/**
 * The outbox write for a notification button, or null when the button only opens
 * something. `data` is what the push carried (see app/push/dispatch.py).
 */
export function actionWrite(action, data, now) {
  const followup = data && data.followup;
  if (followup && action === 'done') {
    return {
      method: 'PATCH',
      url: `/api/v1/activities/${followup.id}`,
      body: { done_at: now.toISOString() },
      meta: { type: 'done', source: 'notification', title: data.title || '' },
    };
  }
  if (followup && action === 'snooze') {
    return {
      method: 'PATCH',
      url: `/api/v1/activities/${followup.id}`,
      body: { due_at: snoozeUntil(followup.due_at, now, followup.lead_minutes ?? 15).toISOString() },
      meta: { type: 'reschedule', source: 'notification', title: data.title || '' },
    };
  }
  const request = data && data.requests && data.requests[action];
  if (request && request.url && request.url.startsWith('/api/v1/')) {
    return {
      method: request.method || 'POST',
      url: request.url,
      body: request.body ?? {},
      meta: { type: 'notice-action', action, source: 'notification', title: data.title || '' },
    };
  }
  return null;
}

/**
 * What a push becomes: showNotification(title, options). Where the browser shows
 * fewer buttons than a reminder has (Chrome: 2), Call gives way to Done and Snooze,
 * and a tap on the notification opens the customer ready to call instead.
 */
export function notificationFor(data, maxActions = Infinity) {
  let actions = data.actions || [];
  let url = data.url || '/today';
  if (data.kind === 'reminder' && actions.length > maxActions && actions.some((a) => a.action === 'call')) {
    actions = actions.filter((a) => a.action !== 'call');
    url += `${url.includes('?') ? '&' : '?'}call=1`;
  }
  return {
    title: data.title || 'Fieldline',
    options: {
      body: data.body || '',
      tag: data.tag || undefined,
      lang: data.lang || undefined,
      icon: '/pwa/icons/icon-192.png',
      badge: '/pwa/icons/icon-192.png',
      timestamp: Date.now(),
      requireInteraction: data.kind === 'reminder',
      renotify: Boolean(data.tag), // a moved reminder replacing its old one still rings
      actions: actions.slice(0, maxActions).map((a) => ({ action: a.action, title: a.title })),
      data: {
        url,
        kind: data.kind,
        title: data.title,
        followup: data.followup || null,
        phone: data.phone || null,
        requests: data.requests || {},
      },
    },
  };
}

// ---- In the page ------------------------------------------------------------

/** This device's reminder state, asking the browser (never prompts). */
export async function deviceState(win = globalThis) {
  const nav = win.navigator;
  const base = {
    hasServiceWorker: 'serviceWorker' in nav,
    hasPush: 'PushManager' in win,
    hasNotification: 'Notification' in win,
    permission: 'Notification' in win ? win.Notification.permission : 'default',
    ios: isIOS(nav),
    standalone: Boolean(win.matchMedia?.('(display-mode: standalone)').matches || nav.standalone),
    subscribed: false,
  };
  if (base.hasServiceWorker && base.hasPush && !(base.ios && !base.standalone)) {
    const reg = await nav.serviceWorker.ready;
    base.subscribed = Boolean(await reg.pushManager.getSubscription());
  }
  return reminderState(base);
}

/**
 * Turn reminders on (call from a tap: browsers ask for permission only then).
 * `api(path, opts)` is lib/api.js's client. Resolves 'on', 'denied' or an error state.
 */
export async function turnOn(api, win = globalThis) {
  const permission = await win.Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const key = await api('/push/public-key');
  if (!key.ok) return key.offline ? 'offline' : 'server-off';
  const reg = await win.navigator.serviceWorker.ready;
  let sub = await reg.pushManager.getSubscription();
  if (!sub) {
    sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.data.public_key) });
  }
  const saved = await api('/push/subscriptions', { method: 'POST', body: sub.toJSON() });
  if (!saved.ok) return saved.offline ? 'offline' : 'error';
  return 'on';
}

/** Turn reminders off here: forget the device on the server, then in the browser. */
export async function turnOff(api, win = globalThis) {
  if (!('serviceWorker' in win.navigator)) return;
  const reg = await win.navigator.serviceWorker.ready;
  const sub = await reg.pushManager?.getSubscription();
  if (!sub) return;
  await api('/push/subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } });
  await sub.unsubscribe();
}
