// Money on screen: the API sends decimal strings ("1250.00") and a currency; we
// show them with Intl in the user's language. Sums for display add cents as
// integers, never floats.

/** "1250.00" -> 125000 (cents); bad input -> 0. */
export function cents(value) {
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(String(value ?? '').trim());
  if (!m) return 0;
  const whole = Number(m[2]) * 100 + Number((m[3] || '0').padEnd(2, '0'));
  return m[1] ? -whole : whole;
}

/** 125000 -> "1250.00" */
export function fromCents(n) {
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(Math.round(n));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function formatMoney(value, currency, locale) {
  const amount = typeof value === 'number' ? value / 100 : cents(value) / 100;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency || 'CNY' }).format(amount);
  } catch {
    return `${fromCents(Math.round(amount * 100))} ${currency || ''}`.trim();
  }
}
