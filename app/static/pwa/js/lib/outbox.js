// The outbox: every write the rep makes is queued here first and replayed to the
// server in the order it was made. Nothing typed is ever dropped by replay.
//
// Replay rules, one item at a time in creation order:
//   2xx            sent: removed from the queue.
//   401            signed out: stop; the queue waits for the rep to sign in again.
//   403            the CSRF token may be stale: refresh it once and resend; if it is
//                  still 403 the item is kept as failed, like any other 4xx.
//   408, 429, 5xx  or no answer at all (offline): stop and retry later with backoff.
//                  Later items wait too, because they may depend on this one.
//   other 4xx      (409, 412, 422, 404 ...) failed: kept with the server's message
//                  for the rep to edit, retry or discard. Replay goes on with later
//                  items, except those that touch a record a failed (or held) item
//                  creates or changes: those are held until the rep deals with it,
//                  so a blocked change never blocks unrelated ones, and dependent
//                  changes never overtake the change they depend on.
//
// An item is JSON (`body`) or a file upload (`form`: {fields, file, filename}, sent as
// multipart/form-data). The file is a Blob kept in the same IndexedDB record, so a
// receipt photographed offline waits in the queue with the claim it belongs to.
//
// The store is injected ({all, get, put, delete}), as is fetch, so the same
// code runs against IndexedDB in the browser and the service worker, and
// against an in-memory store in node tests.

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every UUID mentioned by an item's URL or body. */
export function idsIn(item) {
  return new Set((`${item.url} ${JSON.stringify(item.body ?? null)}`.match(UUID) || []).map((s) => s.toLowerCase()));
}

/**
 * The records an item creates or changes: for a create, the body's id (and the
 * id of the follow-up its `next` creates); otherwise the last id in the URL.
 * A file upload (`form`) creates its own record and changes the one it is
 * attached to (the last id in the URL: a receipt's claim), so a refused upload
 * (413, 422) holds a later submit of that claim instead of letting it overtake.
 */
export function targetsOf(method, url, body, form = null) {
  if (method === 'POST' && form) {
    const parent = url.match(UUID);
    return [form.fields && form.fields.id, parent && parent[parent.length - 1]]
      .filter(Boolean).map((id) => String(id).toLowerCase());
  }
  if (method === 'POST' && body && body.id) {
    return [body.id, body.next && body.next.id].filter(Boolean).map((id) => String(id).toLowerCase());
  }
  const ids = url.match(UUID);
  return ids ? [ids[ids.length - 1].toLowerCase()] : [];
}

/** Delay before the next attempt after `failures` consecutive failed attempts: 5 s doubling to 5 min. */
export function backoff(failures) {
  if (failures <= 0) return 0;
  return Math.min(5 * 60 * 1000, 5000 * 2 ** (failures - 1));
}

const bySeq = (a, b) => a.seq - b.seq;

/** The multipart body of a queued upload: its fields, then the file. */
export function uploadBody(form) {
  const data = new FormData();
  for (const [name, value] of Object.entries(form.fields || {})) data.append(name, value);
  data.append('file', form.file, form.filename || 'file');
  return data;
}

