// Server data with the changes still in the outbox applied, so a screen shows what
// the rep did at once (optimistic), online or not. Pure functions, tested with node --test.

import { totalOf } from './money.js';

const ACTIVITY_URL = /^\/api\/v1\/activities\/([0-9a-f-]{36})$/i;

/** The open follow-up that a queued "log activity" with `next` will create. */
function pendingFollowup(item) {
  const b = item.body;
  return {
    id: b.next.id || `pending-${item.key}`,
    kind: 'task',
    action: b.next.kind,
    due_at: b.next.due_at,
    done_at: null,
    notes: b.next.note || null,
    customer_id: b.customer_id,
    contact_id: b.contact_id || null,
    customer: item.meta.customer || null,
    contact: item.meta.contact || null,
    version: 0,
    _queued: item.status,
  };
}

function pendingActivity(item) {
  const b = item.body;
  return {
    id: b.id,
    kind: b.kind,
    action: null,
    customer_id: b.customer_id,
    contact_id: b.contact_id || null,
    occurred_at: b.occurred_at,
    outcome: b.outcome || null,
    notes: b.notes || null,
    duration_seconds: b.duration_seconds ?? null,
    location: b.location || null,
    distance_m: null,
    _queued: item.status,
  };
}

/**
 * Apply queued changes to a list of open follow-ups: done ones vanish,
 * rescheduled ones move, follow-ups being created appear (flagged _queued).
 */
export function applyToFollowups(followups, items, { customerId = null } = {}) {
  let list = followups.map((f) => ({ ...f }));
  for (const item of items) {
    const m = ACTIVITY_URL.exec(item.url);
    if (item.method === 'PATCH' && m) {
      const id = m[1].toLowerCase();
      if (item.body && item.body.done_at) list = list.filter((f) => f.id !== id);
      else if (item.body && item.body.due_at) {
        list = list.map((f) => (f.id === id ? { ...f, due_at: item.body.due_at, _queued: item.status } : f));
      }
    } else if (item.method === 'DELETE' && m) {
      list = list.filter((f) => f.id !== m[1].toLowerCase());
    } else if (item.method === 'POST' && item.url === '/api/v1/activities' && item.body) {
      if (item.body.completes_id) list = list.filter((f) => f.id !== item.body.completes_id);
      if (item.body.next && (!customerId || item.body.customer_id === customerId)) {
        list.push(pendingFollowup(item));
      }
    }
  }
  return list.sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
}

/**
 * The agenda with queued changes applied. `sectionOf(dueDate)` says which
 * section ('overdue', 'today', 'upcoming' or null) a due time belongs to.
 */
export function applyToAgenda(agenda, items, sectionOf) {
  const names = ['overdue', 'today', 'upcoming'];
  const all = applyToFollowups(
    names.flatMap((n) => (agenda[n] || []).map((f) => ({ ...f, _section: n }))),
    items,
  );
  const out = { ...agenda, counts: { ...(agenda.counts || {}) } };
  for (const n of names) {
    const before = (agenda[n] || []).length;
    out[n] = all.filter((f) => (f._queued ? sectionOf(new Date(f.due_at)) : f._section) === n);
    out.counts[n] = Math.max(0, (out.counts[n] ?? before) + out[n].length - before);
  }
  return out;
}

/** A customer's timeline with activities still in the queue on top, newest first. */
export function applyToTimeline(timeline, items, customerId) {
  const queued = items
    .filter((i) => i.method === 'POST' && i.url === '/api/v1/activities' && i.body?.customer_id === customerId)
    .map(pendingActivity);
  const ids = new Set(queued.map((a) => a.id));
  return [...queued, ...timeline.filter((a) => !ids.has(a.id))].sort(
    (a, b) => Date.parse(b.occurred_at) - Date.parse(a.occurred_at),
  );
}

/** Customers being created, as list entries flagged _queued. */
export function queuedCustomers(items) {
  return items
    .filter((i) => i.method === 'POST' && i.url === '/api/v1/customers' && i.body)
    .map((i) => ({ tags: [], status: 'prospect', ...i.body, _queued: i.status }));
}

