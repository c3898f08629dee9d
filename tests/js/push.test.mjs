import test from 'node:test';
import assert from 'node:assert/strict';
import { actionWrite, isIOS, keyBytes, notificationFor, reminderState, snoozeUntil } from '../../app/static/pwa/js/lib/push.js';

const FULL = { hasServiceWorker: true, hasPush: true, hasNotification: true, permission: 'default', ios: false, standalone: false, subscribed: false };

test('reminderState: what the toggle can offer', () => {
  assert.equal(reminderState(FULL), 'off');
  assert.equal(reminderState({ ...FULL, permission: 'granted', subscribed: true }), 'on');
  assert.equal(reminderState({ ...FULL, permission: 'default', subscribed: true }), 'off');
  assert.equal(reminderState({ ...FULL, permission: 'denied' }), 'denied');
  assert.equal(reminderState({ ...FULL, hasPush: false }), 'unsupported');
  // iPhone Safari in a tab: no PushManager at all, but the answer is "install", not "unsupported".
  assert.equal(reminderState({ ...FULL, ios: true, hasPush: false }), 'ios-install');
  assert.equal(reminderState({ ...FULL, ios: true, standalone: true }), 'off');
});

test('isIOS: iPhone, and an iPad that says it is a Mac', () => {
  assert.ok(isIOS({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' }));
  assert.ok(isIOS({ userAgent: 'Mozilla/5.0 (Macintosh)', platform: 'MacIntel', maxTouchPoints: 5 }));
  assert.ok(!isIOS({ userAgent: 'Mozilla/5.0 (Macintosh)', platform: 'MacIntel', maxTouchPoints: 0 }));
  assert.ok(!isIOS({ userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 7)' }));
});

test('keyBytes decodes base64url without padding', () => {
  const bytes = keyBytes('BAEC_-8');
  assert.deepEqual([...bytes], [4, 1, 2, 255, 239]);
});

test('snooze: the reminder comes again an hour after the tap, whatever the lead time', () => {
  const now = new Date('2026-11-23T02:00:00Z');
  // On time (15 min before 02:15): due 03:15, reminded 03:00.
  assert.equal(snoozeUntil('2026-11-23T02:15:00Z', now, 15).toISOString(), '2026-11-23T03:15:00.000Z');
  // Overdue: due 03:15, reminded 03:00.
  assert.equal(snoozeUntil('2026-11-23T01:00:00Z', now, 15).toISOString(), '2026-11-23T03:15:00.000Z');
  // An hour's lead time: due 04:00, reminded 03:00 (not at once).
  assert.equal(snoozeUntil('2026-11-23T03:00:00Z', now, 60).toISOString(), '2026-11-23T04:00:00.000Z');
  // Never earlier than it was due.
  assert.equal(snoozeUntil('2026-11-23T09:00:00Z', now, 15).toISOString(), '2026-11-23T09:00:00.000Z');
});

const REMINDER = {
  kind: 'reminder', title: 'Call 王伟 · Acme 10:15', body: 'send quote', url: '/customers/c1',
  actions: [{ action: 'call', title: 'Call' }, { action: 'done', title: 'Done' }, { action: 'snooze', title: 'Snooze 1 h' }],
  followup: { id: 'f1', due_at: '2026-11-23T02:15:00+00:00', lead_minutes: 15 }, phone: '+8613900139000',
};

test('actionWrite: Done and Snooze become outbox writes, Call and a tap do not', () => {
  const now = new Date('2026-11-23T02:00:00Z');
  assert.deepEqual(actionWrite('done', REMINDER, now), {
    method: 'PATCH', url: '/api/v1/activities/f1', body: { done_at: '2026-11-23T02:00:00.000Z' },
    meta: { type: 'done', source: 'notification', title: REMINDER.title },
  });
  const snooze = actionWrite('snooze', REMINDER, now);
  assert.deepEqual(snooze.body, { due_at: '2026-11-23T03:15:00.000Z' });
  assert.equal(snooze.meta.type, 'reschedule');
  assert.equal(actionWrite('call', REMINDER, now), null);
  assert.equal(actionWrite('', REMINDER, now), null);
});

test('actionWrite: a notice button runs its request, only against our own API', () => {
  const now = new Date();
  const notice = { title: 'Claim waiting', requests: { approve: { method: 'POST', url: '/api/v1/expenses/e1/approve', body: {} }, evil: { url: 'https://evil.example/x' } } };
  assert.deepEqual(actionWrite('approve', notice, now), {
    method: 'POST', url: '/api/v1/expenses/e1/approve', body: {},
    meta: { type: 'notice-action', action: 'approve', source: 'notification', title: 'Claim waiting' },
  });
  assert.equal(actionWrite('evil', notice, now), null);
});

test('notificationFor keeps what the buttons need', () => {
  const { title, options } = notificationFor(REMINDER);
  assert.equal(title, REMINDER.title);
  assert.deepEqual(options.actions.map((a) => a.action), ['call', 'done', 'snooze']);
  assert.equal(options.requireInteraction, true);
  assert.deepEqual(options.data.followup, REMINDER.followup);
  assert.equal(options.data.url, '/customers/c1');
  assert.equal(notificationFor({}).title, 'Fieldline');
});

test('with room for two buttons, Done and Snooze stay and a tap opens the customer ready to call', () => {
  const { options } = notificationFor(REMINDER, 2);
  assert.deepEqual(options.actions.map((a) => a.action), ['done', 'snooze']);
  assert.equal(options.data.url, '/customers/c1?call=1');
  const notice = notificationFor({ kind: 'expense_waiting', url: '/approvals', actions: [{ action: 'approve', title: 'Approve' }, { action: 'open', title: 'Open' }, { action: 'x', title: 'X' }] }, 2);
  assert.deepEqual(notice.options.actions.map((a) => a.action), ['approve', 'open']);
  assert.equal(notice.options.data.url, '/approvals');
});
