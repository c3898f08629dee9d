// "Near me" from the book on the phone: distances, filters and order. Pure functions,
// so the list is the same online and offline (the server's /customers/near only
// refreshes the open follow-up counts).

export const EARTH_RADIUS_M = 6371000; // as the server's activities.distance_m
export const RADII_M = [1000, 5000, 20000];
export const STATUSES = ['prospect', 'active', 'inactive'];
export const SEGMENTS = ['champion', 'loyal', 'at risk', 'new', 'dormant'];

/** Great-circle metres between two {lat, lng} (haversine). */
export function distanceM(a, b) {
  const rad = (d) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

export function isPlaced(c) {
  return Number.isFinite(c?.lat) && Number.isFinite(c?.lng);
}

/**
 * Visit overdue, when the server says so: `visit_overdue`, else `visit_due_on` (a
 * YYYY-MM-DD) before `today`. A book synced before visit cadence existed has neither.
 */
export function isOverdue(c, today) {
  if (typeof c.visit_overdue === 'boolean') return c.visit_overdue;
  return typeof c.visit_due_on === 'string' && c.visit_due_on < today;
}

/** Whether any customer carries the visit cadence fields (else the filter is not offered). */
export function knowsVisits(customers) {
  return customers.some((c) => c.visit_overdue !== undefined || c.visit_due_on !== undefined);
}

/** filters: {overdue, followup, segment, status}; a falsy entry does not filter. */
export function matches(c, filters, today) {
  if (filters.overdue && !isOverdue(c, today)) return false;
  if (filters.followup && !(c.open_followups > 0)) return false;
  if (filters.segment && c.rfm_segment !== filters.segment) return false;
  if (filters.status && c.status !== filters.status) return false;
  return true;
}

/**
 * The list: with a position, the placed customers within `radiusM`, nearest first, each
 * with `distance_m`; without one (denied, unavailable), every matching customer by name.
 */
export function nearList(customers, { position = null, radiusM = RADII_M[1], filters = {}, today = '', locale = 'en' } = {}) {
  const kept = customers.filter((c) => !c.deleted && matches(c, filters, today));
  if (!position) {
    return kept.map((c) => ({ ...c, distance_m: null })).sort((a, b) => (a.name || '').localeCompare(b.name || '', locale));
  }
  return kept
    .filter(isPlaced)
    .map((c) => ({ ...c, distance_m: distanceM(position, c) }))
    .filter((c) => c.distance_m <= radiusM)
    .sort((a, b) => a.distance_m - b.distance_m || String(a.id).localeCompare(String(b.id)));
}

/** The chip's label: "1 km", "20 km" (or "1公里"). */
export function radiusLabel(metres, locale) {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilometer', maximumFractionDigits: 0 }).format(metres / 1000);
}
