import test from 'node:test';
import assert from 'node:assert/strict';
import { Outbox, MemoryStore, backoff, idsIn, targetsOf } from '../../app/static/pwa/js/lib/outbox.js';
import {
  applyToAgenda, applyToFollowups, applyToTimeline, queuedCustomers, queuedLeads,
} from '../../app/static/pwa/js/lib/queued.js';

const ME = '00000000-0000-4000-8000-00000000000a';
const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * A tiny fake server. `rules` maps "METHOD url" (or a function) to what to
 * answer; by default creates are idempotent by id (201, then 200).
 */
function fakeServer(rules = {}) {
  const calls = [];
  const stored = new Map();
  let offline = false;
  const fetch = async (url, init) => {
    const body = init.body ? JSON.parse(init.body) : null;
    calls.push({ url, method: init.method, body, headers: init.headers });
    if (offline) throw new TypeError('Failed to fetch');
    const rule = rules[`${init.method} ${url}`];
    const answer = typeof rule === 'function' ? rule({ url, body, headers: init.headers, calls }) : rule;
    if (answer) return new Response(answer.body ? JSON.stringify(answer.body) : null, { status: answer.status });
    if (init.method === 'POST') {
      const again = stored.has(body.id);
      stored.set(body.id, body);
      return new Response(JSON.stringify(body), { status: again ? 200 : 201 });
    }
    return new Response(JSON.stringify({ ok: true }), { status: 200 });
  };
  return { fetch, calls, stored, setOffline: (v) => (offline = v) };
}

function makeOutbox(server, extra = {}) {
  let n = 0;
  return new Outbox({
    store: new MemoryStore(),
    fetch: server.fetch,
    owner: () => ME,
    uuid: () => id(9000 + (n += 1)),
    headers: () => ({ 'X-CSRF-Token': 'token-1' }),
    ...extra,
  });
}

const visit = (n, extra = {}) => ({
  method: 'POST',
  url: '/api/v1/activities',
  body: { id: id(n), kind: 'visit', customer_id: id(500), notes: `note ${n}`, ...extra },
  meta: { type: 'activity' },
});

const sentUrls = (server) => server.calls.map((c) => `${c.method} ${c.body?.id || c.url}`);

test('replays in the order the writes were made and empties the queue', async () => {
  const server = fakeServer();
  const box = makeOutbox(server);
  await box.add(visit(1));
  await box.add({ method: 'PATCH', url: `/api/v1/activities/${id(77)}`, body: { done_at: '2026-11-22T10:00:00+08:00' } });
  await box.add(visit(2));
  const result = await box.replay();
  assert.deepEqual(sentUrls(server), [`POST ${id(1)}`, `PATCH /api/v1/activities/${id(77)}`, `POST ${id(2)}`]);
  assert.equal(result.sent.length, 3);
  assert.equal(result.stopped, null);
  assert.deepEqual(await box.list(), []);
  assert.equal(server.calls[0].headers['X-CSRF-Token'], 'token-1');
  assert.equal(server.calls[0].headers['Content-Type'], 'application/json');
});

test('quick successive adds keep their order', async () => {
  const box = makeOutbox(fakeServer());
  await Promise.all([box.add(visit(1)), box.add(visit(2)), box.add(visit(3))]);
  assert.deepEqual((await box.list()).map((i) => i.body.id), [id(1), id(2), id(3)]);
  assert.deepEqual((await box.list()).map((i) => i.seq), [1, 2, 3]);
});

test('replaying a create twice is safe: the server answers 200 with the stored record', async () => {
  const server = fakeServer();
  const box = makeOutbox(server);
  const item = await box.add(visit(1));
  await box.replay();
  // The page died before it could remove the item: it is sent again.
  await box.store.put({ ...item });
  const again = await box.replay();
  assert.equal(again.sent.length, 1);
  assert.equal(server.stored.size, 1);
  assert.deepEqual(await box.list(), []);
});

