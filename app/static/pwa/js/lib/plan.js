// A day plan on the phone: the stops a rep picks, the body a save sends, the order a drag
// makes, which stop is next, and what waits in the outbox. Pure functions (the server's
// plan read and the outbox items are passed in), so node tests them.

/** The company's default visit length when the settings cannot be read. */
export const DEFAULT_VISIT_MIN = 30;

/** Who may look at others' plans: leads (their teams), managers and admins (anyone). */
export const PLAN_READERS = ['lead', 'manager', 'admin'];

/** The plan's URL for a local date, as the outbox keeps it. */
export const planUrl = (date) => `/api/v1/plans/${date}`;

/** `stops` with the one at `from` moved to `to` (both clamped to the list). */
export function moveStop(stops, from, to) {
  const list = [...stops];
  if (from < 0 || from >= list.length) return list;
  const target = Math.max(0, Math.min(list.length - 1, to));
  const [moved] = list.splice(from, 1);
  list.splice(target, 0, moved);
  return list;
}

/**
 * Where a row dragged from `from` lands: after every other row whose middle (`middles`,
 * the rows' vertical centres, in order) is above the pointer's `y`.
 */
export function dropIndex(middles, y, from) {
  return middles.filter((middle, i) => i !== from && middle < y).length;
}

/** What PUT takes of a stop: the fields the rep chose, never the server's figures. */
export function stopInput(stop) {
  const body = { customer_id: stop.customer_id };
  if (stop.followup_id) body.followup_id = stop.followup_id;
  if (stop.arrive_by) body.arrive_by = stop.arrive_by;
  if (stop.duration_min) body.duration_min = stop.duration_min;
  return body;
}

/** What PUT takes of a start or end: a saved place, a point, or null. */
export function pointInput(point) {
  if (!point) return null;
  if (point.place) return { place: point.place };
  const body = { lat: point.lat, lng: point.lng };
  if (point.label) body.label = point.label;
  return body;
}

/** The whole plan a PUT replaces the day's with (PUT replaces the plan whole). */
export function planBody({ start = null, end = null, depart_at: departAt = null, stops = [] }) {
  const body = { start: pointInput(start), end: pointInput(end), stops: stops.map(stopInput) };
  if (departAt) body.depart_at = departAt;
  return body;
}

/** The body that keeps a stored plan as it is, with `stops` in a new order if given. */
export function bodyOfPlan(plan, stops = plan.stops) {
  return planBody({ start: plan.start, end: plan.end, depart_at: plan.depart_at, stops });
}

/** A fixed appointment from one of today's follow-ups: a stop that starts by its due time. */
export function appointmentStop(followup) {
  return {
    customer_id: followup.customer.id,
    customer: followup.customer,
    followup_id: followup.id,
    arrive_by: followup.due_at,
    action: followup.action,
  };
}

/** Today's follow-ups that can be stops (a customer to go to), visits and meetings first. */
export function appointmentCandidates(today) {
  const atCustomer = (f) => (['visit', 'meeting'].includes(f.action) ? 0 : 1);
  return (today || [])
    .filter((f) => f.customer && f.due_at && !String(f.id).startsWith('pending-'))
    .sort((a, b) => atCustomer(a) - atCustomer(b) || a.due_at.localeCompare(b.due_at))
    .map(appointmentStop);
}

/** Metres between two {lat, lng} (haversine, as the server measures). */
export function distanceMetres(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * 6371008.8 * Math.asin(Math.sqrt(h)));
}

const located = (c) => Number.isFinite(Number(c.lat)) && Number.isFinite(Number(c.lng)) &&
  c.lat !== null && c.lng !== null && !(Number(c.lat) === 0 && Number(c.lng) === 0);

/**
 * Customers on the phone with coordinates, not already picked: nearest first from
 * `position` ({lat, lng}) when the phone knows it (each with `distance_m`), else by name.
 */
export function nearbyCandidates(customers, position, picked = new Set(), limit = 8) {
  const list = customers.filter((c) => located(c) && !picked.has(c.id) && !c.deleted_at);
  if (position) {
    return list.map((c) => ({ ...c, distance_m: distanceMetres(position, { lat: Number(c.lat), lng: Number(c.lng) }) }))
      .sort((a, b) => a.distance_m - b.distance_m).slice(0, limit);
  }
  return list.sort((a, b) => String(a.name).localeCompare(String(b.name))).slice(0, limit);
}

/** Customers on the phone whose visit is overdue on `today` (YYYY-MM-DD), most overdue first. */
export function overdueCandidates(customers, today, picked = new Set(), limit = 8) {
  const due = (c) => c.visit_due_on || null;
  return customers
    .filter((c) => !picked.has(c.id) && !c.deleted_at && (c.visit_overdue === true || (due(c) && due(c) < today)))
    .sort((a, b) => String(due(a) || '').localeCompare(String(due(b) || '')))
    .slice(0, limit);
}

/** A queued PUT of this plan (an order set offline), if one waits: the latest. */
export function queuedPlan(items, date) {
  const url = planUrl(date);
  return [...(items || [])].reverse().find((i) => i.method === 'PUT' && i.url === url) || null;
}

/** Customer ids with a visit logged on `date` that waits in the outbox (`localDay` turns a time into its date). */
export function queuedVisits(items, date, localDay) {
  return new Set((items || [])
    .filter((i) => i.method === 'POST' && i.url === '/api/v1/activities' && i.body?.kind === 'visit' &&
      i.body.occurred_at && localDay(new Date(i.body.occurred_at)) === date)
    .map((i) => i.body.customer_id));
}

/**
 * The plan as the phone shows it: the server's (or the stored) plan with the order a
 * queued PUT sends (its ETAs are then out of date: `stale`), and the stops whose visit
 * waits in the outbox marked done (`queued_visit`).
 */
export function shownPlan(plan, items, date, localDay) {
  if (!plan) return null;
  let stops = plan.stops.map((s) => ({ ...s }));
  let stale = false;
  const pending = queuedPlan(items, date);
  if (pending) {
    const left = [...stops];
    stops = pending.body.stops.map((input) => {
      const i = left.findIndex((s) => s.customer_id === input.customer_id && (s.followup_id || null) === (input.followup_id || null));
      return i >= 0 ? left.splice(i, 1)[0] : { ...input, customer: { id: input.customer_id, name: '' }, eta: null };
    });
    stale = true;
  }
  const visits = queuedVisits(items, date, localDay);
  for (const s of stops) if (!s.visited_at && visits.has(s.customer_id)) s.queued_visit = true;
  return { ...plan, stops, stale, queued: Boolean(pending) };
}

export const isDone = (stop) => Boolean(stop.visited_at || stop.queued_visit);

/** The stop the rep goes to next: the first in order not done (and planned), else -1. */
export function currentIndex(stops) {
  const open = stops.findIndex((s) => !isDone(s) && !s.unplanned);
  return open >= 0 ? open : stops.findIndex((s) => !isDone(s));
}

/** The plan's stops as the picker holds them, to change the day's stops. */
export function draftOf(plan) {
  return plan.stops.map((s) => ({
    customer_id: s.customer_id,
    customer: s.customer,
    followup_id: s.followup_id || null,
    arrive_by: s.arrive_by || null,
    duration_min: s.duration_min || null,
  }));
}
