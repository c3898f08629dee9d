// Visit cadence as the card says it: from the server's `visit_due_on` (a date in the
// owner's timezone, derived from the last visit and the customer's interval) and today.
// Pure functions (node tests).

import { parseDate } from './time.js';

function dayNumber(ymd) {
  const { year, month, day } = parseDate(ymd);
  return Date.UTC(year, month - 1, day) / 86400000;
}

/**
 * null when the server gave no due date, else {overdue, days, every, visited}: `days`
 * from today to the due date (negative: overdue by that many), `every` the interval in
 * force (the customer's own or the company default), `visited` whether it ever was.
 */
export function visitStatus(customer, today) {
  const due = customer?.visit_due_on;
  if (!due || !today) return null;
  const days = dayNumber(due) - dayNumber(today);
  return {
    overdue: customer.visit_overdue ?? days < 0,
    days,
    every: customer.effective_visit_interval_days ?? null,
    visited: Boolean(customer.last_visit_at),
  };
}
