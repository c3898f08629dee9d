// The Near me map: Leaflet (served by our server from the xstatic packages, precached
// by the service worker), the company's tile layer (a setting), a pin per customer,
// clustered above CLUSTER_ABOVE pins, the rep's position, a tap on a pin for a small
// card. Tiles need the network: offline the map says so and points to the list.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { go } from '../lib/router.js';
import { kv } from '../lib/db.js';
import { displayPoint } from '../lib/gcj02.js';
import { describeDistance } from '../lib/place.js';
import { isPlaced } from '../lib/near.js';
import { refreshPageCache } from '../lib/sw-client.js';

export const CLUSTER_ABOVE = 200;
export const MAP_DEFAULTS = {
  map_tile_url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  map_subdomains: 'abc',
  map_attribution: '© OpenStreetMap contributors',
  map_max_zoom: 19,
  map_coordinates: 'wgs84',
};
const maps = new WeakMap(); // the map drawn in a box, with its layers

function vendor() {
  try {
    return JSON.parse(document.querySelector('meta[name="fieldline-vendor"]')?.content || '{}');
  } catch {
    return {};
  }
}

function addOnce(tag, attrs) {
  const selector = tag === 'script' ? `script[src="${attrs.src}"]` : `link[href="${attrs.href}"]`;
  const found = document.head.querySelector(selector);
  if (found?.dataset.loaded) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const el = found || Object.assign(document.createElement(tag), attrs);
    el.addEventListener('load', () => {
      el.dataset.loaded = '1';
      resolve();
    });
    el.addEventListener('error', reject);
    if (!found) document.head.append(el);
  });
}

/** Leaflet and its cluster plugin, each once (they are classic scripts: global L). */
export async function loadLeaflet() {
  if (globalThis.L?.markerClusterGroup) return globalThis.L;
  const { leaflet, markercluster } = vendor();
  await Promise.all([
    addOnce('link', { rel: 'stylesheet', href: `${leaflet}leaflet.css` }),
    addOnce('link', { rel: 'stylesheet', href: `${markercluster}MarkerCluster.css` }),
    addOnce('link', { rel: 'stylesheet', href: `${markercluster}MarkerCluster.Default.css` }),
    addOnce('script', { src: `${leaflet}leaflet.js` }),
  ]);
  await addOnce('script', { src: `${markercluster}leaflet.markercluster.js` });
  return globalThis.L;
}

/** The company's map settings: the server's when it answers, else the last kept. */
export async function mapSettings() {
  const res = await api('/settings');
  if (res.ok && res.data) {
    const picked = Object.fromEntries(Object.keys(MAP_DEFAULTS).map((k) => [k, res.data[k] ?? MAP_DEFAULTS[k]]));
    kv.set('map-settings', picked).catch(() => {});
    return picked;
  }
  return { ...MAP_DEFAULTS, ...((await kv.get('map-settings').catch(() => null)) || {}) };
}

function offlineNote(box) {
  maps.get(box)?.map.remove();
  maps.delete(box);
  mount(
    box,
    html`<div class="map-offline empty-state" role="status" data-map-offline>
      <strong>${t('near.map_offline_title')}</strong>
      <p>${t('near.map_offline')}</p>
      <a class="btn btn-primary" href="/customers/near">${t('near.show_list')}</a>
    </div>`,
  );
}

function card(c) {
  const el = document.createElement('div');
  const dist = describeDistance(c.distance_m, state.locale);
  mount(
    el,
    html`<div class="map-card" data-map-card="${c.id}">
      <strong>${c.name}</strong>
      <span class="meta">${[dist?.text, c.status && t(`customer_status.${c.status}`), c.city].filter(Boolean).join(' · ')}</span>
      <a class="btn btn-small btn-primary" href="/customers/${c.id}">${t('near.open_card')}</a>
    </div>`,
  );
  // Leaflet keeps clicks inside a popup to itself: follow the link here.
  el.querySelector('a').addEventListener('click', (e) => {
    e.preventDefault();
    go(`/customers/${c.id}`);
  });
  return el;
}

/**
 * Tiles refused by the page's CSP: the company moved to another tile server since this
 * phone stored the app page. Offer to fetch the page again (with the new policy).
 */
