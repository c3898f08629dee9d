// The Targets screen's rules (lib/targets.js): months offered, locking, typed figures,
// and the top-down picture with what waits in the outbox laid over the server's answer.
import test from 'node:test';
import assert from 'node:assert/strict';
import { addMonths, isLocked, monthChoices, parseFigure, subjectKey, topDown, units } from '../../app/static/pwa/js/lib/targets.js';
import { teamsFor } from '../../app/static/pwa/js/lib/team.js';

const TEAM = 't-east';

function item(fields) {
  return { metric: 'won_amount', owner_id: null, owner_name: null, team_id: null, team_name: null, currency: 'CNY',
    value: null, stretch: null, actual: '0.00', members_sum: null, mismatch: false, ...fields };
}

const report = {
  items: [
    item({ team_id: TEAM, team_name: 'East', value: '100000.00', members_sum: '90000.00', mismatch: true }),
    item({ owner_id: 'u1', owner_name: '王伟', value: '50000.00', stretch: '60000.00', actual: '12000.00' }),
    item({ owner_id: 'u2', owner_name: '李娜', value: '40000.00' }),
    item({ owner_id: 'u3', owner_name: 'Zhou' }),
    item({ metric: 'visits', owner_id: 'u1', owner_name: '王伟', currency: null, value: 40, actual: 7 }),
  ],
};
const targets = [
  { id: 'tg-team', version: 2, metric: 'won_amount', period: '2026-12', team_id: TEAM, owner_id: null, currency: 'CNY', value: '100000.00' },
  { id: 'tg-u1', version: 1, metric: 'won_amount', period: '2026-12', team_id: null, owner_id: 'u1', currency: 'CNY', value: '50000.00' },
  { id: 'tg-u2', version: 1, metric: 'won_amount', period: '2026-12', team_id: null, owner_id: 'u2', currency: 'CNY', value: '40000.00' },
];
const base = { report, targets, teamId: TEAM, metric: 'won_amount', month: '2026-12' };

test('months: this one, the next, then the three before, across a year end, in the company timezone', () => {
  assert.equal(addMonths('2026-12', 1), '2027-01');
  assert.equal(addMonths('2026-01', -1), '2025-12');
  assert.equal(addMonths('2026-03', -15), '2024-12');
  // 31 Dec 17:00 UTC is already 1 January in Shanghai.
  const now = new Date('2026-12-31T17:00:00Z');
  assert.deepEqual(monthChoices(now, 'Asia/Shanghai').map((m) => m.month), ['2027-01', '2027-02', '2026-12', '2026-11', '2026-10']);
  assert.deepEqual(monthChoices(now, 'UTC').map((m) => [m.month, m.offset])[0], ['2026-12', 0]);
});

test('a month is locked only when closed months are, and only before the current one', () => {
  const now = new Date('2026-12-02T03:00:00Z');
  const settings = { lock_closed_months: true, timezone: 'Asia/Shanghai' };
  assert.equal(isLocked(settings, '2026-11', now), true);
  assert.equal(isLocked(settings, '2026-12', now), false);
  assert.equal(isLocked(settings, '2027-01', now), false);
  assert.equal(isLocked({ ...settings, lock_closed_months: false }, '2026-11', now), false);
  assert.equal(isLocked(null, '2020-01', now), false);
  // Still 30 November in Los Angeles: November is the current month there.
  assert.equal(isLocked({ ...settings, timezone: 'America/Los_Angeles' }, '2026-11', new Date('2026-12-01T03:00:00Z')), false);
});

test('typed figures: money as two-place strings (commas allowed), counts as whole numbers, blank is none', () => {
  assert.equal(parseFigure('50,000', 'won_amount'), '50000.00');
  assert.equal(parseFigure(' 1234.5 ', 'collected_amount'), '1234.50');
  assert.equal(parseFigure('', 'won_amount'), null);
  assert.equal(parseFigure('12.345', 'won_amount'), undefined);
  assert.equal(parseFigure('-5', 'won_amount'), undefined);
  assert.equal(parseFigure('40', 'visits'), 40);
  assert.equal(parseFigure('4.5', 'visits'), undefined);
  assert.equal(parseFigure('1e3', 'activities'), undefined);
  assert.equal(units('0.10', 'won_amount') + units('0.20', 'won_amount'), 30);
});

