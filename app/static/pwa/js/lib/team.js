// The team home's rules, without a browser (who lands on Team is the router's): which
// attainment line the ring shows, each rep's pace (from the team home, or the attainment
// report while the home has none), their order, and the ring's arcs.

export const PACES = ['ahead', 'on_track', 'behind', 'no_target'];

/** The month the ring shows: "2026-12" in the reader's timezone. */
export function thisMonth(now, tz) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(now);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}`;
}

/** The teams a reader looks after: a lead, the ones they lead; managers and admins, all. */
export function teamsFor(me, teams) {
  return me.role === 'lead' ? teams.filter((team) => team.lead_id === me.id) : teams;
}

const hasTarget = (item) => item && item.value !== null && item.value !== undefined;

/**
 * The ring's line of an attainment report (GET /reports/attainment): a team's target
 * (the one asked for, else the first team with one), else null ("no target set").
 * Won amount first, then the other metrics in the report's order. A 404 or an error
 * (report null) is no target too.
 */
export function teamTarget(report, teamId = null) {
  const items = (report?.items || []).filter((i) => i.team_id && hasTarget(i));
  const mine = teamId ? items.filter((i) => i.team_id === teamId) : items;
  const pick = mine.length ? mine : items;
  return pick.find((i) => i.metric === 'won_amount') || pick[0] || null;
}

/** A person's own line (the rep's day, their Today card): won amount first. */
export function ownerTarget(report, ownerId) {
  const items = (report?.items || []).filter((i) => i.owner_id === ownerId && hasTarget(i));
  return items.find((i) => i.metric === 'won_amount') || items[0] || null;
}

/**
 * The rows with their pace: the home's own, or (while the home says "no_target") the
 * rep's line of the attainment report; ranked ahead, on track, behind, no target, then
 * by attainment, then the busiest today, then by name.
 */
export function rankedReps(reps, report, locale = 'en') {
  const rows = (reps || []).map((rep) => {
    if (rep.pace !== 'no_target') return rep;
    const line = ownerTarget(report, rep.owner_id);
    return line ? { ...rep, pace: line.pace || 'no_target', attainment_percent: line.percent } : rep;
  });
  return rows.sort((a, b) => PACES.indexOf(a.pace) - PACES.indexOf(b.pace)
    || (b.attainment_percent ?? -1) - (a.attainment_percent ?? -1)
    || b.activities_today - a.activities_today
    || a.owner_name.localeCompare(b.owner_name, locale));
}

const number = (v) => (v === null || v === undefined ? 0 : Number(v));

/**
 * The ring's two arcs as fractions of the circle (0..1): actual against the target
 * (capped at a full turn; past it the text says so), and where the expected-to-date mark
 * sits.
 */
export function ringParts(item) {
  const target = number(item?.value);
  if (!target) return { actual: 0, expected: 0, over: false };
  const actual = number(item.actual) / target;
  return { actual: Math.min(Math.max(actual, 0), 1), expected: Math.min(Math.max(number(item.expected_to_date) / target, 0), 1), over: actual > 1 };
}

/** The stroke-dasharray of an arc covering ``fraction`` of a circle of radius ``r``. */
export function arc(fraction, r) {
  const length = 2 * Math.PI * r;
  return `${(fraction * length).toFixed(2)} ${length.toFixed(2)}`;
}
