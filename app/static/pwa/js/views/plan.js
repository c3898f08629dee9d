// Plan my day: pick today's stops, optimise their order on the server, then drive them
// one leg at a time. The plan is kept on the phone (IndexedDB) and shows offline; an
// order changed offline goes through the outbox (PUT with If-Match) when back online;
// optimising needs the network, and the button says so.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle, toast, refusal } from '../lib/sheets.js';
import { send } from '../lib/sync.js';
import { allCustomers, kv } from '../lib/db.js';
import { localDate } from '../lib/time.js';
import { keepPlan, keptPlan } from '../lib/plan-store.js';
import {
  DEFAULT_VISIT_MIN, appointmentCandidates, bodyOfPlan, currentIndex, draftOf, moveStop,
  nearbyCandidates, overdueCandidates, planBody, planUrl, queuedPlan, shownPlan,
} from '../lib/plan.js';
import { backLink } from '../components/page-head.js';
import { picker, pointOf } from '../components/plan-picker.js';
import { bindMoves, nextCard, stopList, totals, unfitted } from '../components/plan-stops.js';
import { openLog } from '../components/log-sheet.js';
import { ICON } from '../components/icons.js';

export const live = true;

let shown = null; // {page, date, plan, mode: 'view' | 'pick', draft, ctx, busy, moving}
let listening = false;

const localDay = (d) => localDate(d, zone());
const versionTag = (v) => `"${v}"`;

function planOnScreen() {
  const plan = shownPlan(shown.plan, state.queued, shown.date, localDay);
  if (plan && shown.moving) return { ...plan, stops: shown.moving, stale: true };
  return plan;
}

function head() {
  const day = new Intl.DateTimeFormat(state.locale, { timeZone: zone(), weekday: 'long', month: 'long', day: 'numeric' }).format(new Date());
  return html`<header class="page-head row">${backLink('/today')}
    <div class="head-text"><h1>${t('plan.title')}</h1><p class="sub">${day}</p></div></header>`;
}

function viewMode(plan) {
  const next = plan.stops[currentIndex(plan.stops)];
  const done = plan.stops.filter((s) => s.visited_at || s.queued_visit).length;
  return html`${!state.online && html`<p class="stale" role="status">${t('plan.offline_kept')}</p>`}
    ${plan.queued && html`<p class="queued-note">${t('plan.order_queued')}</p>`}
    ${nextCard(next)}
    ${totals(plan)}
    ${unfitted(plan)}
    <section><h2>${t('plan.stops')} <span class="count">${t('plan.done_of', { done, n: plan.stops.length })}</span></h2>
      ${stopList(plan)}
      <p class="hint">${t('plan.reorder_hint')}</p></section>
    <div class="plan-bar">
      <button class="btn btn-primary btn-block" type="button" data-reoptimise ${state.online && !shown.busy ? '' : html`disabled`}>
        ${!state.online ? t('plan.optimise_needs_network') : t(plan.optimised_at ? 'plan.reoptimise' : 'plan.optimise')}</button>
      <button class="btn btn-block" type="button" data-edit-stops>${ICON.edit}${t('plan.edit_stops')}</button>
    </div>`;
}

function pickMode() {
  const { draft, ctx } = shown;
  const picked = new Set(draft.stops.map((s) => s.customer_id));
  const today = localDay(new Date());
  return html`${picker(draft, {
    ...ctx,
    online: state.online,
    busy: shown.busy,
    canStart: Boolean(pointOf(draft.start, ctx.position)),
    overdue: overdueCandidates(ctx.customers, today, picked),
    nearby: nearbyCandidates(ctx.customers, ctx.position, picked),
  })}
  ${shown.plan?.stops?.length ? html`<button class="btn btn-quiet btn-block" type="button" data-cancel-pick>${t('common.cancel')}</button>` : ''}`;
}

function paint() {
  const { page } = shown;
  if (!page.isConnected) return;
  const plan = planOnScreen();
  let body;
  if (shown.mode === 'pick') body = pickMode();
  else if (plan) body = viewMode(plan);
  else if (shown.failed) body = html`<div class="empty-state"><p>${t(shown.failed)}</p></div>`;
  else body = html`<div class="skeleton"></div><div class="skeleton"></div>`;
  mount(page, html`${head()}<div class="plan-body" data-mode="${shown.mode || 'loading'}">${body}</div><div class="fab-space"></div>`);
}

// ---- Reading -------------------------------------------------------------------

async function load() {
  const res = await api(`/plans/${shown.date}`);
  if (res.ok && !res.offline) {
    shown.plan = res.data;
    keepPlan(res.data).catch(() => {});
  } else if (!shown.plan) {
    shown.failed = res.offline || res.status === 0 ? 'plan.offline_none' : 'common.error';
  }
  return res;
}