test('offline: stop at once, keep everything, back off', async () => {
  const server = fakeServer();
  server.setOffline(true);
  const box = makeOutbox(server);
  await box.add(visit(1));
  await box.add(visit(2));
  const result = await box.replay();
  assert.equal(result.stopped, 'network');
  assert.equal(server.calls.length, 1, 'later items are not tried');
  const items = await box.list();
  assert.equal(items.length, 2);
  assert.equal(items[0].status, 'pending');
  assert.equal(items[0].attempts, 1);
  assert.equal(box.nextDelay(), 5000);
  await box.replay();
  assert.equal(box.nextDelay(), 10000);
  server.setOffline(false);
  const back = await box.replay();
  assert.equal(back.sent.length, 2);
  assert.equal(box.nextDelay(), 0);
});

test('5xx, 408 and 429 are retried later, in order', async () => {
  for (const status of [500, 503, 408, 429]) {
    const server = fakeServer({ [`POST /api/v1/activities`]: { status, body: { message: 'busy' } } });
    const box = makeOutbox(server);
    await box.add(visit(1));
    await box.add(visit(2));
    const result = await box.replay();
    assert.equal(result.stopped, 'server', `status ${status}`);
    assert.equal(server.calls.length, 1);
    assert.deepEqual((await box.list()).map((i) => i.status), ['pending', 'pending']);
  }
});

test('backoff doubles from 5 s up to 5 minutes', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 7, 20].map(backoff), [0, 5000, 10000, 20000, 40000, 300000, 300000]);
});

test('401 stops the replay and keeps the queue for after sign-in', async () => {
  const server = fakeServer({ 'POST /api/v1/activities': { status: 401, body: { message: 'Sign in first.' } } });
  const box = makeOutbox(server);
  await box.add(visit(1));
  await box.add(visit(2));
  const result = await box.replay();
  assert.equal(result.stopped, 'auth');
  assert.equal(server.calls.length, 1);
  const items = await box.list();
  assert.deepEqual(items.map((i) => i.status), ['pending', 'pending']);
  assert.equal(items[0].body.notes, 'note 1');
});

test('a 403 refreshes the CSRF token once and resends', async () => {
  let token = 'stale';
  const server = fakeServer({
    'POST /api/v1/activities': ({ headers }) => (headers['X-CSRF-Token'] === 'fresh' ? null : { status: 403, body: { message: 'Missing or wrong X-CSRF-Token header.' } }),
  });
  let refreshed = 0;
  const box = makeOutbox(server, {
    headers: () => ({ 'X-CSRF-Token': token }),
    refreshAuth: async () => {
      refreshed += 1;
      token = 'fresh';
      return true;
    },
  });
  await box.add(visit(1));
  const result = await box.replay();
  assert.equal(refreshed, 1);
  assert.equal(result.sent.length, 1);
  assert.equal(server.calls.length, 2);
});

test('a refused write (422) is kept with the server message and the rep\'s text', async () => {
  const server = fakeServer({
    [`POST /api/v1/customers`]: {
      status: 422,
      body: { code: 422, status: 'Unprocessable Entity', message: 'Invalid data.', errors: { json: { phone: ['Not a phone number.'] } } },
    },
  });
  const box = makeOutbox(server);
  await box.add({ method: 'POST', url: '/api/v1/customers', body: { id: id(1), name: 'Acme 上海', phone: 'call me' } });
  const result = await box.replay();
  assert.deepEqual(result.failed.length, 1);
  const [item] = await box.list();
  assert.equal(item.status, 'failed');
  assert.deepEqual(item.error, { status: 422, message: 'Invalid data.', fields: { phone: ['Not a phone number.'] } });
  assert.equal(item.body.name, 'Acme 上海');
  assert.equal(item.body.phone, 'call me');
  // A failed item is not resent on its own: it waits for the rep.
  await box.replay();
  assert.equal(server.calls.length, 1);
});