async function readBody(res) {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

export class MemoryStore {
  constructor() {
    this.map = new Map();
  }

  async all() {
    return [...this.map.values()].map((v) => structuredClone(v));
  }

  async get(key) {
    const v = this.map.get(key);
    return v ? structuredClone(v) : undefined;
  }

  async put(item) {
    this.map.set(item.key, structuredClone(item));
  }

  async delete(key) {
    this.map.delete(key);
  }
}

export class Outbox {
  /**
   * store: {all, get, put, delete}; fetch: window.fetch or a fake;
   * headers(): extra headers (the CSRF token); refreshAuth(): fetch a new CSRF
   * token, resolves true when it got one; owner(): id of the signed-in user;
   * lock(fn): run fn exclusively across tabs and the service worker (Web Locks).
   */
  constructor({
    store,
    fetch,
    headers = () => ({}),
    refreshAuth = async () => false,
    owner = () => null,
    lock = (fn) => fn(),
    uuid,
    now,
  }) {
    this.store = store;
    this.fetch = fetch;
    this.headers = headers;
    this.refreshAuth = refreshAuth;
    this.owner = owner;
    this.lock = lock;
    this.adding = Promise.resolve();
    this.uuid = uuid || (() => crypto.randomUUID());
    this.now = now || (() => new Date());
    this.failures = 0;
    this.running = null;
    this.again = false;
    this.sendingKey = null;
    this.listeners = new Set();
  }

  onChange(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async emit() {
    if (!this.listeners.size) return;
    const items = await this.list();
    for (const fn of this.listeners) fn(items);
  }

  /** The signed-in user's items, oldest first. */
  async list() {
    const owner = this.owner();
    return (await this.store.all()).filter((i) => i.owner === owner).sort(bySeq);
  }

  /** Queue a write. `meta` is what the Pending changes list shows. */
  add(write) {
    // Serialised so that two quick taps still get distinct, ordered seq numbers.
    const next = this.adding.then(() => this.append(write));
    this.adding = next.catch(() => {});
    return next;
  }

  async append({ method, url, body = null, form = null, headers = {}, meta = {} }) {
    const all = await this.store.all();
    const item = {
      key: this.uuid(),
      seq: all.reduce((m, i) => Math.max(m, i.seq), 0) + 1,
      owner: this.owner(),
      method,
      url,
      body,
      ...(form ? { form } : {}),
      headers,
      targets: targetsOf(method, url, body, form),
      meta,
      created_at: this.now().toISOString(),
      status: 'pending',
      attempts: 0,
      error: null,
      blocked_by: null,
    };
    await this.store.put(item);
    await this.emit();
    return item;
  }

  /**
   * Put a failed item back in line, optionally with an edited body, without If-Match,
   * or with the If-Match of the version the rep has now seen (a 412 resolved).
   */
  async retry(key, { body, dropIfMatch = false, ifMatch = null } = {}) {
    const item = await this.store.get(key);
    if (!item) return null;
    if (body !== undefined) item.body = body;
    if (dropIfMatch || ifMatch) {
      item.headers = { ...item.headers };
      delete item.headers['If-Match'];
      if (ifMatch) item.headers['If-Match'] = ifMatch;
    }
    Object.assign(item, { status: 'pending', error: null, attempts: 0, blocked_by: null });
    await this.store.put(item);
    await this.emit();
    return item;
  }

  /**
   * Drop an item. If it carried If-Match, the next item waiting for the same record
   * inherits it: changes queued behind a guarded one were made on the version it
   * guarded, so they must still be refused (412) if someone else changed the record.
   */
  async discard(key) {
    const item = await this.store.get(key);
    if (!item) return;
    await this.store.delete(key);
    const guard = item.headers?.['If-Match'];
    if (guard) {
      const next = (await this.list()).find((i) => i.seq > item.seq && (i.targets || []).some((id) => (item.targets || []).includes(id)));
      if (next && !next.headers?.['If-Match']) await this.store.put({ ...next, headers: { ...next.headers, 'If-Match': guard } });
    }
    await this.emit();
  }

  /** Remove everything (sign-out). */
  async clear() {
    for (const item of await this.store.all()) await this.store.delete(item.key);
    await this.emit();
  }

  /** Delay the caller should wait before calling replay() again after a stop. */
  nextDelay() {
    return backoff(this.failures);
  }

  /**
   * Send what can be sent. A call made while a run is going on joins it, and
   * the run goes round once more so that items queued meanwhile are sent too.
   */
  replay() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      const total = { sent: [], failed: [], held: [], stopped: null };
      do {
        this.again = false;
        const r = await this.lock(() => this.runReplay());
        total.sent.push(...r.sent);
        total.failed.push(...r.failed);
        total.held = r.held;
        total.stopped = r.stopped;
      } while (this.again && !total.stopped);
      return total;
    })().finally(() => {
      this.running = null;
      this.sendingKey = null;
    });
    return this.running;
  }

  async send(item) {
    if (item.form) return this.fetch(item.url, {
      method: item.method,
      credentials: 'same-origin',
      // no Content-Type: the browser writes the multipart boundary
      headers: { Accept: 'application/json', ...this.headers(), ...item.headers },
      body: uploadBody(item.form),
    });
    return this.fetch(item.url, {
      method: item.method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(item.body !== null ? { 'Content-Type': 'application/json' } : {}),
        ...this.headers(),
        ...item.headers,
      },
      body: item.body !== null ? JSON.stringify(item.body) : undefined,
    });
  }

  async runReplay() {
    const result = { sent: [], failed: [], held: [], stopped: null };
    const blocked = new Map(); // record id -> key of the item that blocks it
    const block = (item, by) => {
      // Worked out again, not only read from the item: items queued by an older
      // version of this file may name fewer targets.
      const ids = new Set([...(item.targets || []), ...targetsOf(item.method, item.url, item.body, item.form)]);
      for (const id of ids) blocked.set(id, by);
    };

    for (const queued of await this.list()) {
      const item = await this.store.get(queued.key); // it may have been discarded meanwhile
      if (!item) continue;
      if (item.status === 'failed') {
        block(item, item.key);
        continue;
      }
      const blocker = [...idsIn(item)].map((id) => blocked.get(id)).find(Boolean);
      if (blocker) {
        block(item, blocker);
        if (item.blocked_by !== blocker) await this.store.put({ ...item, blocked_by: blocker });
        result.held.push(item.key);
        continue;
      }

      this.sendingKey = item.key;
      let res;
      try {
        res = await this.send(item);
        if (res.status === 403 && (await this.refreshAuth())) res = await this.send(item);
      } catch (err) {
        res = null;
      }

      if (res && res.status >= 200 && res.status < 300) {
        await this.store.delete(item.key);
        this.failures = 0;
        result.sent.push({ item, data: await readBody(res) });
        continue;
      }
      if (res && res.status === 401) {
        result.stopped = 'auth';
        break;
      }
      if (!res || res.status >= 500 || res.status === 408 || res.status === 429) {
        this.failures += 1;
        await this.store.put({ ...item, attempts: item.attempts + 1, blocked_by: null });
        result.stopped = res ? 'server' : 'network';
        break;
      }
      const data = await readBody(res);
      await this.store.put({
        ...item,
        status: 'failed',
        blocked_by: null,
        attempts: item.attempts + 1,
        error: {
          status: res.status,
          message: (data && data.message) || null,
          fields: (data && data.errors && data.errors.json) || null,
        },
      });
      block(item, item.key);
      result.failed.push(item.key);
    }
    this.sendingKey = null;
    await this.emit();
    return result;
  }
}