function locate() {
  const geo = globalThis.navigator?.geolocation;
  if (!geo) return Promise.resolve(null);
  return new Promise((resolve) => geo.getCurrentPosition(
    (p) => resolve({ lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)), accuracy: p.coords.accuracy }),
    () => resolve(null),
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
  ));
}

async function places() {
  const res = await api('/me/places');
  if (res.ok && !res.offline) {
    kv.set('places', res.data).catch(() => {});
    return res.data;
  }
  return (await kv.get('places').catch(() => null)) || { home: null, office: null };
}

const near = (a, b) => a && b && Math.abs(a.lat - b.lat) < 1e-5 && Math.abs(a.lng - b.lng) < 1e-5;

/** Which start or end choice a stored point is. */
function choiceOf(point, saved, none) {
  if (!point) return none;
  return near(point, saved.home) ? 'home' : near(point, saved.office) ? 'office' : 'here';
}

async function startPicking() {
  shown.mode = 'pick';
  shown.ctx = { places: { home: null, office: null }, position: null, locating: true, appointments: [], customers: [], defaultMin: DEFAULT_VISIT_MIN };
  const plan = shown.plan;
  shown.draft = { start: 'here', end: 'none', stops: plan?.stops?.length ? draftOf(plan) : [] };
  paint();
  const [saved, settings, agenda, customers] = await Promise.all([
    places(), api('/settings'), api(`/agenda?date=${shown.date}`), allCustomers().catch(() => []),
  ]);
  const appointments = appointmentCandidates(agenda.ok ? agenda.data.today : []);
  Object.assign(shown.ctx, {
    places: saved, appointments, customers,
    defaultMin: (settings.ok && settings.data?.visit_duration_min) || DEFAULT_VISIT_MIN,
  });
  if (plan?.stops?.length) {
    shown.draft.start = choiceOf(plan.start, saved, 'here');
    shown.draft.end = choiceOf(plan.end, saved, 'none');
  } else {
    // A new plan: the appointments at a customer's are in it already.
    shown.draft.stops = appointments.filter((a) => ['visit', 'meeting'].includes(a.action));
  }
  paint();
  shown.ctx.position = await locate();
  shown.ctx.locating = false;
  if (!shown.ctx.position && shown.draft.start === 'here') shown.draft.start = saved.home ? 'home' : saved.office ? 'office' : 'here';
  paint();
}

// ---- Writing -------------------------------------------------------------------

function guard() {
  // Only the first PUT waiting carries If-Match; those behind it are this rep's next steps.
  return queuedPlan(state.queued, shown.date) ? {} : { 'If-Match': versionTag(shown.plan?.version || 0) };
}

/** PUT the plan through the outbox: resolves the server's plan, 'queued' or null (refused). */
async function save(body) {
  const result = await send({
    method: 'PUT', url: planUrl(shown.date), body, headers: guard(),
    meta: { type: 'plan', title: shown.date },
  }, { alive: () => shown.page.isConnected });
  if (result.state === 'refused') {
    toast(refusal(result.error), { alert: true });
    if (result.error?.status === 412) await load();
    return null;
  }
  if (result.state === 'queued') return 'queued';
  const plan = result.data?.stops ? result.data : (await load()).data;
  shown.plan = plan;
  keepPlan(plan).catch(() => {});
  return plan;
}

async function optimise() {
  const res = await api(`/plans/${shown.date}/optimise`, { method: 'POST', headers: { 'If-Match': versionTag(shown.plan.version) } });
  if (!res.ok) {
    toast(res.offline ? t('plan.optimise_needs_network') : refusal(res.data), { alert: true });
    return false;
  }
  shown.plan = res.data;
  keepPlan(res.data).catch(() => {});
  const left = res.data.unplanned.length;
  toast(left ? t('plan.optimised_unfitted', { n: left }) : t('plan.optimised'));
  return true;
}

async function busy(fn) {
  if (shown.busy) return;
  shown.busy = true;
  paint();
  try {
    await fn();
  } finally {
    shown.busy = false;
    paint();
  }
}

function draftBody() {
  const { draft, ctx } = shown;
  return planBody({
    start: pointOf(draft.start, ctx.position),
    end: pointOf(draft.end, ctx.position),
    stops: draft.stops,
  });
}

async function submitDraft(thenOptimise) {
  const saved = await save(draftBody());
  if (!saved) return;
  if (saved === 'queued') {
    shown.mode = 'view';
    toast(t('toast.saved_offline'));
    // Nothing stored yet: the stops as picked, their times to come from the server.
    const stops = shown.draft.stops.map((s) => ({ ...s, duration_min: s.duration_min || shown.ctx.defaultMin, eta: null }));
    shown.plan = { ...(shown.plan || { version: 0, date: shown.date, unplanned: [] }), stops };
    return;
  }
  // The picker stays (busy) until the order is back: no glimpse of the unordered plan.
  if (thenOptimise) await optimise();
  shown.mode = 'view';
}

