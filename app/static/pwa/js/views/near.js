// Near me: the rep's customers around where they stand, nearest first, as a list or a
// map. Computed from the book on the phone (lib/near.js), so it works offline the same;
// online it also refreshes the open follow-up counts from /customers/near.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { allCustomers, applyBookItems } from '../lib/db.js';
import { onBookSynced } from '../lib/book-sync.js';
import { nearList, knowsVisits, isOverdue, RADII_M, SEGMENTS, STATUSES, radiusLabel } from '../lib/near.js';
import { describeDistance, telLink } from '../lib/place.js';
import { localDate } from '../lib/time.js';
import { backLink } from '../components/page-head.js';
import { ICON } from '../components/icons.js';
import { locateProblem } from '../components/pin-here.js';

// Kept while the app is open, so list <-> map and back from a card keep the choices.
const near = {
  radius: RADII_M[1],
  filters: { overdue: false, followup: false, segment: '', status: '' },
  position: null, // {lat, lng, accuracy, at}
  problem: null, // a pin.* message key when the position could not be had
  refreshed: '', // the position and radius the follow-up counts were last asked for
};
const FRESH_MS = 2 * 60 * 1000;

function locate() {
  const geolocation = globalThis.navigator?.geolocation;
  if (!geolocation) return Promise.reject({ code: 2 });
  return new Promise((resolve, reject) =>
    geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }),
  );
}

/** The position (asked on open, kept two minutes); sets near.problem when there is none. */
async function position(force = false) {
  if (!force && near.position && Date.now() - near.position.at < FRESH_MS) return near.position;
  try {
    const { coords } = await locate();
    near.position = { lat: coords.latitude, lng: coords.longitude, accuracy: coords.accuracy, at: Date.now() };
    near.problem = null;
  } catch (error) {
    near.position = null;
    near.problem = locateProblem(error);
  }
  return near.position;
}

/** The customers to show: the book filtered, nearest first (by name without a position).
 * The book is read from IndexedDB again only when `reread` (it changed), not on a chip. */
let held = null;
export async function currentList(reread = true) {
  if (reread || !held) held = await allCustomers().catch(() => []);
  const today = localDate(new Date(), zone());
  const items = nearList(held, { position: near.position, radiusM: near.radius, filters: near.filters, today, locale: state.locale });
  return { items, book: held, today };
}

/** Online: the server's open follow-up counts (and fresher rows) into the book. */
async function refreshCounts() {
  const p = near.position;
  const key = p ? `${p.lat.toFixed(4)},${p.lng.toFixed(4)},${near.radius}` : '';
  if (!p || !state.online || key === near.refreshed) return false;
  const params = new URLSearchParams({ lat: String(p.lat), lng: String(p.lng), radius_m: String(near.radius), limit: '200' });
  const res = await api(`/customers/near?${params}`);
  if (!res.ok || res.offline) return false;
  near.refreshed = key;
  await applyBookItems(res.data.items.map((c) => ({ ...c, distance_m: undefined }))).catch(() => {});
  return true;
}

const SEG = (s) => `seg-${s.replace(' ', '-')}`;

function row(c, today) {
  const dist = describeDistance(c.distance_m, state.locale);
  const tel = telLink(c.phone_e164 || c.phone);
  const away = JSON.stringify({ customer_id: c.id, customer_name: c.name || '', contact_id: null, contact_name: null, completes_id: null });
  return html`<li class="near-row" data-id="${c.id}">
    <a class="row-link" href="/customers/${c.id}">
      <span class="row-main">
        <strong>${c.name}</strong>
        <span class="meta">${c.status && html`<span class="badge b-${c.status}">${t(`customer_status.${c.status}`)}</span>`}${c.rfm_segment &&
          html`<span class="badge ${SEG(c.rfm_segment)}">${t(`rfm.segment.${c.rfm_segment}`)}</span>`}${isOverdue(c, today) &&
          html`<span class="badge b-overdue">${t('near.overdue')}</span>`} ${c.city || ''}</span>
        ${c.open_followups > 0 && html`<span class="meta fu-count">${t('near.followups', { n: c.open_followups })}</span>`}
      </span>
      ${dist && html`<span class="dist" data-distance>${dist.text}</span>`}
    </a>
    ${tel
      ? html`<a class="call-btn" href="${tel}" data-away="${away}" aria-label="${t('near.call', { name: c.name })}">${ICON.call}</a>`
      : html`<span class="call-btn none" aria-hidden="true"></span>`}
  </li>`;
}

function whereNote() {
  if (near.problem) {
    return html`<div class="notice-box near-denied" role="status" data-denied>
      <strong>${t(near.problem === 'pin.denied' ? 'near.denied_title' : 'near.no_position_title')}</strong>
      <span>${t(near.problem === 'pin.denied' ? 'near.denied' : 'near.no_position')}</span></div>`;
  }
  if (!near.position) return html`<p class="near-where meta" role="status">${ICON.visit}${t('near.locating')}</p>`;
  const m = Math.round(near.position.accuracy || 0);
  return html`<p class="near-where meta">${ICON.visit}<span>${m ? t('near.here', { m }) : t('near.here_exact')}</span>
    <button class="link-btn" type="button" data-relocate>${t('near.relocate')}</button></p>`;
}