test('top-down from the report: the team beside its members, "not set" counted, the mismatch as the report says', () => {
  const p = topDown(base);
  assert.equal(p.currency, 'CNY');
  assert.equal(p.team.value, '100000.00');
  assert.deepEqual(p.team.target, targets[0]);
  assert.deepEqual(p.members.map((m) => [m.name, m.value, m.set]), [['王伟', '50000.00', true], ['李娜', '40000.00', true], ['Zhou', null, false]]);
  assert.equal(p.members[0].stretch, '60000.00');
  assert.equal(p.members[0].actual, '12000.00');
  assert.equal(p.members[2].target, null);
  assert.equal(p.notSet, 1);
  assert.equal(p.sum, '90000.00');
  assert.equal(p.mismatch, true);
  assert.equal(p.difference, '-10000.00');
  // Counts: another metric's items, no currency.
  const visits = topDown({ ...base, metric: 'visits' });
  assert.equal(visits.currency, null);
  assert.deepEqual(visits.members.map((m) => [m.name, m.value]), [['王伟', 40]]);
  assert.equal(visits.team.set, false);
  assert.equal(visits.mismatch, false);
  assert.equal(visits.sum, 40);
});

test('a change waiting in the outbox shows at once, and the sum and the warning are counted here', () => {
  const queued = [{ method: 'POST', status: 'pending', body: { id: 'new-u3', value: '10000.00', stretch: null },
    meta: { type: 'target', subject: subjectKey('owner', 'u3', 'won_amount', '2026-12') } }];
  const p = topDown({ ...base, queued });
  const zhou = p.members[2];
  assert.deepEqual([zhou.value, zhou.set, zhou.waiting], ['10000.00', true, 'pending']);
  assert.deepEqual(zhou.target, { id: 'new-u3', version: null }); // a change goes to the record being created
  assert.equal(p.sum, '100000.00');
  assert.equal(p.mismatch, false);
  assert.equal(p.notSet, 0);
  // Removing the team's target offline: the team shows "not set", nothing to mismatch.
  const removed = topDown({ ...base, queued: [{ method: 'DELETE', status: 'pending', meta: { type: 'target', subject: subjectKey('team', TEAM, 'won_amount', '2026-12') } }] });
  assert.deepEqual([removed.team.set, removed.team.target, removed.mismatch], [false, null, false]);
  // A refused change keeps the server's reason for the row, not its figure; another month's change does not count.
  const refused = topDown({ ...base, queued: [
    { method: 'PATCH', status: 'failed', error: { status: 409, message: 'closed' }, body: { value: '45000.00' },
      meta: { type: 'target', subject: subjectKey('owner', 'u2', 'won_amount', '2026-12') } },
    { method: 'PATCH', status: 'pending', body: { value: '1.00' }, meta: { type: 'target', subject: subjectKey('owner', 'u1', 'won_amount', '2027-01') } },
  ] });
  assert.equal(refused.members[1].waiting, 'failed');
  assert.equal(refused.members[1].error.status, 409);
  assert.equal(refused.members[1].value, '40000.00'); // what the server holds, marked "Not saved"
  assert.equal(refused.members[0].value, '50000.00');
  assert.equal(refused.sum, '90000.00');
  assert.equal(refused.difference, '-10000.00');
});

test('no member target at all against a team target is a mismatch with no sum; a lead sees only their teams', () => {
  const bare = { items: [item({ team_id: TEAM, team_name: 'East', value: '100.00', mismatch: true }), item({ owner_id: 'u1', owner_name: 'A' })] };
  const p = topDown({ ...base, report: bare, targets: [] });
  assert.deepEqual([p.sum, p.mismatch, p.difference], [null, true, '-100.00']);
  const teams = [{ id: 'a', lead_id: 'me' }, { id: 'b', lead_id: 'other' }];
  assert.deepEqual(teamsFor({ role: 'lead', id: 'me' }, teams).map((x) => x.id), ['a']);
  assert.equal(teamsFor({ role: 'manager', id: 'me' }, teams).length, 2);
});