function watchBlockedTiles(box) {
  const onBlocked = (event) => {
    if (!box.isConnected) return document.removeEventListener('securitypolicyviolation', onBlocked);
    if (!event.effectiveDirective?.startsWith('img-src') || box.querySelector('[data-map-blocked]')) return;
    const note = document.createElement('div');
    note.className = 'map-blocked notice-box';
    note.dataset.mapBlocked = '';
    mount(note, html`<span>${t('near.map_blocked')}</span>
      <button class="btn btn-small btn-primary" type="button">${t('update.reload')}</button>`);
    note.querySelector('button').addEventListener('click', async () => {
      await refreshPageCache();
      location.reload();
    });
    box.querySelector('.map-box')?.append(note);
  };
  document.addEventListener('securitypolicyviolation', onBlocked);
}

function create(L, box, settings) {
  mount(box, html`<div class="map-box"><div class="map" data-map></div><p class="map-empty" data-map-empty hidden></p></div>`);
  watchBlockedTiles(box);
  const map = L.map(box.querySelector('[data-map]'), { zoomControl: true, attributionControl: true });
  map.attributionControl.setPrefix('Leaflet');
  const tiles = L.tileLayer(settings.map_tile_url, {
    maxZoom: Number(settings.map_max_zoom) || MAP_DEFAULTS.map_max_zoom,
    subdomains: settings.map_subdomains || MAP_DEFAULTS.map_subdomains,
    // A plain-text setting: escaped, since Leaflet writes attributions as HTML.
    attribution: String(settings.map_attribution || '').replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`),
    crossOrigin: false,
  });
  tiles.addTo(map);
  const drawn = { map, pins: null, me: null, view: '', settings };
  maps.set(box, drawn);
  return drawn;
}

/** Draw (or redraw) the map of `items` in `box`; `position` is the rep's, or null. */
export async function paintMap(box, { items, position, empty, radiusM }) {
  if (!state.online || globalThis.navigator?.onLine === false) return offlineNote(box);
  let L;
  let drawn = maps.get(box);
  try {
    L = await loadLeaflet();
    if (!drawn || !box.contains(drawn.map.getContainer())) drawn = create(L, box, await mapSettings());
  } catch {
    return offlineNote(box);
  }
  const { map, settings } = drawn;
  map.invalidateSize(); // the box may have grown since the map was made (fonts, filters)
  const datum = settings.map_coordinates;
  const placed = items.filter(isPlaced);
  drawn.pins?.remove();
  drawn.pins = placed.length > CLUSTER_ABOVE ? L.markerClusterGroup({ showCoverageOnHover: false }) : L.layerGroup();
  for (const c of placed) {
    const icon = L.divIcon({ className: `map-pin pin-${c.status || 'none'}`, iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -10] });
    L.marker(displayPoint(c.lat, c.lng, datum), { icon, title: c.name, alt: c.name, keyboard: true })
      .bindPopup(() => card(c), { closeButton: true, maxWidth: 260, minWidth: 180 })
      .addTo(drawn.pins);
  }
  drawn.pins.addTo(map);
  drawn.me?.remove();
  drawn.me = null;
  if (position) {
    const here = displayPoint(position.lat, position.lng, datum);
    const dot = L.divIcon({ className: 'me-dot', iconSize: [20, 20], iconAnchor: [10, 10] });
    drawn.me = L.layerGroup([
      L.circle(here, { radius: radiusM, className: 'near-ring', interactive: false }),
      L.circle(here, { radius: Math.max(5, position.accuracy || 0), className: 'me-accuracy', interactive: false }),
      L.marker(here, { icon: dot, interactive: false, keyboard: false, zIndexOffset: 1000 }),
    ]).addTo(map);
  }
  box.dataset.pins = String(placed.length);
  box.dataset.clustered = String(placed.length > CLUSTER_ABOVE);
  // Move the view only when where or how far changed, not on every redraw.
  const view = position ? `${position.lat},${position.lng},${radiusM}` : `all:${placed.length}`;
  if (view !== drawn.view) {
    drawn.view = view;
    if (position) map.fitBounds(L.latLng(displayPoint(position.lat, position.lng, datum)).toBounds(radiusM * 2));
    else if (placed.length) map.fitBounds(L.latLngBounds(placed.map((c) => displayPoint(c.lat, c.lng, datum))), { padding: [24, 24] });
    else map.setView([35, 105], 4);
  }
  const note = box.querySelector('[data-map-empty]');
  note.textContent = empty;
  note.hidden = placed.length > 0;
}
