// The Targets screen's rules, without a browser: which months it offers, whether a month
// is locked, what a typed figure means, and the top-down picture of one team and metric
// (the team's target beside each member's, what the members add up to, and whether that
// differs from the team's), with the changes still waiting in the outbox laid over the
// server's answer so the screen shows what the lead did, sent or not.

import { fromCents, toCents } from './money.js';
import { thisMonth } from './team.js';

export const METRICS = ['won_amount', 'collected_amount', 'new_customers', 'visits', 'activities'];
export const MONEY_METRICS = ['won_amount', 'collected_amount'];

export const isMoney = (metric) => MONEY_METRICS.includes(metric);

/** "2026-12" moved by ``n`` months ("2027-01" for n = 1). */
export function addMonths(month, n) {
  const index = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The months a lead picks from: this one, the next, then the three before this one. */
export function monthChoices(now, tz) {
  const current = thisMonth(now, tz);
  return [0, 1, -1, -2, -3].map((n) => ({ month: addMonths(current, n), offset: n }));
}

/** A month before the company's current one, once an administrator locks closed months. */
export function isLocked(settings, month, now) {
  if (!settings?.lock_closed_months) return false;
  return month < thisMonth(now, settings.timezone || 'Asia/Shanghai');
}

/**
 * What was typed, as the API takes it: money as "42000.00" (commas allowed, at most two
 * places), a count as a whole number; '' is "none" (null); anything else is undefined
 * (not a figure: the screen says so before sending).
 */
export function parseFigure(text, metric) {
  const typed = String(text ?? '').trim().replace(/[,，\s]/g, '');
  if (typed === '') return null;
  if (isMoney(metric)) {
    const cents = toCents(typed);
    return cents === null ? undefined : fromCents(cents);
  }
  return /^\d{1,9}$/.test(typed) ? Number(typed) : undefined;
}

/** A figure as a whole number to add and compare: cents for money, the count otherwise. */
export function units(value, metric) {
  if (value === null || value === undefined) return null;
  return isMoney(metric) ? toCents(String(value)) : Number(value);
}

const fromUnits = (n, metric) => (isMoney(metric) ? fromCents(n) : n);

/** The outbox's subject key of a target: "team:<id>:won_amount:2026-12". */
export function subjectKey(kind, id, metric, month) {
  return `${kind}:${id}:${metric}:${month}`;
}

/** The latest queued change to each target subject (meta.type "target"). */
function queuedBySubject(queued) {
  const found = new Map();
  for (const item of queued || []) if (item.meta?.type === 'target' && item.meta.subject) found.set(item.meta.subject, item);
  return found;
}

function row(kind, id, name, item, stored, waiting, metric) {
  let value = item?.value ?? stored?.value ?? null;
  let stretch = item?.stretch ?? stored?.stretch ?? null;
  // A change the server refused is not laid over: the row shows what the server holds.
  const applies = waiting && waiting.status !== 'failed';
  if (applies) {
    if (waiting.method === 'DELETE') {
      value = null;
      stretch = null;
    } else {
      value = waiting.body?.value ?? value;
      if (waiting.body && 'stretch' in waiting.body) stretch = waiting.body.stretch;
    }
  }
  // The record to change: the server's, else the one a queued POST is creating.
  const created = applies && waiting.method === 'POST' ? { id: waiting.body.id, version: null } : null;
  const target = applies && waiting.method === 'DELETE' ? null : stored || created;
  return {
    kind, id, name, value, stretch, set: value !== null,
    actual: item?.actual ?? (isMoney(metric) ? '0.00' : 0),
    target, // {id, version} or null: nothing to change or remove
    waiting: waiting ? waiting.status : null, // 'pending' | 'failed' | null
    error: waiting?.status === 'failed' ? waiting.error : null,
  };
}

/**
 * One team's top-down picture for a month and metric, from GET /reports/attainment
 * (?team_id=&metric=: the team's items and its members'), GET /targets (the stored
 * records, for their id and version) and the outbox. Money in one currency: the team's
 * (its first item's). Members in the report's order (by name).
 *
 * ``sum``: the members' targets added up (null when none is set); ``mismatch``: the team
 * has a target and the members do not add up to it; ``difference``: members minus team.
 * From the report while nothing waits to be sent; counted here (exactly: cents) when
 * something does, so a change made offline shows its effect at once.
 */
export function topDown({ report, targets = [], queued = [], teamId, teamName = '', metric, month }) {
  const items = (report?.items || []).filter((i) => i.metric === metric);
  const teamItem = items.find((i) => i.team_id === teamId) || null;
  const currency = isMoney(metric) ? teamItem?.currency || items.find((i) => i.currency)?.currency || null : null;
  const same = (i) => !isMoney(metric) || !currency || i.currency === currency;
  const storedOf = (field, id) => targets.find((tg) => tg[field] === id && tg.metric === metric &&
    tg.period === month && (!isMoney(metric) || !currency || tg.currency === currency)) || null;
  const waiting = queuedBySubject(queued);
  const team = row('team', teamId, teamItem?.team_name || teamName, teamItem, storedOf('team_id', teamId),
    waiting.get(subjectKey('team', teamId, metric, month)), metric);
  const seen = new Set();
  const members = [];
  for (const item of items) {
    if (!item.owner_id || seen.has(item.owner_id) || !same(item)) continue;
    seen.add(item.owner_id);
    members.push(row('owner', item.owner_id, item.owner_name, item, storedOf('owner_id', item.owner_id),
      waiting.get(subjectKey('owner', item.owner_id, metric, month)), metric));
  }
  const local = team.waiting || members.some((m) => m.waiting);
  let sum;
  if (local || !teamItem) {
    const set = members.filter((m) => m.set);
    sum = set.length ? fromUnits(set.reduce((n, m) => n + units(m.value, metric), 0), metric) : null;
  } else {
    sum = teamItem.members_sum ?? null;
  }
  const mismatch = local || !teamItem ? team.set && units(sum, metric) !== units(team.value, metric) : Boolean(teamItem.mismatch);
  const difference = mismatch ? fromUnits((units(sum, metric) ?? 0) - units(team.value, metric), metric) : null;
  return { currency, team, members, sum, mismatch, difference, notSet: members.filter((m) => !m.set).length };
}
