import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileRoutes, matchRoute, redirectFor, homeFor } from '../../app/static/pwa/js/lib/router.js';
import { arc, ownerTarget, rankedReps, ringParts, teamTarget, thisMonth } from '../../app/static/pwa/js/lib/team.js';

const table = JSON.parse(readFileSync(new URL('../../app/static/pwa/js/lib/routes.json', import.meta.url), 'utf8'));
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('leads and managers land on Team; reps, admins and the rest keep Today', () => {
  assert.equal(homeFor('lead'), '/team');
  assert.equal(homeFor('manager'), '/team');
  for (const role of ['rep', 'admin', 'finance', 'cashier', undefined]) assert.equal(homeFor(role), '/today');
  assert.equal(redirectFor('/', { signedIn: true, authLost: false, role: 'lead' }), '/team');
  assert.equal(redirectFor('/signin', { signedIn: true, authLost: false, role: 'manager' }), '/team');
  assert.equal(redirectFor('/', { signedIn: true, authLost: false, role: 'rep' }), '/today');
  assert.equal(redirectFor('/today', { signedIn: true, authLost: false, role: 'lead' }), '/today');
  assert.equal(redirectFor('/', { signedIn: false, authLost: false, role: 'lead' }), '/signin');
  const routes = compileRoutes(table);
  assert.deepEqual(matchRoute(routes, '/team'), { view: 'team', tab: 'team', fn: 'show', params: [] });
  assert.deepEqual(matchRoute(routes, `/team/reps/${ID}`), { view: 'team', tab: 'team', fn: 'showRep', params: [ID] });
});

const row = (name, extra = {}) => ({ owner_id: name, owner_name: name, pace: 'no_target', attainment_percent: null,
  activities_today: 0, visits_this_week: 0, overdue_followups: 0, stale_deals: 0, ...extra });

test('reps rank by pace, then attainment, then today, then name; the report fills in a missing pace', () => {
  const reps = [row('Chen'), row('An', { activities_today: 3 }), row('Bo'), row('Di', { pace: 'behind', attainment_percent: 20 })];
  const report = { items: [{ metric: 'won_amount', owner_id: 'Bo', value: '100.00', percent: 80, pace: 'ahead' },
    { metric: 'visits', owner_id: 'Chen', value: null, percent: null, pace: 'no_target' }] };
  assert.deepEqual(rankedReps(reps, report).map((r) => [r.owner_name, r.pace, r.attainment_percent]), [
    ['Bo', 'ahead', 80], ['Di', 'behind', 20], ['An', 'no_target', null], ['Chen', 'no_target', null]]);
  assert.deepEqual(rankedReps(reps, null).map((r) => r.owner_name), ['Di', 'An', 'Bo', 'Chen']);
});

test("the ring shows a team's won amount first, and nothing without a target", () => {
  const items = [
    { metric: 'visits', team_id: 'T1', value: 40 },
    { metric: 'won_amount', team_id: 'T1', value: '1000.00', actual: '250.00', expected_to_date: '500.00' },
    { metric: 'won_amount', team_id: 'T2', value: null },
    { metric: 'won_amount', owner_id: 'me', value: '300.00' },
  ];
  assert.equal(teamTarget({ items }, 'T1').metric, 'won_amount');
  assert.equal(teamTarget({ items }, 'T2').team_id, 'T1'); // T2 has none: the first team with one
  assert.equal(teamTarget({ items: items.slice(2) }), null);
  assert.equal(teamTarget(null), null);
  assert.equal(ownerTarget({ items }, 'me').value, '300.00');
  assert.deepEqual(ringParts(items[1]), { actual: 0.25, expected: 0.5, over: false });
  assert.deepEqual(ringParts({ value: '10', actual: '15', expected_to_date: '12' }), { actual: 1, expected: 1, over: true });
  assert.deepEqual(ringParts({ value: null }), { actual: 0, expected: 0, over: false });
  assert.equal(arc(0.5, 10), `${(Math.PI * 10).toFixed(2)} ${(Math.PI * 20).toFixed(2)}`);
});

test("this month is the reader's month", () => {
  const at = new Date('2026-11-30T17:30:00Z');
  assert.equal(thisMonth(at, 'Asia/Shanghai'), '2026-12');
  assert.equal(thisMonth(at, 'America/New_York'), '2026-11');
});
