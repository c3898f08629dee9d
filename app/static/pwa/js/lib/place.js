// Reaching a customer: tel:, mailto: and maps links, and how far from the
// customer a visit was logged. Pure functions; the platform is passed in.

/** A visit logged within this many metres of the customer counts as "on site". */
export const ON_SITE_METRES = 300;

/**
 * {onSite, text}: text is the distance in the user's locale ("80 m", "1.2 km",
 * "80米"); the caller wraps it in "On site (…)" or "… away".
 */
export function describeDistance(metres, locale) {
  if (metres === null || metres === undefined || !Number.isFinite(Number(metres))) return null;
  const m = Math.max(0, Number(metres));
  const onSite = m <= ON_SITE_METRES;
  let text;
  if (m < 1000) {
    text = new Intl.NumberFormat(locale, { style: 'unit', unit: 'meter', maximumFractionDigits: 0 }).format(
      Math.round(m),
    );
  } else {
    text = new Intl.NumberFormat(locale, {
      style: 'unit',
      unit: 'kilometer',
      maximumFractionDigits: m < 10000 ? 1 : 0,
    }).format(m / 1000);
  }
  return { onSite, text };
}

/** 'android', 'ios' or 'other', from a user-agent string. */
export function platformOf(userAgent = '') {
  if (/android/i.test(userAgent)) return 'android';
  if (/iphone|ipad|ipod/i.test(userAgent)) return 'ios';
  return 'other';
}

const hasCoords = (lat, lng) =>
  lat !== null && lat !== undefined && lng !== null && lng !== undefined &&
  Number.isFinite(Number(lat)) && Number.isFinite(Number(lng)) && !(Number(lat) === 0 && Number(lng) === 0);

/**
 * A link that opens the platform's maps app at the customer: coordinates when
 * known, else the address and city; null when there is nothing to go on.
 */
export function mapsLink({ lat, lng, address, city, label } = {}, platform = 'other') {
  const enc = encodeURIComponent;
  if (hasCoords(lat, lng)) {
    const ll = `${Number(lat)},${Number(lng)}`;
    const name = (label || '').trim();
    if (platform === 'android') return `geo:${ll}?q=${ll}${name ? `(${enc(name)})` : ''}`;
    if (platform === 'ios') return `https://maps.apple.com/?q=${enc(name || ll)}&ll=${ll}`;
    return `https://www.openstreetmap.org/?mlat=${Number(lat)}&mlon=${Number(lng)}#map=17/${Number(lat)}/${Number(lng)}`;
  }
  const where = [address, city].map((s) => (s || '').trim()).filter(Boolean);
  // An address that already names the city ("上海市浦东新区…") need not repeat it.
  if (where.length === 2 && where[0].includes(where[1])) where.pop();
  if (!where.length) return null;
  const query = where.join(', ');
  if (platform === 'android') return `geo:0,0?q=${enc(query)}`;
  if (platform === 'ios') return `https://maps.apple.com/?q=${enc(query)}`;
  return `https://www.openstreetmap.org/search?query=${enc(query)}`;
}

/**
 * Directions for one leg, from where the phone is to `to` ({lat, lng, label, address,
 * city}): the platform's maps app in driving mode (Google Maps on Android, Apple Maps on
 * iOS), Amap (or Baidu, `china: 'baidu'`) when the locale is Chinese, both told our
 * coordinates are WGS-84. A stop without coordinates falls back to its address
 * (mapsLink); null when there is nothing to go on. Multi-stop links are unreliable on
 * phones, so a plan is driven one leg at a time.
 */
export function legLink(to = {}, { platform = 'other', locale = 'en', china = 'amap' } = {}) {
  if (!hasCoords(to.lat, to.lng)) return mapsLink(to, platform);
  const enc = encodeURIComponent;
  const [lat, lng] = [Number(to.lat), Number(to.lng)];
  const name = enc((to.label || '').trim() || `${lat},${lng}`);
  if (String(locale).startsWith('zh')) {
    if (china === 'baidu') {
      return `https://api.map.baidu.com/direction?destination=latlng:${lat},${lng}|name:${name}` +
        '&mode=driving&coord_type=wgs84&output=html&src=fieldline';
    }
    return `https://uri.amap.com/navigation?to=${lng},${lat},${name}&mode=car&coordinate=wgs84&callnative=1&src=fieldline`;
  }
  if (platform === 'ios') return `https://maps.apple.com/?daddr=${lat},${lng}&dirflg=d`;
  return `https://www.google.com/maps/dir/?api=1&destination=${lat},${lng}&travelmode=driving`;
}

/** tel: link for a phone number as typed or in E.164; null when there are no digits. */
export function telLink(number) {
  if (!number) return null;
  const cleaned = String(number).trim().replace(/[^\d+*#,;]/g, '');
  const plus = cleaned.startsWith('+') ? '+' : '';
  const rest = cleaned.replace(/\+/g, '');
  if (!/\d/.test(rest)) return null;
  return `tel:${plus}${rest}`;
}

/** mailto: link; null for anything that is not a plausible single address. */
export function mailtoLink(email) {
  const e = String(email || '').trim();
  if (!/^[^\s@,;<>]+@[^\s@,;<>]+$/.test(e)) return null;
  return `mailto:${encodeURI(e)}`;
}

const first = (...values) => values.find((v) => v && String(v).trim());

/** The number to call for an agenda item or a customer: the contact's mobile, then phone, then the customer's. */
export function phoneFor(customer, contact) {
  return (
    first(contact?.mobile_e164, contact?.mobile, contact?.phone_e164, contact?.phone) ||
    first(customer?.phone_e164, customer?.phone) ||
    null
  );
}

export function emailFor(customer, contact) {
  return first(contact?.email, customer?.email) || null;
}
