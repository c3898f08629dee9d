// The offline book: every customer in the rep's scope kept in IndexedDB by the server's
// delta sync (GET /customers?updated_since=, pages of changes and removals, oldest
// first, then `as_of` to send next time). The server starts each sync a little before
// `updated_since` on purpose, so items come again: per id the higher version wins, and
// a removal drops a row unless the phone holds a newer copy than the removal.
// syncBook takes its fetch and stores, so node tests it without a browser.

export const BOOK_PAGE = 200;
// The first sync asks for everything changed since long before any customer existed.
export const FIRST_SYNC = '2000-01-01T00:00:00+00:00';
export const KEYS = { asOf: 'book.as_of', syncedAt: 'book.synced_at', walk: 'book.walk' };

const time = (v) => (v ? Date.parse(v) : NaN);

/**
 * What one item does to the stored row: {put: row}, {remove: id} or {keep: true}.
 * A changed customer carries the slim fields; what it lacks (the card's address, the
 * open follow-ups counted by /customers/near) stays as stored.
 */
export function mergeItem(stored, item) {
  if (item.deleted) {
    if (!stored) return { keep: true };
    // Seen since (given back to the rep, opened on the card): that copy is newer.
    if (time(stored.updated_at) > time(item.updated_at)) return { keep: true };
    return { remove: item.id };
  }
  if (stored && Number(stored.version) > Number(item.version)) return { keep: true };
  const known = Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
  return { put: { ...stored, ...known, in_book: true } };
}

/** Apply a page's items in order to a Map of rows (what db.js does in one transaction). */
export function applyItems(rows, items) {
  let changed = 0;
  let removed = 0;
  for (const item of items) {
    const step = mergeItem(rows.get(item.id), item);
    if (step.put) {
      rows.set(item.id, step.put);
      changed += 1;
    } else if (step.remove) {
      rows.delete(step.remove);
      removed += 1;
    }
  }
  return { changed, removed };
}

/** {count, kb}: how many customers the phone holds and about how much room they take. */
export function bookSize(rows) {
  let bytes = 0;
  for (const row of rows) bytes += JSON.stringify(row).length;
  return { count: rows.length, kb: Math.round(bytes / 1024) };
}

/**
 * One sync: every page since the last `as_of`, applied as it comes. A walk cut short
 * (offline, signed out) is resumed at its cursor next time, so no page is fetched twice.
 * A book older than the server keeps removals for (410) is dropped and downloaded again.
 * deps: get(path) -> {ok, offline, status, data}; store.apply(items) -> {changed, removed};
 * store.clear(); kv {get, set, del}; now() -> ms.
 * Resolves {ok, pages, changed, removed, asOf, fresh?} or {ok: false, status, pages}.
 */
export async function syncBook(deps) {
  const result = await syncPages(deps);
  if (result.status !== 410) return result;
  await deps.store.clear();
  await deps.kv.del(KEYS.asOf);
  await deps.kv.del(KEYS.walk);
  return { ...(await syncPages(deps)), fresh: true };
}

async function syncPages({ get, store, kv, now = () => Date.now(), limit = BOOK_PAGE }) {
  const since = (await kv.get(KEYS.asOf)) || FIRST_SYNC;
  const walk = await kv.get(KEYS.walk);
  let cursor = walk?.since === since ? walk.cursor : null;
  const total = { ok: true, pages: 0, changed: 0, removed: 0, asOf: null };
  for (;;) {
    const params = new URLSearchParams({ updated_since: since, limit: String(limit) });
    if (cursor) params.set('cursor', cursor);
    const res = await get(`/customers?${params}`);
    if (!res.ok || res.offline || !Array.isArray(res.data?.items)) return { ok: false, status: res.status, pages: total.pages };
    const counts = await store.apply(res.data.items);
    total.pages += 1;
    total.changed += counts.changed;
    total.removed += counts.removed;
    cursor = res.data.next_cursor;
    if (!cursor) {
      total.asOf = res.data.as_of;
      break;
    }
    await kv.set(KEYS.walk, { since, cursor });
  }
  await kv.set(KEYS.asOf, total.asOf);
  await kv.set(KEYS.syncedAt, now());
  await kv.del(KEYS.walk);
  return total;
}
