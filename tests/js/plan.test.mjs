// Plan my day's logic: the order a drag or an arrow makes, the body a save sends, the
// navigate link of a leg per platform and locale, and what the outbox changes on screen.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  appointmentCandidates, bodyOfPlan, currentIndex, distanceMetres, dropIndex, moveStop,
  nearbyCandidates, overdueCandidates, planBody, planUrl, queuedPlan, shownPlan,
} from '../../app/static/pwa/js/lib/plan.js';
import { legLink } from '../../app/static/pwa/js/lib/place.js';
import { withPlan } from '../../app/static/pwa/js/lib/plan-store.js';

const DAY = '2026-12-10';
const localDay = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10); // Shanghai

function serverStop(id, extra = {}) {
  return {
    customer_id: id, followup_id: null, arrive_by: null, duration_min: 30,
    eta: '2026-12-10T01:00:00+00:00', distance_m: 1200, travel_min: 4, late: false, unplanned: null,
    visited_at: null, checkin_status: null,
    customer: { id, name: `Stop ${id}`, lat: 31.2, lng: 121.4, phone_e164: null, email: null, address: null, city: null },
    ...extra,
  };
}

const PLAN = {
  id: 'p1', version: 3, date: DAY, start: { lat: 31.23, lng: 121.47, label: 'Home' }, end: null,
  depart_at: null, stops: ['a', 'b', 'c', 'd'].map((id) => serverStop(id)), unplanned: [],
};

test('moving a stop: up, down, to either end, and a move past the ends is clamped', () => {
  const ids = (list) => list.join('');
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 2, 1)), 'acbd'); // up
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 1, 2)), 'acbd'); // down
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 3, 0)), 'dabc');
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 0, 9)), 'bcda');
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 0, -1)), 'abcd');
  assert.equal(ids(moveStop(['a', 'b', 'c', 'd'], 7, 0)), 'abcd');
  const original = ['a', 'b'];
  moveStop(original, 0, 1);
  assert.deepEqual(original, ['a', 'b']); // a new list, the old one as it was
});

test('a drag lands after every other row whose middle is above the pointer', () => {
  const middles = [100, 180, 260, 340]; // rows 80 px high
  assert.equal(dropIndex(middles, 100, 0), 0); // not moved
  assert.equal(dropIndex(middles, 200, 0), 1); // past the second row's middle
  assert.equal(dropIndex(middles, 400, 0), 3); // below the last: last
  assert.equal(dropIndex(middles, 90, 3), 0); // the last row dragged to the top
  assert.equal(dropIndex(middles, 250, 3), 2); // above the third row's middle: before it
  assert.equal(dropIndex(middles, 170, 1), 1); // a nudge: stays
  assert.equal(dropIndex(middles, 90, 1), 0);
  // the drop and the move together: the third stop dragged above the first
  assert.deepEqual(moveStop(['a', 'b', 'c'], 2, dropIndex([100, 180, 260], 60, 2)), ['c', 'a', 'b']);
});

test('the plan body: the rep\'s choices only, never the server\'s figures', () => {
  const body = bodyOfPlan(PLAN, moveStop(PLAN.stops, 3, 0));
  assert.deepEqual(body, {
    start: { lat: 31.23, lng: 121.47, label: 'Home' }, end: null,
    stops: [{ customer_id: 'd', duration_min: 30 }, { customer_id: 'a', duration_min: 30 },
      { customer_id: 'b', duration_min: 30 }, { customer_id: 'c', duration_min: 30 }],
  });
  const appointment = serverStop('e', { followup_id: 'f1', arrive_by: '2026-12-10T02:00:00+00:00', visited_at: 'x', checkin_status: 'far' });
  assert.deepEqual(bodyOfPlan({ ...PLAN, depart_at: '2026-12-10T01:00:00+00:00' }, [appointment]).stops,
    [{ customer_id: 'e', followup_id: 'f1', arrive_by: '2026-12-10T02:00:00+00:00', duration_min: 30 }]);
  assert.equal(bodyOfPlan({ ...PLAN, depart_at: '2026-12-10T01:00:00+00:00' }).depart_at, '2026-12-10T01:00:00+00:00');
  // a new plan from the picker: saved places by name, a picked customer without a length
  assert.deepEqual(planBody({ start: { place: 'home' }, end: { place: 'office', lat: 1 }, stops: [{ customer_id: 'a', customer: { name: 'A' } }] }),
    { start: { place: 'home' }, end: { place: 'office' }, stops: [{ customer_id: 'a' }] });
});

test('today\'s follow-ups with a time are fixed appointments, visits and meetings first', () => {
  const c = (id) => ({ id, name: id });
  const list = appointmentCandidates([
    { id: 'f1', action: 'call', due_at: '2026-12-10T01:00:00Z', customer: c('x') },
    { id: 'f2', action: 'visit', due_at: '2026-12-10T06:00:00Z', customer: c('y') },
    { id: 'f3', action: 'meeting', due_at: '2026-12-10T02:00:00Z', customer: c('z') },
    { id: 'f4', action: 'visit', due_at: '2026-12-10T02:00:00Z', customer: null },
    { id: 'pending-1', action: 'visit', due_at: '2026-12-10T02:00:00Z', customer: c('q') },
  ]);
  assert.deepEqual(list.map((s) => [s.followup_id, s.customer_id, s.arrive_by]), [
    ['f3', 'z', '2026-12-10T02:00:00Z'], ['f2', 'y', '2026-12-10T06:00:00Z'], ['f1', 'x', '2026-12-10T01:00:00Z']]);
});

