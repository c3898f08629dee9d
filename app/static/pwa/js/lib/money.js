// Money: the API sends decimal strings ("1250.00") and a currency; we count in
// integer cents (never float sums) and show amounts with Intl in the user's language.

/** "12.50" as the API takes it: digits, at most two places, no grouping commas. */
export function isAmount(text) {
  return /^\d{1,10}(\.\d{1,2})?$/.test(text);
}

/** "12.5" / "12.50" / "1,250" / 12 -> cents; null when it is not an amount with at most 2 places. */
export function toCents(value) {
  const text = String(value ?? '').trim().replace(/,/g, '');
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** 1250 -> "12.50" (the API's money string). */
export function fromCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The total of items' amounts, exact; an amount that is not one counts as nothing. */
export function totalOf(items) {
  return fromCents(items.reduce((sum, i) => sum + (toCents(i.amount) ?? 0), 0));
}

/** Bar lengths (0..100) for amounts given as money strings, relative to the largest. */
export function barScale(amounts) {
  const cents = amounts.map((a) => toCents(a) ?? 0);
  const max = Math.max(0, ...cents);
  return cents.map((c) => (max ? Math.round((c / max) * 1000) / 10 : 0));
}

/** A money string ("1250.00") or a number of cents, as "CN¥1,250.00" in `locale`. */
export function formatMoney(value, currency, locale) {
  const amount = typeof value === 'number' ? value / 100 : (toCents(value) ?? 0) / 100;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'CNY' }).format(amount);
  } catch {
    return `${fromCents(Math.round(amount * 100))} ${currency || ''}`.trim();
  }
}