test('a failed item blocks only the changes that depend on it', async () => {
  const customer = id(1);
  const server = fakeServer({ 'POST /api/v1/customers': { status: 422, body: { message: 'Invalid data.' } } });
  const box = makeOutbox(server);
  await box.add({ method: 'POST', url: '/api/v1/customers', body: { id: customer, name: 'New Co' } });
  await box.add({ ...visit(2), body: { ...visit(2).body, customer_id: customer } }); // needs the customer
  await box.add(visit(3)); // unrelated
  await box.add({ method: 'PATCH', url: `/api/v1/activities/${id(2)}`, body: { notes: 'more' } }); // needs visit 2
  const result = await box.replay();
  assert.deepEqual(sentUrls(server), [`POST ${customer}`, `POST ${id(3)}`]);
  assert.equal(result.held.length, 2);
  const items = await box.list();
  assert.deepEqual(items.map((i) => i.status), ['failed', 'pending', 'pending']);
  assert.equal(items[1].blocked_by, items[0].key);
  assert.equal(items[2].blocked_by, items[0].key);
});

test('fixing the failed item lets the held ones go, in order', async () => {
  const customer = id(1);
  const server = fakeServer({
    'POST /api/v1/customers': ({ body }) => (body.phone === 'call me' ? { status: 422, body: { message: 'Invalid data.' } } : null),
  });
  const box = makeOutbox(server);
  const bad = await box.add({ method: 'POST', url: '/api/v1/customers', body: { id: customer, name: 'New Co', phone: 'call me' } });
  await box.add({ ...visit(2), body: { ...visit(2).body, customer_id: customer } });
  await box.replay();
  await box.retry(bad.key, { body: { id: customer, name: 'New Co', phone: '+86 21 6888 1234' } });
  const result = await box.replay();
  assert.equal(result.sent.length, 2);
  assert.deepEqual(sentUrls(server).slice(-2), [`POST ${customer}`, `POST ${id(2)}`]);
  assert.deepEqual(await box.list(), []);
});

test('discarding the failed item frees the items it held', async () => {
  const server = fakeServer({ [`PATCH /api/v1/activities/${id(7)}`]: { status: 404, body: { message: 'Not found.' } } });
  const box = makeOutbox(server);
  const gone = await box.add({ method: 'PATCH', url: `/api/v1/activities/${id(7)}`, body: { done_at: 'x' } });
  await box.add({ method: 'PATCH', url: `/api/v1/activities/${id(7)}`, body: { notes: 'y' } });
  await box.replay();
  assert.equal(server.calls.length, 1);
  await box.discard(gone.key);
  const result = await box.replay();
  assert.equal(result.failed.length, 1); // the second one now meets the same 404 itself
  assert.equal((await box.list()).length, 1);
});

test('412 on a stale PATCH: kept; "save anyway" resends without If-Match', async () => {
  const url = `/api/v1/activities/${id(5)}`;
  const server = fakeServer({
    [`PATCH ${url}`]: ({ headers }) => (headers['If-Match'] ? { status: 412, body: { message: 'Someone else changed this record.' } } : null),
  });
  const box = makeOutbox(server);
  const item = await box.add({ method: 'PATCH', url, body: { due_at: '2026-11-25T09:00:00+08:00' }, headers: { 'If-Match': '"3"' } });
  await box.replay();
  const [failed] = await box.list();
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error.status, 412);
  await box.retry(item.key, { dropIfMatch: true });
  const result = await box.replay();
  assert.equal(result.sent.length, 1);
  assert.equal(server.calls.at(-1).headers['If-Match'], undefined);
});

test('a follow-up created offline (next.id) can be completed offline; it waits for its create', async () => {
  const followup = id(60);
  const server = fakeServer({ 'POST /api/v1/activities': { status: 422, body: { message: 'Invalid data.' } } });
  const box = makeOutbox(server);
  await box.add(visit(1, { next: { id: followup, kind: 'call', due_at: '2026-11-25T09:00:00+08:00' } }));
  await box.add({ method: 'PATCH', url: `/api/v1/activities/${followup}`, body: { done_at: 'now' } });
  const result = await box.replay();
  assert.equal(server.calls.length, 1);
  assert.equal(result.held.length, 1);
});

