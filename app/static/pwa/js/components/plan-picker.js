// Picking a day's stops: where the day starts and ends (where I am, home, office), today's
// appointments (follow-ups with a time: fixed), customers whose visit is overdue and
// customers nearby with one tap each, and a visit length per stop.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { formatTime } from '../lib/time.js';
import { describeDistance } from '../lib/place.js';
import { ICON } from './icons.js';

export const DURATIONS = [15, 20, 30, 45, 60, 90, 120];
const ENDS = { start: ['here', 'home', 'office'], end: ['none', 'here', 'home', 'office'] };

/** The start or end a choice sends: a saved place, where the phone is, or none (null). */
export function pointOf(choice, position, now = new Date()) {
  if (choice === 'home' || choice === 'office') return { place: choice };
  if (choice === 'here' && position) {
    return { lat: position.lat, lng: position.lng, label: t('plan.here_label', { time: formatTime(now, state.locale, zone()) }) };
  }
  return null;
}

function endChips(which, draft, places, position) {
  const usable = (c) => (c === 'here' ? Boolean(position) : c === 'none' || Boolean(places[c]));
  return html`<div class="chips small" role="radiogroup" aria-label="${t(`plan.${which}`)}">${ENDS[which].map((c) => html`<label class="chip">
    <input type="radio" name="${which}" value="${c}" ${draft[which] === c ? html`checked` : ''} ${usable(c) ? '' : html`disabled`} />
    <span>${t(`plan.place.${c}`)}</span></label>`)}</div>`;
}

function placesBlock(draft, { places, position, locating }) {
  return html`<section class="card plan-ends">
    <div class="end-row"><span class="end-label">${t('plan.start')}</span>${endChips('start', draft, places, position)}</div>
    <div class="end-row"><span class="end-label">${t('plan.end')}</span>${endChips('end', draft, places, position)}</div>
    <p class="hint">${locating ? t('plan.locating') : position ? t('plan.position_ok', { m: Math.round(position.accuracy || 0) }) : t('plan.position_off')}</p>
    ${position && html`<div class="row-buttons save-place">
      <button class="btn btn-small btn-quiet" type="button" data-save-place="home">${ICON.pin}${t('plan.save_home')}</button>
      <button class="btn btn-small btn-quiet" type="button" data-save-place="office">${ICON.pin}${t('plan.save_office')}</button>
    </div>`}
  </section>`;
}

function durationSelect(stop, index, defaultMin) {
  const value = stop.duration_min || defaultMin;
  return html`<label class="duration"><span class="sr-only">${t('plan.visit_length')}</span>
    <select data-duration="${index}" aria-label="${t('plan.visit_length_of', { name: stop.customer?.name || '' })}">${DURATIONS.map((m) =>
      html`<option value="${m}" ${m === value ? html`selected` : ''}>${t('plan.visit_min', { n: m })}</option>`)}</select></label>`;
}

function pickedList(draft, defaultMin) {
  if (!draft.stops.length) return html`<p class="empty">${t('plan.no_stops')}</p>`;
  return html`<ol class="list picked-stops">${draft.stops.map((s, i) => html`<li class="cand-row" data-picked="${i}">
    <span class="stop-no" aria-hidden="true">${i + 1}</span>
    <span class="row-main"><strong>${s.customer?.name || ''}</strong>
      ${s.arrive_by && html`<span class="meta appt">${ICON.later}${t('plan.appointment', { time: formatTime(new Date(s.arrive_by), state.locale, zone()) })}</span>`}</span>
    ${durationSelect(s, i, defaultMin)}
    <button class="icon-btn" type="button" data-remove="${i}" aria-label="${t('plan.remove', { name: s.customer?.name || '' })}">${ICON.close}</button>
  </li>`)}</ol>`;
}

function candidateRow(c, why) {
  const far = c.distance_m != null ? describeDistance(c.distance_m, state.locale)?.text : null;
  return html`<li class="cand-row"><span class="row-main"><strong>${c.name}</strong>
      <span class="meta">${[why, far, c.city].filter(Boolean).join(' · ')}</span></span>
    <button class="btn btn-small" type="button" data-add="${c.id}">${ICON.add}${t('plan.add')}</button></li>`;
}

function appointmentRows(appointments, picked) {
  if (!appointments.length) return html`<p class="empty">${t('plan.no_appointments')}</p>`;
  return html`<ul class="list">${appointments.map((a) => {
    const on = picked.has(a.followup_id);
    return html`<li class="cand-row"><span class="kind-icon k-${a.action || 'task'}">${ICON[a.action] || ICON.task}</span>
      <span class="row-main"><strong>${a.customer.name}</strong>
        <span class="meta">${t(`action.${a.action || 'task'}`)} · ${formatTime(new Date(a.arrive_by), state.locale, zone())}</span></span>
      <button class="btn btn-small${on ? ' btn-primary' : ''}" type="button" data-appointment="${a.followup_id}" aria-pressed="${on ? 'true' : 'false'}">
        ${on ? html`${ICON.done}${t('plan.in_plan')}` : html`${ICON.add}${t('plan.add')}`}</button></li>`;
  })}</ul>`;
}

/**
 * The picker. draft: {start, end, stops}; options: places {home, office}, position
 * ({lat, lng, accuracy} or null), appointments, overdue, nearby (candidates), online,
 * defaultMin, busy.
 */
export function picker(draft, o) {
  const inPlan = new Set(draft.stops.map((s) => s.followup_id).filter(Boolean));
  return html`${placesBlock(draft, o)}
    <section><h2>${t('plan.appointments')}</h2>${appointmentRows(o.appointments, inPlan)}</section>
    <section><h2>${t('plan.stops')} <span class="count">${draft.stops.length}</span></h2>${pickedList(draft, o.defaultMin)}</section>
    <section><h2>${t('plan.overdue')}</h2>
      ${o.overdue.length ? html`<ul class="list">${o.overdue.map((c) => candidateRow(c, t('plan.overdue_since', { date: c.visit_due_on || '' })))}</ul>`
        : html`<p class="empty">${t('plan.no_overdue')}</p>`}</section>
    <section><h2>${t(o.position ? 'plan.nearby' : 'plan.with_location')}</h2>
      ${o.nearby.length ? html`<ul class="list">${o.nearby.map((c) => candidateRow(c, null))}</ul>`
        : html`<p class="empty">${t('plan.no_nearby')}</p>`}</section>
    <div class="plan-bar">
      ${!o.online && html`<p class="offline-note" role="status">${t('plan.optimise_offline')}</p>`}
      <button class="btn btn-primary btn-block" type="button" data-optimise ${!o.online || o.busy || !draft.stops.length || !o.canStart ? html`disabled` : ''}>
        ${!o.online ? t('plan.optimise_needs_network') : o.busy ? t('plan.optimising') : t('plan.optimise')}</button>
      <button class="btn btn-block btn-quiet" type="button" data-save-order ${o.busy || !draft.stops.length ? html`disabled` : ''}>${t('plan.save_order')}</button>
    </div>`;
}
