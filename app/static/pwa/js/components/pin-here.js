// "This customer is here": the phone's position becomes the customer's coordinates.
// The position is asked for only on the tap; a fix worse than 100 m is refused
// politely (nothing written); the typed address is never touched.

import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { toast, confirmSheet, closeSheet } from '../lib/sheets.js';
import { openFormSheet } from './form-sheet.js';
import { sendEdit, guardOf } from './record-edit-sheets.js';

export const PIN_MAX_ACCURACY_M = 100;

/**
 * What a position allows: {lat, lng, accuracy} to pin, or {poor: accuracy} when the
 * phone does not know well enough where it is (or does not say how well).
 */
export function pinOf(coords) {
  const accuracy = Number(coords?.accuracy);
  if (!Number.isFinite(accuracy) || accuracy > PIN_MAX_ACCURACY_M) return { poor: Number.isFinite(accuracy) ? Math.round(accuracy) : null };
  return { lat: coords.latitude, lng: coords.longitude, accuracy: Math.round(accuracy * 10) / 10 };
}

/** The reason a position could not be had, as a message key (GeolocationPositionError codes). */
export function locateProblem(error) {
  return { 1: 'pin.denied', 2: 'pin.unavailable', 3: 'pin.timeout' }[error?.code] || 'pin.unavailable';
}

function locate(geolocation) {
  return new Promise((resolve, reject) =>
    geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 }),
  );
}

/** A sheet that only says something, with one button to close it. */
function notice(title, body) {
  const { form } = openFormSheet({
    title,
    className: 'notice-sheet',
    cancel: null,
    ok: t('pin.ok'),
    fields: html`<p>${body}</p>`,
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    closeSheet();
  });
}

/** The pin button's tap. `button` shows that the phone is looking; onDone as for edits. */
export async function pinHere(customer, { button = null, onDone } = {}) {
  const geolocation = globalThis.navigator?.geolocation;
  if (!geolocation) return notice(t('pin.title'), t('pin.unavailable'));
  if (button) button.disabled = true;
  let coords;
  try {
    coords = (await locate(geolocation)).coords;
  } catch (error) {
    const key = locateProblem(error);
    return notice(t(key === 'pin.denied' ? 'pin.denied_title' : 'pin.title'), t(key));
  } finally {
    if (button) button.disabled = false;
  }
  const pin = pinOf(coords);
  if (pin.poor !== undefined) {
    return notice(t('pin.poor_title'), pin.poor === null ? t('pin.poor_unknown') : t('pin.poor', { m: pin.poor, max: PIN_MAX_ACCURACY_M }));
  }
  const ok = await confirmSheet({
    title: t('pin.confirm_title', { name: customer.name }),
    body: t(customer.address ? 'pin.confirm_body_address' : 'pin.confirm_body', { m: Math.round(pin.accuracy) }),
    ok: t('pin.confirm_ok'),
  });
  if (!ok) return null;
  const write = {
    method: 'PATCH',
    url: `/api/v1/customers/${customer.id}`,
    body: { lat: pin.lat, lng: pin.lng, location_accuracy: pin.accuracy },
    headers: guardOf(customer),
    meta: { type: 'pin', title: customer.name, seen: { lat: customer.lat ?? null, lng: customer.lng ?? null } },
  };
  const result = await sendEdit(write, { onDone });
  if (result?.state === 'sent') toast(t('pin.done', { name: customer.name }));
  return result;
}