test('navigate: one leg, Google Maps on Android, Apple Maps on iOS, Amap or Baidu in Chinese', () => {
  const to = { lat: 31.2304, lng: 121.4737, label: '华东茶叶 & Co' };
  assert.equal(legLink(to, { platform: 'android', locale: 'en' }),
    'https://www.google.com/maps/dir/?api=1&destination=31.2304,121.4737&travelmode=driving');
  assert.equal(legLink(to, { platform: 'other', locale: 'en' }),
    'https://www.google.com/maps/dir/?api=1&destination=31.2304,121.4737&travelmode=driving');
  assert.equal(legLink(to, { platform: 'ios', locale: 'en' }), 'https://maps.apple.com/?daddr=31.2304,121.4737&dirflg=d');
  const name = encodeURIComponent('华东茶叶 & Co');
  for (const platform of ['android', 'ios']) {
    assert.equal(legLink(to, { platform, locale: 'zh-CN' }),
      `https://uri.amap.com/navigation?to=121.4737,31.2304,${name}&mode=car&coordinate=wgs84&callnative=1&src=fieldline`);
  }
  assert.equal(legLink(to, { platform: 'android', locale: 'zh-CN', china: 'baidu' }),
    `https://api.map.baidu.com/direction?destination=latlng:31.2304,121.4737|name:${name}&mode=driving&coord_type=wgs84&output=html&src=fieldline`);
  // no coordinates: the address, as the card's Navigate does; nothing at all: no link
  assert.equal(legLink({ address: '88 Zhongshan Rd', city: 'Shanghai' }, { platform: 'android' }),
    'geo:0,0?q=88%20Zhongshan%20Rd%2C%20Shanghai');
  assert.equal(legLink({ lat: null, lng: null }, { platform: 'ios', locale: 'zh-CN' }), null);
});

test('the next stop is the first not done; done by the server or by a visit waiting to be sent', () => {
  const stops = [serverStop('a', { visited_at: '2026-12-10T01:10:00+00:00', checkin_status: 'verified' }),
    serverStop('b', { unplanned: 'no_fit' }), serverStop('c'), serverStop('d')];
  assert.equal(currentIndex(stops), 2); // b could not be fitted: c is next
  const visit = { method: 'POST', url: '/api/v1/activities', body: { kind: 'visit', customer_id: 'c', occurred_at: '2026-12-10T11:00:00+08:00' } };
  const other = { method: 'POST', url: '/api/v1/activities', body: { kind: 'call', customer_id: 'd', occurred_at: '2026-12-10T11:00:00+08:00' } };
  const yesterday = { ...visit, body: { ...visit.body, customer_id: 'd', occurred_at: '2026-12-09T23:00:00+08:00' } };
  const plan = shownPlan({ ...PLAN, stops }, [visit, other, yesterday], DAY, localDay);
  assert.deepEqual(plan.stops.map((s) => Boolean(s.queued_visit)), [false, false, true, false]);
  assert.equal(currentIndex(plan.stops), 3);
  assert.equal(currentIndex([serverStop('a', { visited_at: 'x' })]), -1); // all done
});

test('an order set offline shows from the outbox, its times out of date until sent', () => {
  const put = { method: 'PUT', url: planUrl(DAY), body: bodyOfPlan(PLAN, moveStop(PLAN.stops, 0, 3)) };
  assert.equal(queuedPlan([put], '2026-12-11'), null);
  assert.equal(queuedPlan([put], DAY), put);
  const plan = shownPlan(PLAN, [put], DAY, localDay);
  assert.deepEqual(plan.stops.map((s) => s.customer_id), ['b', 'c', 'd', 'a']);
  assert.equal(plan.stops[3].customer.name, 'Stop a'); // the stored stop, names and all
  assert.ok(plan.stale && plan.queued);
  const fresh = shownPlan(PLAN, [], DAY, localDay);
  assert.ok(!fresh.stale && !fresh.queued);
  assert.equal(shownPlan(null, [put], DAY, localDay), null);
});

test('nearby customers nearest first from the phone\'s position; overdue ones most overdue first', () => {
  const here = { lat: 31.2304, lng: 121.4737 };
  const customers = [
    { id: 'far', name: 'A far', lat: 31.30, lng: 121.4737 },
    { id: 'near', name: 'Z near', lat: 31.2314, lng: 121.4737, visit_overdue: true, visit_due_on: '2026-12-01' },
    { id: 'none', name: 'No location', lat: null, lng: null, visit_due_on: '2026-11-01' },
    { id: 'zero', name: 'Null island', lat: 0, lng: 0 },
    { id: 'picked', name: 'Picked', lat: 31.2304, lng: 121.4737 },
  ];
  const picked = new Set(['picked']);
  assert.deepEqual(nearbyCandidates(customers, here, picked).map((c) => [c.id, c.distance_m]), [
    ['near', 111], ['far', distanceMetres(here, { lat: 31.30, lng: 121.4737 })]]);
  assert.deepEqual(nearbyCandidates(customers, null, picked).map((c) => c.id), ['far', 'near']); // by name
  assert.deepEqual(overdueCandidates(customers, '2026-12-10', picked).map((c) => c.id), ['none', 'near']);
  assert.deepEqual(overdueCandidates(customers, '2026-11-01', picked).map((c) => c.id), ['near']);
});

test('the phone keeps the plans of the latest seven dates', () => {
  let plans = {};
  for (let d = 1; d <= 9; d += 1) plans = withPlan(plans, { date: `2026-12-0${d}`, stops: [] });
  assert.deepEqual(Object.keys(plans), ['2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06', '2026-12-07', '2026-12-08', '2026-12-09']);
  assert.equal(withPlan(plans, { date: '2026-12-09', version: 2 })['2026-12-09'].version, 2);
});
