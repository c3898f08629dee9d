// "Add location" on a visit: the reason on screen before the browser asks, then the
// position (or why there is none). The visit is saved without it if it does not come.

import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { ICON } from './icons.js';

export function locator(box) {
  const loc = { state: 'off', value: null, waiting: null };
  const paint = () => {
    const msg = {
      off: '',
      asking: t('log.loc_reason'),
      locating: t('log.loc_locating'),
      denied: t('log.loc_denied'),
      unavailable: t('log.loc_unavailable'),
    }[loc.state];
    mount(
      box,
      loc.state === 'off'
        ? html`<button class="btn btn-quiet" type="button" data-locate>${ICON.visit}${t('log.loc_add')}</button>`
        : loc.state === 'ok'
          ? html`<p class="loc-ok">${ICON.visit}${t('log.loc_ok', { m: Math.round(loc.value.accuracy) })}</p>`
          : html`<p class="loc-msg loc-${loc.state}">${ICON.visit}<span>${msg}</span></p>
              ${loc.state === 'locating' && html`<p class="loc-why">${t('log.loc_reason')}</p>`}`,
    );
  };
  loc.start = async () => {
    if (loc.state === 'locating' || loc.state === 'ok') return;
    if (!navigator.geolocation) {
      loc.state = 'unavailable';
      return paint();
    }
    try {
      const perm = await navigator.permissions?.query({ name: 'geolocation' });
      if (perm?.state === 'denied') {
        loc.state = 'denied';
        return paint();
      }
    } catch {
      /* no Permissions API: just ask */
    }
    // The reason is on screen before the browser asks.
    loc.state = 'locating';
    paint();
    loc.waiting = new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          loc.value = {
            lat: Number(pos.coords.latitude.toFixed(6)),
            lng: Number(pos.coords.longitude.toFixed(6)),
            accuracy: Math.round(pos.coords.accuracy),
          };
          loc.state = 'ok';
          paint();
          resolve();
        },
        (err) => {
          loc.state = err.code === 1 ? 'denied' : 'unavailable';
          paint();
          resolve();
        },
        // A visit's position verifies its check-in (within 200 m of the customer): a fix a
        // minute old is half a kilometre back down the road for a rep who just drove up.
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 10000 },
      );
    });
  };
  /** Give a location that is on its way a few more seconds before saving without it. */
  loc.settle = () =>
    loc.state === 'locating' ? Promise.race([loc.waiting, new Promise((r) => setTimeout(r, 4000))]) : null;
  box.addEventListener('click', (e) => {
    if (e.target.closest('[data-locate]')) loc.start();
  });
  paint();
  return loc;
}