test('only the signed-in user\'s items are sent', async () => {
  const server = fakeServer();
  let owner = 'someone-else';
  const box = makeOutbox(server, { owner: () => owner });
  await box.add(visit(1));
  owner = ME;
  await box.add(visit(2));
  await box.replay();
  assert.deepEqual(sentUrls(server), [`POST ${id(2)}`]);
});

test('concurrent replays share one run, and writes queued meanwhile are sent too', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const server = fakeServer();
  const slowFetch = async (url, init) => {
    if (server.calls.length === 0) await gate;
    return server.fetch(url, init);
  };
  let locks = 0;
  const box = makeOutbox({ fetch: slowFetch }, { lock: (fn) => { locks += 1; return fn(); } });
  box.fetch = slowFetch;
  await box.add(visit(1));
  const first = box.replay();
  await new Promise((r) => setTimeout(r, 5));
  await box.add(visit(2));
  const second = box.replay();
  release();
  const [a, b] = await Promise.all([first, second]);
  assert.equal(a, b);
  assert.equal(a.sent.length, 2);
  assert.deepEqual(sentUrls(server), [`POST ${id(1)}`, `POST ${id(2)}`]);
  assert.equal(locks, 2, 'each pass runs under the cross-tab lock');
});

test('change listeners see the queue', async () => {
  const box = makeOutbox(fakeServer());
  const seen = [];
  box.onChange((items) => seen.push(items.length));
  await box.add(visit(1));
  await box.replay();
  assert.deepEqual(seen, [1, 0]);
});

test('ids and targets', () => {
  const item = visit(1, { next: { id: id(2), kind: 'call', due_at: 'x' } });
  assert.deepEqual([...idsIn(item)].sort(), [id(1), id(2), id(500)]);
  assert.deepEqual(targetsOf('POST', item.url, item.body), [id(1), id(2)]);
  assert.deepEqual(targetsOf('PATCH', `/api/v1/activities/${id(3).toUpperCase()}`, {}), [id(3)]);
  assert.deepEqual(targetsOf('PATCH', '/api/v1/users/me', {}), []);
});

// ---- Optimistic views ----

const SH = (iso) => new Date(iso);
const sectionOf = (due) => (due < SH('2026-11-21T16:00:00Z') ? 'overdue' : due < SH('2026-11-22T16:00:00Z') ? 'today' : 'upcoming');
const fu = (n, due, extra = {}) => ({ id: id(n), kind: 'task', action: 'call', due_at: due, customer_id: id(500), ...extra });

function queued(items) {
  return items.map((w, i) => ({ key: `k${i}`, seq: i + 1, status: 'pending', meta: {}, headers: {}, ...w }));
}

test('the agenda with queued changes applied', () => {
  const agenda = {
    overdue: [fu(1, '2026-11-20T01:00:00Z')],
    today: [fu(2, '2026-11-22T02:00:00Z'), fu(3, '2026-11-22T06:00:00Z')],
    upcoming: [fu(4, '2026-11-25T01:00:00Z')],
    counts: { overdue: 1, today: 2, upcoming: 60 },
  };
  const items = queued([
    { method: 'PATCH', url: `/api/v1/activities/${id(1)}`, body: { done_at: 'now' } },
    { method: 'PATCH', url: `/api/v1/activities/${id(4)}`, body: { due_at: '2026-11-22T08:00:00+08:00' } },
    {
      method: 'POST', url: '/api/v1/activities',
      body: { id: id(10), kind: 'visit', customer_id: id(500), completes_id: id(3), next: { id: id(11), kind: 'visit', due_at: '2026-11-24T09:00:00+08:00', note: 'bring samples' } },
      meta: { customer: { id: id(500), name: 'Acme' } },
    },
  ]);
  const out = applyToAgenda(agenda, items, sectionOf);
  assert.deepEqual(out.overdue.map((f) => f.id), []);
  assert.deepEqual(out.today.map((f) => f.id), [id(4), id(2)]);
  assert.deepEqual(out.upcoming.map((f) => f.id), [id(11)]);
  const added = out.upcoming[0];
  assert.equal(added.notes, 'bring samples');
  assert.equal(added.customer.name, 'Acme');
  assert.equal(added._queued, 'pending');
  assert.deepEqual(out.counts, { overdue: 0, today: 2, upcoming: 60 });
  assert.equal(agenda.today.length, 2, 'the input is not changed');
});

