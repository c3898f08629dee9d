// IndexedDB, used by the page and by the service worker. Three stores:
//   kv        the signed-in user, the CSRF token, small settings
//   outbox    queued writes (see outbox.js)
//   customers customers the rep has seen, for offline search and "recent first", and
//             the rep's whole book, kept current by the delta sync (book.js)
// Everything here belongs to the signed-in user and is wiped at sign-out.

import { applyItems } from './book.js';

const NAME = 'fieldline';
const VERSION = 1;
let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function openDB() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(NAME, VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
        if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'key' });
        if (!db.objectStoreNames.contains('customers')) db.createObjectStore('customers', { keyPath: 'id' });
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => {
          db.close();
          opening = null;
        };
        resolve(db);
      };
      req.onerror = () => {
        opening = null;
        reject(req.error);
      };
    });
  }
  return opening;
}

async function run(storeName, mode, fn) {
  const db = await openDB();
  const tx = db.transaction(storeName, mode);
  const result = await fn(tx.objectStore(storeName));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = tx.onerror = () => reject(tx.error);
  });
  return result;
}

export const kv = {
  get: (key) => run('kv', 'readonly', (s) => promised(s.get(key))),
  set: (key, value) => run('kv', 'readwrite', (s) => promised(s.put(value, key))),
  del: (key) => run('kv', 'readwrite', (s) => promised(s.delete(key))),
};

/** The outbox store in the shape Outbox expects. */
export const outboxStore = {
  all: () => run('outbox', 'readonly', (s) => promised(s.getAll())),
  get: (key) => run('outbox', 'readonly', (s) => promised(s.get(key))),
  put: (item) => run('outbox', 'readwrite', (s) => promised(s.put(item))),
  delete: (key) => run('outbox', 'readwrite', (s) => promised(s.delete(key))),
};

/**
 * Remember customers as they are seen; `used` marks ones the rep logged against.
 * A list item or agenda entry carries only some fields (slim items): what it lacks,
 * or leaves undefined, keeps what the card stored earlier.
 */
export async function rememberCustomers(list, { used = false } = {}) {
  if (!list.length) return;
  const now = Date.now();
  await run('customers', 'readwrite', async (s) => {
    for (const c of list) {
      const old = await promised(s.get(c.id));
      const known = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
      s.put({ ...old, ...known, seen_at: now, used_at: used ? now : old?.used_at || 0 });
    }
  });
}

export function getCustomer(id) {
  return run('customers', 'readonly', (s) => promised(s.get(id)));
}

/** The stored copies of `ids` (a list page's), by id: one transaction. */
export function customersById(ids) {
  return run('customers', 'readonly', async (s) => {
    const found = await Promise.all(ids.map((id) => promised(s.get(id))));
    return Object.fromEntries(found.filter(Boolean).map((c) => [c.id, c]));
  });
}

export function allCustomers() {
  return run('customers', 'readonly', (s) => promised(s.getAll()));
}

/** The book's delta sync: apply a page of changes and removals in one transaction. */
export function applyBookItems(items) {
  return run('customers', 'readwrite', async (s) => {
    const rows = new Map();
    for (const item of items) if (!rows.has(item.id)) rows.set(item.id, await promised(s.get(item.id)));
    const before = new Map(rows);
    const counts = applyItems(rows, items);
    for (const [id, old] of before) {
      const now = rows.get(id);
      if (now === undefined && old !== undefined) s.delete(id);
      else if (now !== old) s.put(now);
    }
    return counts;
  });
}

/** Drop the book's rows (the server said it is too old to update); the rest stays. */
export function clearBook() {
  return run('customers', 'readwrite', async (s) => {
    for (const row of await promised(s.getAll())) if (row.in_book) s.delete(row.id);
  });
}

/** Wipe the signed-in user's data: sign-out, or a different user signing in. */
export async function clearUserData({ keepOutbox = false } = {}) {
  const stores = keepOutbox ? ['kv', 'customers'] : ['kv', 'customers', 'outbox'];
  const db = await openDB();
  const tx = db.transaction(stores, 'readwrite');
  for (const name of stores) tx.objectStore(name).clear();
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onabort = tx.onerror = () => reject(tx.error);
  });
}
