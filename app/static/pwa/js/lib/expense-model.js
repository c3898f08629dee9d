// Pure rules of the expense screens (no DOM): money in cents, claims still in the outbox,
// and the scale of the report's bars. Tested with node --test.

/** "12.5" / "12.50" / 12 -> 1250 cents; null when it is not an amount with at most 2 places. */
export function toCents(value) {
  const text = String(value ?? '').trim().replace(/,/g, '');
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

/** 1250 -> "12.50" (the API's money string). */
export function fromCents(cents) {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The total of items' amounts, exact (cents, never float sums). */
export function totalOf(items) {
  return fromCents(items.reduce((sum, i) => sum + (toCents(i.amount) ?? 0), 0));
}

const CLAIM_URL = /^\/api\/v1\/expenses\/([0-9a-f-]{36})(?:\/(submit|receipts))?$/i;

/**
 * Claims as the outbox will leave them: creates not yet sent appear (flagged _queued),
 * queued edits and submits are applied, queued receipts are counted.
 */
export function applyToClaims(claims, items) {
  const byId = new Map(claims.map((c) => [c.id, { ...c }]));
  for (const item of items) {
    if (item.method === 'POST' && item.url === '/api/v1/expenses' && item.body?.id) {
      const old = byId.get(item.body.id);
      byId.set(item.body.id, {
        status: 'draft', step: null, receipts: [], ...old, ...item.body,
        total: totalOf(item.body.items || []), _queued: item.status, _new: !old,
      });
      continue;
    }
    const m = CLAIM_URL.exec(item.url || '');
    if (!m) continue;
    const id = m[1].toLowerCase();
    const claim = byId.get(id);
    if (!claim) continue;
    if (item.method === 'PATCH' && item.body) {
      Object.assign(claim, item.body, item.body.items ? { total: totalOf(item.body.items) } : {}, { _queued: item.status });
    } else if (item.method === 'DELETE' && !m[2]) {
      byId.delete(id);
    } else if (m[2] === 'submit') {
      Object.assign(claim, { status: 'pending', step: claim.step || null, _queued: item.status });
    } else if (m[2] === 'receipts' && item.form) {
      claim.queued_receipts = (claim.queued_receipts || 0) + 1;
    }
  }
  return [...byId.values()].sort((a, b) => (b.created_at || '9').localeCompare(a.created_at || '9'));
}

/** Bar lengths (0..100) for amounts given as money strings, relative to the largest. */
export function barScale(amounts) {
  const cents = amounts.map((a) => toCents(a) ?? 0);
  const max = Math.max(0, ...cents);
  return cents.map((c) => (max ? Math.round((c / max) * 1000) / 10 : 0));
}