test('a customer\'s follow-ups and timeline with queued changes', () => {
  const items = queued([
    { method: 'POST', url: '/api/v1/activities', body: { id: id(20), kind: 'call', customer_id: id(500), occurred_at: '2026-11-22T10:00:00+08:00', notes: 'called', next: { id: id(21), kind: 'call', due_at: '2026-11-23T09:00:00+08:00' } }, meta: {} },
    { method: 'POST', url: '/api/v1/activities', body: { id: id(30), kind: 'visit', customer_id: id(999), occurred_at: '2026-11-22T11:00:00+08:00' }, meta: {} },
    { method: 'DELETE', url: `/api/v1/activities/${id(5)}`, body: null },
  ]);
  const followups = applyToFollowups([fu(5, '2026-11-22T01:00:00Z'), fu(6, '2026-11-26T01:00:00Z')], items, { customerId: id(500) });
  assert.deepEqual(followups.map((f) => f.id), [id(21), id(6)]);
  const timeline = applyToTimeline([{ id: id(40), kind: 'email', occurred_at: '2026-11-21T09:00:00+08:00' }], items, id(500));
  assert.deepEqual(timeline.map((a) => a.id), [id(20), id(40)]);
  assert.equal(timeline[0].notes, 'called');
});

test('customers being created show up in lists', () => {
  const items = queued([{ method: 'POST', url: '/api/v1/customers', body: { id: id(1), name: 'New Co' }, status: 'failed' }]);
  assert.deepEqual(queuedCustomers(items), [{ tags: [], status: 'prospect', id: id(1), name: 'New Co', _queued: 'failed' }]);
});

test('a lead typed offline is listed as the rep\'s, or in the pool when it goes there, with no score yet', () => {
  const me = { id: ME, name: '王伟' };
  const items = [
    { method: 'POST', url: '/api/v1/leads', body: { id: id(1), name: 'Li Na', company: 'Acme' }, status: 'pending' },
    { method: 'POST', url: '/api/v1/leads', body: { id: id(2), name: 'Zhao', pool: true }, status: 'failed' },
    { method: 'POST', url: '/api/v1/customers', body: { id: id(3), name: 'Not a lead' }, status: 'pending' },
    { method: 'POST', url: `/api/v1/leads/${id(4)}/claim`, body: null, status: 'pending' },
  ];
  assert.deepEqual(queuedLeads(items, me), [
    { status: 'open', score: null, owner_id: ME, owner_name: '王伟', id: id(1), name: 'Li Na', company: 'Acme', _queued: 'pending' },
    { status: 'open', score: null, owner_id: null, owner_name: null, id: id(2), name: 'Zhao', _queued: 'failed' },
  ]);
});

test('changes to one deal queued offline wait behind the first, which alone carries If-Match', async () => {
  // The deal screen sends If-Match only on the first change it queues; the rest
  // must not overtake it, and must be held when it is refused.
  const deal = id(5);
  const server = fakeServer({ [`PATCH /api/v1/opportunities/${deal}`]: { status: 412, body: { message: 'changed' } } });
  const box = new Outbox({ store: new MemoryStore(), fetch: server.fetch, owner: () => ME });
  await box.add({ method: 'PATCH', url: `/api/v1/opportunities/${deal}`, body: { stage_id: id(6) }, headers: { 'If-Match': '"3"' } });
  await box.add({ method: 'POST', url: `/api/v1/opportunities/${deal}/lose`, body: { reason: 'Price', note: null } });
  const result = await box.replay();
  assert.equal(result.failed.length, 1);
  assert.equal(result.held.length, 1);
  assert.deepEqual(server.calls.map((c) => c.url), [`/api/v1/opportunities/${deal}`]);
  const [first, second] = await box.list();
  assert.equal(first.status, 'failed');
  assert.equal(second.blocked_by, first.key);
});

