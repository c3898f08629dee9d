import { test } from 'node:test';
import assert from 'node:assert/strict';
import { visitStatus } from '../../app/static/pwa/js/lib/visits.js';

test('a visit due later, overdue, or never planned', () => {
  const c = { visit_due_on: '2026-12-10', effective_visit_interval_days: 14, last_visit_at: '2026-11-26T02:00:00+00:00' };
  assert.deepEqual(visitStatus(c, '2026-12-02'), { overdue: false, days: 8, every: 14, visited: true });
  assert.deepEqual(visitStatus({ ...c, visit_due_on: '2026-11-28' }, '2026-12-02'),
    { overdue: true, days: -4, every: 14, visited: true });
  // the server's word wins (it knows the owner's today)
  assert.equal(visitStatus({ ...c, visit_overdue: true }, '2026-12-02').overdue, true);
  assert.equal(visitStatus({ ...c, last_visit_at: null }, '2026-12-02').visited, false);
  assert.equal(visitStatus({ name: 'no cadence' }, '2026-12-02'), null);
  // across a month and a year end
  assert.equal(visitStatus({ visit_due_on: '2027-01-02' }, '2026-12-31').days, 2);
});