function controls(book) {
  const f = near.filters;
  // Without a position there is no distance to choose.
  return html`${near.position && html`<div class="chips small near-radius" role="radiogroup" aria-label="${t('near.radius')}">
      ${RADII_M.map((r) => html`<label class="chip"><input type="radio" name="radius" value="${r}" ${near.radius === r ? html`checked` : ''} />
        <span>${radiusLabel(r, state.locale)}</span></label>`)}
    </div>`}
    <div class="near-filters" role="group" aria-label="${t('near.filters')}">
      ${knowsVisits(book) && html`<button class="chip-btn${f.overdue ? ' on' : ''}" type="button" aria-pressed="${String(f.overdue)}" data-filter="overdue">${t('near.overdue')}</button>`}
      <button class="chip-btn${f.followup ? ' on' : ''}" type="button" aria-pressed="${String(f.followup)}" data-filter="followup">${t('near.has_followup')}</button>
      <select class="chip-select${f.segment ? ' on' : ''}" data-select="segment" aria-label="${t('near.segment')}">
        <option value="">${t('near.segment')}</option>
        ${SEGMENTS.map((s) => html`<option value="${s}" ${f.segment === s ? html`selected` : ''}>${t(`rfm.segment.${s}`)}</option>`)}
      </select>
      <select class="chip-select${f.status ? ' on' : ''}" data-select="status" aria-label="${t('near.status')}">
        <option value="">${t('near.status')}</option>
        ${STATUSES.map((s) => html`<option value="${s}" ${f.status === s ? html`selected` : ''}>${t(`customer_status.${s}`)}</option>`)}
      </select>
    </div>`;
}

function head(mode) {
  return html`<header class="page-head row">
      ${backLink('/customers')}
      <h1>${t('near.title')}</h1>
    </header>
    <nav class="segmented tabs-2 near-mode" aria-label="${t('near.mode')}">
      <a class="seg-link" href="/customers/near" ${mode === 'list' ? html`aria-current="page"` : ''} data-mode="list">${t('near.list')}</a>
      <a class="seg-link" href="/customers/near/map" ${mode === 'map' ? html`aria-current="page"` : ''} data-mode="map">${t('near.map')}</a>
    </nav>
    <div data-where></div>
    <div data-controls></div>`;
}

function emptyText(book) {
  if (!book.length) return t(state.online ? 'near.book_empty' : 'near.book_empty_offline');
  if (!near.position) return t('near.none_match');
  return t('near.none_within', { radius: radiusLabel(near.radius, state.locale) });
}

/** Draw the screen around `paintBody(page, list)` (the list or the map). */
async function screen(page, mode, paintBody) {
  setTitle(t('near.title'));
  mount(page, html`${head(mode)}<div data-body class="near-body near-${mode}"></div>`);
  const paint = async (reread = true) => {
    if (!page.isConnected) return;
    const list = await currentList(reread);
    mount(page.querySelector('[data-where]'), whereNote());
    mount(page.querySelector('[data-controls]'), controls(list.book));
    await paintBody(page, list, emptyText(list.book));
  };
  page.addEventListener('change', (e) => {
    if (e.target.name === 'radius') near.radius = Number(e.target.value);
    else if (e.target.dataset.select) near.filters[e.target.dataset.select] = e.target.value;
    else return;
    paint(false).then(() => refreshCounts()).then((fresh) => fresh && paint());
  });
  page.addEventListener('click', async (e) => {
    const chip = e.target.closest('[data-filter]');
    if (chip) {
      near.filters[chip.dataset.filter] = !near.filters[chip.dataset.filter];
      return paint(false);
    }
    if (e.target.closest('[data-relocate]')) {
      await position(true);
      await paint();
      if (await refreshCounts()) paint();
    }
  });
  const stop = onBookSynced((result) => {
    if (!page.isConnected) return stop();
    if (result?.changed || result?.removed) paint();
  });
  await paint();
  await position();
  await paint(false);
  if (await refreshCounts()) await paint();
}

function paintList(page, { items, today }, empty) {
  mount(
    page.querySelector('[data-body]'),
    html`<p class="near-count meta" data-count>${t('near.count', { n: items.length })}${state.online ? '' : html` · ${t('near.from_phone')}`}</p>
      <ul class="list near-list" data-list>
        ${items.length ? items.map((c) => row(c, today)) : html`<li class="empty">${empty}</li>`}
      </ul>
      <div class="fab-space"></div>`,
  );
}

export function show(page) {
  return screen(page, 'list', async (p, list, empty) => paintList(p, list, empty));
}

export function showMap(page) {
  return screen(page, 'map', async (p, list, empty) => {
    const { paintMap } = await import('../components/near-map.js');
    await paintMap(p.querySelector('[data-body]'), { ...list, position: near.position, radiusM: near.radius, empty });
  });
}

/** What the screen holds, for tests: the choices and the position. */
export const nearState = near;
