// Logic that lived inside screens and can now be imported without a browser.
import test from 'node:test';
import assert from 'node:assert/strict';
import { afterAway, awayNote } from '../../app/static/pwa/js/lib/away.js';
import { agendaSection } from '../../app/static/pwa/js/lib/time.js';
import { pickCandidates } from '../../app/static/pwa/js/components/customer-picker.js';
import { customerSnapshot } from '../../app/static/pwa/js/components/customer-snapshot.js';
import { money } from '../../app/static/pwa/js/components/money.js';
import { refusal } from '../../app/static/pwa/js/lib/sheets.js';
import { state } from '../../app/static/pwa/js/lib/state.js';
import { toCents, formatMoney, isAmount } from '../../app/static/pwa/js/lib/money.js';

test('call, then log: ask after a real call, not after a glance away or a day later', () => {
  const note = awayNote({ customer_id: 'c1' }, 'tel:+8613800000000', 1000);
  assert.deepEqual(note, { customer_id: 'c1', kind: 'call', started_at: 1000, left: false });
  assert.equal(awayNote({}, 'mailto:a@b.cn', 0).kind, 'email');
  // The page went away: the note says so and waits.
  assert.deepEqual(afterAway(note, { hidden: true, now: 2000 }), { keep: { ...note, left: true } });
  // The dialer never took over (the page never hid) and under a minute: keep listening.
  assert.deepEqual(afterAway(note, { hidden: false, now: 30000 }), { keep: note });
  const left = { ...note, left: true };
  assert.deepEqual(afterAway(left, { hidden: false, now: 96000 }), { ask: { ...left, seconds: 95 } });
  assert.deepEqual(afterAway(left, { hidden: false, now: 4000 }), {}); // 3 s: not a call
  assert.deepEqual(afterAway(left, { hidden: false, now: 1000 + 5 * 3600 * 1000 }), {}); // hours later
  assert.deepEqual(afterAway(note, { hidden: false, now: 61000 }), { ask: { ...note, seconds: 60 } });
});

test('agenda sections mirror the server: overdue, today, the next seven days, later', () => {
  const tz = 'Asia/Shanghai';
  const now = new Date('2026-11-25T10:00:00+08:00');
  assert.equal(agendaSection(new Date('2026-11-24T23:59:00+08:00'), now, tz), 'overdue');
  assert.equal(agendaSection(new Date('2026-11-25T00:00:00+08:00'), now, tz), 'today');
  assert.equal(agendaSection(new Date('2026-11-25T23:59:00+08:00'), now, tz), 'today');
  assert.equal(agendaSection(new Date('2026-11-26T00:00:00+08:00'), now, tz), 'upcoming');
  assert.equal(agendaSection(new Date('2026-12-02T23:59:00+08:00'), now, tz), 'upcoming');
  assert.equal(agendaSection(new Date('2026-12-03T00:00:00+08:00'), now, tz), null);
  // The day is the user's: 14:00 in Shanghai is today there, but already tomorrow in
  // New York, where it is still the evening of the 24th.
  const due = new Date('2026-11-25T14:00:00+08:00');
  assert.equal(agendaSection(due, now, tz), 'today');
  assert.equal(agendaSection(due, now, 'America/New_York'), 'upcoming');
});

test('the log sheet offers customers used recently first, each once, matching name or city', () => {
  const seen = [
    { id: 'a', name: '华为 Shenzhen', city: '深圳', used_at: 5, seen_at: 9 },
    { id: 'b', name: 'Acme', city: 'Shanghai', used_at: 0, seen_at: 10 },
    { id: 'c', name: 'Bolt', city: 'Beijing', used_at: 7, seen_at: 1 },
    { id: 'a', name: 'stale copy', city: '', used_at: 0, seen_at: 0 },
  ];
  assert.deepEqual(pickCandidates(seen, '').map((c) => c.id), ['c', 'a', 'b']);
  assert.equal(pickCandidates(seen, '').find((c) => c.id === 'a').name, '华为 Shenzhen');
  assert.deepEqual(pickCandidates(seen, ' shang ').map((c) => c.id), ['b']);
  assert.deepEqual(pickCandidates(seen, '深圳').map((c) => c.id), ['a']);
  const many = Array.from({ length: 20 }, (_, i) => ({ id: `x${i}`, name: `Shop ${i}`, seen_at: i }));
  assert.equal(pickCandidates(many, '').length, 6);
  assert.equal(pickCandidates(many, 'shop').length, 8);
});

test('a customer snapshot keeps what a queued card needs, and nothing else', () => {
  assert.equal(customerSnapshot(null), null);
  const snap = customerSnapshot({ id: 'c', name: 'Acme', phone: '1', phone_e164: '+1', email: 'e', address: 'a', city: 'x', lat: 1, lng: 2, notes: 'secret', tags: ['t'] });
  assert.deepEqual(Object.keys(snap).sort(), ['address', 'city', 'email', 'id', 'lat', 'lng', 'name', 'phone', 'phone_e164']);
});

test('money on screen is counted in cents, in the reader\'s language; bad amounts show as nothing', () => {
  state.locale = 'en';
  assert.equal(money('1250.5', 'CNY'), 'CN¥1,250.50');
  assert.equal(money(null), 'CN¥0.00');
  assert.equal(money('12abc', 'CNY'), 'CN¥0.00'); // was "CN¥NaN" with the float formatter
  state.locale = 'zh-CN';
  assert.equal(money('1250.5', 'CNY'), '¥1,250.50');
  assert.equal(formatMoney(125050, 'CNY', 'en'), 'CN¥1,250.50');
  assert.equal(formatMoney('5', 'XXX-not-a-code', 'en'), '5.00 XXX-not-a-code');
  assert.equal(toCents('0.1') + toCents('0.2'), 30);
  for (const ok of ['0', '12', '12.5', '1250.00']) assert.ok(isAmount(ok), ok);
  for (const bad of ['', '1,250', '-5', '1.234', '1e3', ' 5']) assert.ok(!isAmount(bad), bad);
  state.locale = 'en';
});

test('a refused write says the server\'s field messages, else its message', () => {
  state.messages = { common: { error: 'Something went wrong' } };
  assert.equal(refusal({ fields: { amount: ['Too much.'], lines: { 0: { quantity: ['Not a number.'] } } } }), 'Too much. Not a number.');
  assert.equal(refusal({ message: 'Changed by someone else.' }), 'Changed by someone else.');
  assert.equal(refusal(null), 'Something went wrong');
  state.messages = {};
});