/** New deals (for one customer, or all) waiting in the outbox, shaped like the API's list items. */
export function queuedDeals(items, customerId = null) {
  return items
    .filter((i) => i.method === 'POST' && i.url === '/api/v1/opportunities' && i.body &&
      (customerId === null || i.body.customer_id === customerId))
    .map((i) => ({ status: 'open', amount: null, ...i.body, _queued: i.status }));
}

/** New leads waiting in the outbox, shaped like the API's leads (no score yet). */
export function queuedLeads(items, me) {
  return items
    .filter((i) => i.method === 'POST' && i.url === '/api/v1/leads' && i.body)
    .map((i) => {
      const { pool, ...lead } = i.body;
      return { status: 'open', score: null, owner_id: pool ? null : me.id, owner_name: pool ? null : me.name, ...lead, _queued: i.status };
    });
}

const CLAIM_URL = /^\/api\/v1\/expenses\/([0-9a-f-]{36})(?:\/(submit|receipts))?$/i;

/**
 * Claims as the outbox will leave them: creates not yet sent appear (flagged _queued),
 * queued edits and submits are applied, queued receipts are counted.
 */
export function applyToClaims(claims, items) {
  const byId = new Map(claims.map((c) => [c.id, { ...c }]));
  for (const item of items) {
    if (item.method === 'POST' && item.url === '/api/v1/expenses' && item.body?.id) {
      const old = byId.get(item.body.id);
      byId.set(item.body.id, {
        status: 'draft', step: null, receipts: [], ...old, ...item.body,
        total: totalOf(item.body.items || []), _queued: item.status, _new: !old,
      });
      continue;
    }
    const m = CLAIM_URL.exec(item.url || '');
    if (!m) continue;
    const id = m[1].toLowerCase();
    const claim = byId.get(id);
    if (!claim) continue;
    if (item.method === 'PATCH' && item.body) {
      Object.assign(claim, item.body, item.body.items ? { total: totalOf(item.body.items) } : {}, { _queued: item.status });
    } else if (item.method === 'DELETE' && !m[2]) {
      byId.delete(id);
    } else if (m[2] === 'submit') {
      Object.assign(claim, { status: 'pending', step: claim.step || null, _queued: item.status });
    } else if (m[2] === 'receipts' && item.form) {
      claim.queued_receipts = (claim.queued_receipts || 0) + 1;
    }
  }
  return [...byId.values()].sort((a, b) => (b.created_at || '9').localeCompare(a.created_at || '9'));
}

const CUSTOMER_URL = /^\/api\/v1\/customers\/([0-9a-f-]{36})$/i;
const CONTACT_URL = /^\/api\/v1\/contacts\/([0-9a-f-]{36})$/i;

/**
 * A customer's card with its queued edits applied: its own changes (edit, pin) and
 * its contacts added, changed or removed. What the outbox still holds is flagged
 * `_queued` ('pending' or 'failed') on the customer or on the contact.
 */
export function applyToCustomer(customer, items) {
  const c = { ...customer, contacts: (customer.contacts || []).map((x) => ({ ...x })) };
  for (const item of items) {
    const own = CUSTOMER_URL.exec(item.url || '');
    if (item.method === 'PATCH' && own && own[1].toLowerCase() === c.id && item.body) {
      Object.assign(c, item.body, { _queued: item.status === 'failed' ? 'failed' : c._queued || 'pending' });
      continue;
    }
    if (item.method === 'POST' && item.url === '/api/v1/contacts' && item.body?.customer_id === c.id) {
      c.contacts = c.contacts.filter((x) => x.id !== item.body.id);
      c.contacts.push({ title: null, role: null, reports_to_id: null, ...item.body, _queued: item.status });
      continue;
    }
    const m = CONTACT_URL.exec(item.url || '');
    const contact = m && c.contacts.find((x) => x.id === m[1].toLowerCase());
    if (!contact) continue;
    if (item.method === 'PATCH' && item.body) Object.assign(contact, item.body, { _queued: item.status });
    else if (item.method === 'DELETE' && item.status !== 'failed') c.contacts = c.contacts.filter((x) => x !== contact);
    else if (item.method === 'DELETE') contact._queued = 'failed';
  }
  return c;
}
