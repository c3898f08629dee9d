// The day plans kept on the phone (IndexedDB's kv store, wiped at sign-out with the rest):
// the last plan read or saved for each of the most recent dates, so a plan shows offline.

import { kv } from './db.js';

const KEY = 'plans';
const KEEP_DAYS = 7;

/** `plans` ({date: plan}) with `plan` in, and only the latest KEEP_DAYS dates. */
export function withPlan(plans, plan) {
  const all = { ...(plans || {}), [plan.date]: plan };
  const dates = Object.keys(all).sort().slice(-KEEP_DAYS);
  return Object.fromEntries(dates.map((d) => [d, all[d]]));
}

export async function keptPlan(date) {
  return ((await kv.get(KEY)) || {})[date] || null;
}

export async function keepPlan(plan) {
  if (!plan?.date) return;
  await kv.set(KEY, withPlan(await kv.get(KEY), plan));
}