test('discarding a guarded change hands its If-Match to the next change of the same record', async () => {
  const deal = id(5);
  const server = fakeServer({
    [`PATCH /api/v1/opportunities/${deal}`]: { status: 412, body: { message: 'changed' } },
    [`POST /api/v1/opportunities/${id(99)}/lose`]: { status: 422, body: { message: 'no such reason' } },
  });
  const box = new Outbox({ store: new MemoryStore(), fetch: server.fetch, owner: () => ME });
  const first = await box.add({ method: 'PATCH', url: `/api/v1/opportunities/${deal}`, body: { stage_id: id(6) }, headers: { 'If-Match': '"3"' } });
  await box.add({ method: 'POST', url: `/api/v1/opportunities/${id(99)}/lose`, body: { reason: 'Other deal' } });
  await box.add({ method: 'POST', url: `/api/v1/opportunities/${deal}/lose`, body: { reason: 'Price' } });
  await box.replay();
  await box.discard(first.key);
  const [other, held] = await box.list();
  assert.equal(other.headers['If-Match'], undefined); // another deal: not its guard
  assert.equal(held.headers['If-Match'], '"3"');
  // Sent again, it is refused like the change it was queued behind, not forced through.
  server.calls.length = 0;
  const lose = `/api/v1/opportunities/${deal}/lose`;
  const guarded = fakeServer({ [`POST ${lose}`]: ({ headers }) => (headers['If-Match'] === '"3"' ? { status: 412, body: {} } : { status: 200, body: {} }) });
  box.fetch = guarded.fetch;
  await box.replay();
  assert.equal((await box.list()).find((i) => i.url === lose).status, 'failed');
});

// ---- File uploads (receipts) ----------------------------------------------

test('an upload waits in the queue with its file and is sent as multipart', async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return new Response(JSON.stringify({ id: 'r' }), { status: 201 });
  };
  const box = new Outbox({ store: new MemoryStore(), fetch, owner: () => ME, headers: () => ({ 'X-CSRF-Token': 't' }) });
  const claim = id(7);
  const receipt = id(8);
  await box.add({ method: 'POST', url: '/api/v1/expenses', body: { id: claim, title: 'Trip', items: [] } });
  const file = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: 'image/jpeg' });
  const item = await box.add({
    method: 'POST',
    url: `/api/v1/expenses/${claim}/receipts`,
    form: { fields: { id: receipt }, file, filename: 'receipt.jpg' },
    meta: { type: 'receipt' },
  });
  assert.deepEqual(item.targets, [receipt, claim]);
  assert.ok(idsIn(item).has(claim), 'the upload depends on its claim');
  const stored = (await box.list())[1];
  assert.ok(stored.form.file instanceof Blob, 'the file survives the store');
  const result = await box.replay();
  assert.equal(result.sent.length, 2);
  const upload = calls[1].init;
  assert.ok(upload.body instanceof FormData);
  assert.equal(upload.headers['Content-Type'], undefined, 'the browser writes the boundary');
  assert.equal(upload.headers['X-CSRF-Token'], 't');
  assert.equal(upload.body.get('id'), receipt);
  const sent = upload.body.get('file');
  assert.equal(sent.name, 'receipt.jpg');
  assert.deepEqual([...new Uint8Array(await sent.arrayBuffer())], [0xff, 0xd8, 0xff, 0xe0]);
  assert.equal((await box.list()).length, 0);
});