async function reoptimise() {
  const plan = planOnScreen();
  const position = await locate();
  // Mid-day the day goes on from where the rep is: the start is the current position.
  const start = pointOf('here', position);
  const underway = plan.stops.some((s) => s.visited_at) || (plan.leave_at && new Date(plan.leave_at) < new Date());
  if (start && underway) {
    const saved = await save(bodyOfPlan({ ...plan, start }));
    if (!saved || saved === 'queued') return;
  }
  await optimise();
}

async function move(from, to) {
  const plan = planOnScreen();
  if (to < 0 || to >= plan.stops.length || from === to) return;
  const stops = moveStop(plan.stops, from, to);
  shown.moving = stops;
  paint();
  try {
    const saved = await save(bodyOfPlan(plan, stops));
    if (saved === 'queued') toast(t('plan.order_saved_offline'));
  } finally {
    shown.moving = null;
    paint();
  }
}

function pickAction(target) {
  const { draft, ctx } = shown;
  const el = (sel) => target.closest(sel);
  if (el('[data-add]')) {
    const c = ctx.customers.find((x) => x.id === el('[data-add]').dataset.add);
    if (c) draft.stops.push({ customer_id: c.id, customer: c });
  } else if (el('[data-remove]')) {
    draft.stops.splice(Number(el('[data-remove]').dataset.remove), 1);
  } else if (el('[data-appointment]')) {
    const id = el('[data-appointment]').dataset.appointment;
    const i = draft.stops.findIndex((s) => s.followup_id === id);
    if (i >= 0) draft.stops.splice(i, 1);
    else draft.stops.push(ctx.appointments.find((a) => a.followup_id === id));
  } else if (el('[data-save-place]')) {
    return savePlace(el('[data-save-place]').dataset.savePlace);
  } else if (el('[data-optimise]')) {
    return busy(() => submitDraft(true));
  } else if (el('[data-save-order]')) {
    return busy(() => submitDraft(false));
  } else if (el('[data-cancel-pick]')) {
    shown.mode = 'view';
  } else return null;
  return paint();
}

async function savePlace(kind) {
  const p = shown.ctx.position;
  const body = { [kind]: { lat: p.lat, lng: p.lng, label: t(`plan.place.${kind}`) } };
  const res = await api('/me/places', { method: 'PATCH', body });
  if (!res.ok) return toast(res.offline ? t('plan.places_need_network') : refusal(res.data), { alert: true });
  shown.ctx.places = res.data;
  kv.set('places', res.data).catch(() => {});
  toast(t(`plan.saved_${kind}`));
  return paint();
}

function bind(page) {
  page.addEventListener('click', (event) => {
    if (shown.mode === 'pick') return pickAction(event.target);
    const plan = planOnScreen();
    if (event.target.closest('[data-reoptimise]')) return busy(reoptimise);
    if (event.target.closest('[data-edit-stops]')) return startPicking();
    if (event.target.closest('[data-log-visit]')) {
      const stop = plan.stops[currentIndex(plan.stops)];
      return openLog({ customer: stop.customer, kind: 'visit', onSaved: () => load().then(paint) });
    }
    return null;
  });
  page.addEventListener('change', (event) => {
    const { draft } = shown;
    if (event.target.name === 'start' || event.target.name === 'end') draft[event.target.name] = event.target.value;
    if (event.target.dataset.duration) draft.stops[Number(event.target.dataset.duration)].duration_min = Number(event.target.value);
    paint();
  });
  bindMoves(page, (from, to) => shown.mode === 'view' && move(from, to));
}

export function onQueue() {
  if (shown?.page.isConnected) paint();
}

export async function show(page) {
  setTitle(t('plan.title'));
  if (shown?.page === page) {
    // Redrawn after a sync: the plan again, the rep's picking left as it is.
    await load();
    return paint();
  }
  shown = { page, date: localDay(new Date()), plan: null, mode: null, draft: null, ctx: null, busy: false, moving: null };
  bind(page);
  if (!listening) {
    listening = true;
    for (const name of ['online', 'offline']) window.addEventListener(name, () => shown?.page.isConnected && paint());
  }
  shown.plan = await keptPlan(shown.date).catch(() => null);
  if (shown.plan) shown.mode = 'view';
  paint();
  await load();
  if (!page.isConnected) return null;
  // No plan yet (none on the server, or offline with none on the phone): pick the stops;
  // offline they are saved in the order picked and go with the outbox.
  const none = shown.plan ? !shown.plan.stops.length : shown.failed === 'plan.offline_none';
  if (none && !queuedPlan(state.queued, shown.date)) return startPicking();
  if (shown.plan) shown.mode = shown.mode || 'view';
  return paint();
}
