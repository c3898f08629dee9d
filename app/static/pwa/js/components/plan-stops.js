// A day plan's stops in order, as a rep drives them: the next stop on top with one-tap
// Navigate (one leg at a time), Call and Log visit; each stop with its ETA or, once
// visited, when and how it was checked in; the stops that could not be fitted and why.
// Reordered by dragging a row's handle (pointer events) or by its up and down buttons.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { formatTime } from '../lib/time.js';
import { describeDistance, legLink, platformOf, telLink } from '../lib/place.js';
import { currentIndex, dropIndex, isDone } from '../lib/plan.js';
import { ICON } from './icons.js';

const time = (iso) => (iso ? formatTime(new Date(iso), state.locale, zone()) : '');
const km = (m) => describeDistance(m, state.locale)?.text || '';

/** "25 min" / "1 h 5 min" / "25分钟" for minutes of driving or of a day. */
export function minutes(n) {
  const unit = (v, u) => new Intl.NumberFormat(state.locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(v);
  const h = Math.floor(n / 60);
  const parts = [h && unit(h, 'hour'), (n % 60 || !h) && unit(n % 60, 'minute')].filter(Boolean);
  return parts.join(state.locale.startsWith('zh') ? '' : ' ');
}

/** The links of one leg to `stop`: the maps app for the platform (and Baidu beside Amap in Chinese). */
export function legLinks(stop) {
  const c = stop.customer || {};
  const to = { ...c, label: c.name };
  const opts = { platform: platformOf(globalThis.navigator?.userAgent), locale: state.locale };
  const main = legLink(to, opts);
  const baidu = state.locale.startsWith('zh') && c.lat != null ? legLink(to, { ...opts, china: 'baidu' }) : null;
  return { main, baidu };
}

function checkin(stop) {
  if (stop.queued_visit) return html`<span class="badge ck-queued">${t('plan.done_queued')}</span>`;
  const status = stop.checkin_status || 'unverified';
  return html`<span class="badge ck-${status}">${t(`plan.checkin.${status}`)}</span>`;
}

function when(stop, stale) {
  if (stop.visited_at) return t('plan.done_at', { time: time(stop.visited_at) });
  if (stop.queued_visit) return t('plan.done');
  if (stop.unplanned) return t(`plan.unplanned.${stop.unplanned}`);
  if (stale || !stop.eta) return t('plan.eta_pending');
  return t('plan.eta', { time: time(stop.eta) });
}

function stopRow(stop, index, { current, count, readOnly, stale }) {
  const done = isDone(stop);
  const late = stop.late && !done && !stale;
  let leg = '';
  if (!stale && stop.distance_m != null && !done) {
    leg = stop.travel_min ? t('plan.leg', { distance: km(stop.distance_m), time: minutes(stop.travel_min) }) : km(stop.distance_m);
  }
  const cls = ['stop', done && 'done', index === current && 'current', stop.unplanned && 'unplanned'].filter(Boolean).join(' ');
  return html`<li class="${cls}" data-index="${index}">
    ${!readOnly && html`<span class="drag" data-drag aria-hidden="true">⋮⋮</span>`}
    <span class="stop-no" aria-hidden="true">${done ? ICON.done : index + 1}</span>
    <div class="stop-main">
      <a class="stop-name" href="/customers/${stop.customer_id}">${stop.customer?.name || '…'}</a>
      <p class="stop-when${late ? ' late' : ''}">${when(stop, stale)}${done && html` ${checkin(stop)}`}</p>
      <p class="meta">${[
        stop.arrive_by && t('plan.appointment', { time: time(stop.arrive_by) }),
        late && t('plan.late'),
        t('plan.visit_min', { n: stop.duration_min || 0 }),
        leg,
      ].filter(Boolean).join(' · ')}</p>
    </div>
    ${!readOnly && html`<span class="stop-move">
      <button class="icon-btn" type="button" data-up aria-label="${t('plan.move_up', { name: stop.customer?.name || '' })}" ${index === 0 ? html`disabled` : ''}>↑</button>
      <button class="icon-btn" type="button" data-down aria-label="${t('plan.move_down', { name: stop.customer?.name || '' })}" ${index === count - 1 ? html`disabled` : ''}>↓</button>
    </span>`}
  </li>`;
}

/** The card of the stop to go to now, with its one-tap actions. */
export function nextCard(stop, { readOnly = false } = {}) {
  if (!stop) return html`<section class="card next-stop all-done"><p>${ICON.done}<strong>${t('plan.all_done')}</strong></p></section>`;
  const { main, baidu } = legLinks(stop);
  const tel = telLink(stop.customer?.phone_e164);
  const blank = (href) => (href && href.startsWith('https:') ? html`target="_blank" rel="noopener"` : '');
  return html`<section class="card next-stop" data-next="${stop.customer_id}">
    <p class="next-label">${t('plan.next')}</p>
    <p class="next-name">${stop.customer?.name || ''}</p>
    <p class="meta">${[stop.eta && t('plan.eta', { time: time(stop.eta) }), stop.arrive_by && t('plan.appointment', { time: time(stop.arrive_by) }),
      stop.customer?.address].filter(Boolean).join(' · ')}</p>
    ${!readOnly && html`<div class="actions">
      ${main && html`<a class="act act-nav" data-navigate href="${main}" ${blank(main)}>${ICON.navigate}<span>${t('plan.navigate')}</span></a>`}
      ${baidu && html`<a class="act" data-navigate-baidu href="${baidu}" ${blank(baidu)}>${ICON.navigate}<span>${t('plan.baidu')}</span></a>`}
      ${tel && html`<a class="act" href="${tel}">${ICON.call}<span>${t('act.call')}</span></a>`}
      <button class="act act-log" type="button" data-log-visit>${ICON.visit}<span>${t('plan.log_visit')}</span></button>
    </div>`}
  </section>`;
}

/** The ordered stops; `readOnly` (a lead looking) drops the handles and buttons. */
export function stopList(plan, { readOnly = false } = {}) {
  const stops = plan.stops;
  const current = currentIndex(stops);
  return html`<ol class="stops card" data-stops>${stops.map((s, i) =>
    stopRow(s, i, { current, count: stops.length, readOnly, stale: plan.stale }))}</ol>`;
}

/** Moves in `root`'s stop list: up/down buttons and a drag of the handle call onMove(from, to). */
export function bindMoves(root, onMove) {
  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-up], [data-down]');
    if (!button) return;
    const from = Number(button.closest('[data-index]').dataset.index);
    onMove(from, from + (button.hasAttribute('data-up') ? -1 : 1));
  });
  root.addEventListener('pointerdown', (event) => {
    const handle = event.target.closest('[data-drag]');
    if (!handle) return;
    event.preventDefault();
    const row = handle.closest('[data-index]');
    const rows = [...row.parentElement.children];
    const from = rows.indexOf(row);
    const middles = rows.map((r) => { const b = r.getBoundingClientRect(); return b.top + b.height / 2; });
    const startY = event.clientY;
    handle.setPointerCapture?.(event.pointerId);
    row.classList.add('dragging');
    const move = (e) => { row.style.transform = `translateY(${e.clientY - startY}px)`; };
    const end = (e) => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', end);
      handle.removeEventListener('pointercancel', end);
      row.classList.remove('dragging');
      row.style.transform = '';
      const to = e.type === 'pointerup' ? dropIndex(middles, middles[from] + e.clientY - startY, from) : from;
      if (to !== from) onMove(from, to);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', end);
    handle.addEventListener('pointercancel', end);
  });
}

/** The plan's totals: distance, driving, the day from leaving to done. */
export function totals(plan) {
  if (plan.stale) return html`<p class="plan-totals stale-totals">${t('plan.totals_pending')}</p>`;
  if (plan.total_distance_m == null) return html``;
  return html`<dl class="plan-totals card">
    <div><dt>${t('plan.total_distance')}</dt><dd>${km(plan.total_distance_m)}</dd></div>
    <div><dt>${t('plan.total_driving')}</dt><dd>${minutes(plan.total_travel_min || 0)}</dd></div>
    <div><dt>${t('plan.day_span')}</dt><dd><span class="nw">${time(plan.leave_at)}</span>–<span class="nw">${time(plan.finish_at)}</span></dd></div>
  </dl>`;
}

/** How many stops it could not fit (each says why in the list). */
export function unfitted(plan) {
  const n = plan.unplanned?.length || 0;
  if (!n || plan.stale) return html``;
  return html`<p class="unfitted-note" role="status">${t('plan.unfitted', { n })}</p>`;
}