test('an upload for a claim whose create failed is held, not sent', async () => {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push(url);
    if (url === '/api/v1/expenses') return new Response(JSON.stringify({ message: 'bad' }), { status: 422 });
    return new Response('{}', { status: 201 });
  };
  const box = new Outbox({ store: new MemoryStore(), fetch, owner: () => ME });
  const claim = id(9);
  await box.add({ method: 'POST', url: '/api/v1/expenses', body: { id: claim, title: '' } });
  await box.add({
    method: 'POST',
    url: `/api/v1/expenses/${claim}/receipts`,
    form: { fields: { id: id(10) }, file: new Blob(['x']), filename: 'a.jpg' },
  });
  const result = await box.replay();
  assert.equal(result.failed.length, 1);
  assert.equal(result.held.length, 1);
  assert.deepEqual(calls, ['/api/v1/expenses']);
});

test('targetsOf names an upload by its client id and the claim it changes', () => {
  assert.deepEqual(targetsOf('POST', `/api/v1/expenses/${id(1)}/receipts`, null, { fields: { id: id(2) } }), [id(2), id(1)]);
  assert.deepEqual(targetsOf('POST', `/api/v1/expenses/${id(1).toUpperCase()}/receipts`, null, { fields: {} }), [id(1)]);
  assert.deepEqual(targetsOf('POST', `/api/v1/expenses/${id(1)}/submit`, null), [id(1)]);
});

for (const status of [413, 422]) {
  test(`a refused upload (${status}) holds the submit queued after it; other claims go on`, async () => {
    const claim = id(20);
    const other = id(30);
    const calls = [];
    const fetch = async (url, init) => {
      calls.push(`${init.method} ${url}`);
      if (url === `/api/v1/expenses/${claim}/receipts`) {
        return new Response(JSON.stringify({ message: 'A receipt may be at most 10 MB.' }), { status });
      }
      return new Response('{}', { status: 200 });
    };
    const box = new Outbox({ store: new MemoryStore(), fetch, owner: () => ME });
    const upload = await box.add({
      method: 'POST',
      url: `/api/v1/expenses/${claim}/receipts`,
      form: { fields: { id: id(21) }, file: new Blob(['x']), filename: 'big.jpg' },
    });
    await box.add({ method: 'POST', url: `/api/v1/expenses/${claim}/submit`, body: null });
    await box.add({ method: 'POST', url: `/api/v1/expenses/${other}/submit`, body: null });
    const result = await box.replay();
    assert.deepEqual(calls, [`POST /api/v1/expenses/${claim}/receipts`, `POST /api/v1/expenses/${other}/submit`]);
    assert.equal(result.failed.length, 1);
    assert.equal(result.held.length, 1);
    const items = await box.list();
    assert.deepEqual(items.map((i) => i.status), ['failed', 'pending']);
    assert.equal(items[1].blocked_by, upload.key);
    // Replaying again still holds it; discarding the upload lets the submit go.
    await box.replay();
    assert.equal(calls.length, 2);
    await box.discard(upload.key);
    await box.replay();
    assert.deepEqual(calls.slice(2), [`POST /api/v1/expenses/${claim}/submit`]);
  });
}

test('an upload queued by an older version (targets: the receipt only) still holds the submit', async () => {
  const claim = id(40);
  const store = new MemoryStore();
  const calls = [];
  const fetch = async (url, init) => {
    calls.push(`${init.method} ${url}`);
    return new Response(JSON.stringify({ message: 'no' }), { status: url.endsWith('/receipts') ? 422 : 200 });
  };
  const box = new Outbox({ store, fetch, owner: () => ME });
  const upload = await box.add({
    method: 'POST',
    url: `/api/v1/expenses/${claim}/receipts`,
    form: { fields: { id: id(41) }, file: new Blob(['x']), filename: 'a.jpg' },
  });
  await store.put({ ...(await store.get(upload.key)), targets: [id(41)] });
  await box.add({ method: 'POST', url: `/api/v1/expenses/${claim}/submit`, body: null });
  const result = await box.replay();
  assert.equal(result.held.length, 1);
  assert.deepEqual(calls, [`POST /api/v1/expenses/${claim}/receipts`]);
});
