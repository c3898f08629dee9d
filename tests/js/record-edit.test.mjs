// The customer record on the phone: what an edit sends, a 412's field-by-field merge,
// the decision chain's tree, the card with queued edits, and the pin's accuracy rule.
import test from 'node:test';
import assert from 'node:assert/strict';
import { changedFields, conflictFields, resolvedBody, sameValue, parseTags } from '../../app/static/pwa/js/lib/record-edit.js';
import { buildChain, managerChoices, reportsOf } from '../../app/static/pwa/js/lib/chain.js';
import { applyToCustomer } from '../../app/static/pwa/js/lib/queued.js';
import { Outbox, MemoryStore } from '../../app/static/pwa/js/lib/outbox.js';
import { pinOf, locateProblem } from '../../app/static/pwa/js/components/pin-here.js';

const C = '11111111-1111-4111-8111-111111111111';
const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('an edit sends only what the rep changed; a cleared field is sent as null', () => {
  const seen = { name: 'Acme', phone: '021 555', email: null, city: 'Shanghai', tags: ['vip', 'east'], status: 'active' };
  const typed = { name: 'Acme ', phone: '', email: '', city: 'Suzhou', tags: ['east', 'vip'], status: 'active' };
  assert.deepEqual(changedFields(seen, typed, Object.keys(typed)), { phone: null, city: 'Suzhou' });
  // Tags in another order, blank and null, trailing spaces: the same value.
  assert.ok(sameValue(['a', 'b'], ['b', 'a']) && sameValue('', null) && sameValue(undefined, null) && sameValue([], null));
  assert.ok(!sameValue(0, null));
  assert.deepEqual(changedFields(seen, { tags: ['vip'] }, ['tags', 'name']), { tags: ['vip'] });
});

test('a 412 shows only the fields where the rep and the server disagree, and merges per field', () => {
  const mine = { phone: '139', city: 'Suzhou', industry: 'Tea', tags: ['vip'] };
  const theirs = { version: 5, phone: '138', city: 'Suzhou', industry: 'Textiles', tags: ['vip'], name: 'Acme' };
  const rows = conflictFields(mine, theirs);
  assert.deepEqual(rows, [
    { field: 'phone', mine: '139', theirs: '138' },
    { field: 'industry', mine: 'Tea', theirs: 'Textiles' },
  ]);
  // Keep my phone, take their industry: what is left to send. City and tags are already
  // as typed on the server, so they need not go again.
  assert.deepEqual(resolvedBody(mine, theirs, { phone: 'mine', industry: 'theirs' }), { phone: '139' });
  assert.deepEqual(resolvedBody(mine, theirs, { phone: 'theirs', industry: 'theirs' }), {});
  assert.deepEqual(resolvedBody(mine, theirs), { phone: '139', industry: 'Tea' }); // default: mine
  // A field the server lacks compares as empty; ignored fields never show.
  assert.deepEqual(conflictFields({ lat: 31.2, location_accuracy: 12 }, { lat: null }, { ignore: ['location_accuracy'] }),
    [{ field: 'lat', mine: 31.2, theirs: null }]);
});

test('tags typed in one box, with English or Chinese commas, each once', () => {
  assert.deepEqual(parseTags(' vip, 华东，key account;vip ,, '), ['vip', '华东', 'key account']);
  assert.deepEqual(parseTags(''), []);
});

test('the decision chain is the tree reports_to_id makes; a missing manager makes a root', () => {
  const contacts = [
    { id: id(1), name: 'Zhao CEO' },
    { id: id(2), name: 'Li CFO', reports_to_id: id(1) },
    { id: id(3), name: 'Chen Buyer', reports_to_id: id(2) },
    { id: id(4), name: 'An Engineer', reports_to_id: id(1) },
    { id: id(5), name: 'Orphan', reports_to_id: id(99) }, // their manager was removed
    { id: id(6), name: 'Self', reports_to_id: id(6) },
  ];
  const shape = (nodes) => nodes.map((n) => [n.contact.name, ...(n.children.length ? [shape(n.children)] : [])]);
  assert.deepEqual(shape(buildChain(contacts)), [
    ['Orphan'], ['Self'], ['Zhao CEO', [['An Engineer'], ['Li CFO', [['Chen Buyer']]]]],
  ]);
  // A loop (refused by the server, but the tree must not lose anyone): broken at a root.
  const loop = [{ id: id(1), name: 'B', reports_to_id: id(2) }, { id: id(2), name: 'A', reports_to_id: id(1) }];
  assert.deepEqual(shape(buildChain(loop)), [['A', [['B']]]]);
  assert.deepEqual(buildChain([]), []);
  // Who Li may report to: not Li, not Chen (who reports to Li).
  assert.deepEqual([...reportsOf(contacts, id(1))].sort(), [id(2), id(3), id(4)]);
  assert.deepEqual(managerChoices(contacts, contacts[1]).map((c) => c.name), ['An Engineer', 'Orphan', 'Self', 'Zhao CEO']);
  assert.equal(managerChoices(contacts, null).length, 6);
});

test('the card shows queued edits at once: the customer, new, changed and removed contacts', () => {
  const card = { id: C, name: 'Acme', phone: '1', contacts: [{ id: id(1), name: 'Zhao' }, { id: id(2), name: 'Li' }] };
  const items = [
    { method: 'PATCH', url: `/api/v1/customers/${C}`, body: { phone: '2', tags: ['vip'] }, status: 'pending' },
    { method: 'POST', url: '/api/v1/contacts', body: { id: id(3), customer_id: C, name: 'Chen', reports_to_id: id(1) }, status: 'pending' },
    { method: 'POST', url: '/api/v1/contacts', body: { id: id(9), customer_id: id(8), name: 'elsewhere' }, status: 'pending' },
    { method: 'PATCH', url: `/api/v1/contacts/${id(1)}`, body: { title: 'CEO' }, status: 'failed' },
    { method: 'DELETE', url: `/api/v1/contacts/${id(2)}`, body: null, status: 'pending' },
    { method: 'PATCH', url: `/api/v1/customers/${id(7)}`, body: { phone: 'other' }, status: 'pending' },
  ];
  const c = applyToCustomer(card, items);
  assert.equal(c.phone, '2');
  assert.deepEqual(c.tags, ['vip']);
  assert.equal(c._queued, 'pending');
  assert.deepEqual(c.contacts.map((x) => [x.name, x.title || null, x._queued || null]),
    [['Zhao', 'CEO', 'failed'], ['Chen', null, 'pending']]);
  assert.equal(card.contacts.length, 2, 'the server copy is left as it was');
  assert.equal(card.phone, '1');
});

test('a 412 resolved goes again with the If-Match of the server version the rep saw', async () => {
  const calls = [];
  const answers = [412, 200];
  const outbox = new Outbox({
    store: new MemoryStore(),
    fetch: async (url, init) => {
      calls.push(init.headers['If-Match']);
      const status = answers.shift();
      return { status, json: async () => (status === 412 ? { message: 'changed' } : { id: C }) };
    },
  });
  const item = await outbox.add({ method: 'PATCH', url: `/api/v1/customers/${C}`, body: { phone: '139' }, headers: { 'If-Match': '"3"' } });
  await outbox.replay();
  const failed = await outbox.store.get(item.key);
  assert.equal(failed.error.status, 412);
  assert.deepEqual(failed.body, { phone: '139' }, 'what was typed is kept');
  await outbox.retry(item.key, { body: { phone: '139' }, ifMatch: '"5"' });
  await outbox.replay();
  assert.deepEqual(calls, ['"3"', '"5"']);
  assert.equal((await outbox.list()).length, 0);
});

test('a pin needs a fix better than 100 m; the reasons a position is missing', () => {
  assert.deepEqual(pinOf({ latitude: 31.23, longitude: 121.47, accuracy: 12.34 }), { lat: 31.23, lng: 121.47, accuracy: 12.3 });
  assert.deepEqual(pinOf({ latitude: 31.23, longitude: 121.47, accuracy: 100 }).lat, 31.23);
  assert.deepEqual(pinOf({ latitude: 31.23, longitude: 121.47, accuracy: 100.5 }), { poor: 101 });
  assert.deepEqual(pinOf({ latitude: 31.23, longitude: 121.47, accuracy: 1500 }), { poor: 1500 });
  assert.deepEqual(pinOf({ latitude: 31.23, longitude: 121.47 }), { poor: null });
  assert.equal(locateProblem({ code: 1 }), 'pin.denied');
  assert.equal(locateProblem({ code: 3 }), 'pin.timeout');
  assert.equal(locateProblem(new Error('x')), 'pin.unavailable');
});

test('every word the record screens use exists in English and Chinese', async () => {
  const { readFileSync } = await import('node:fs');
  const root = new URL('../../app/static/pwa/', import.meta.url);
  const words = Object.fromEntries(['en', 'zh-CN'].map((l) => [l, JSON.parse(readFileSync(new URL(`i18n/${l}.json`, root), 'utf8'))]));
  const lookup = (dict, key) => key.split('.').reduce((node, part) => (node ? node[part] : undefined), dict);
  const files = ['record-fields', 'record-edit-sheets', 'conflict-sheet', 'pin-here', 'decision-chain'].map((f) => `components/${f}`);
  const keys = new Set();
  for (const f of [...files, 'views/customer', 'views/pending']) {
    const src = readFileSync(new URL(`js/${f}.js`, root), 'utf8');
    for (const m of src.matchAll(/['`]((?:edit|contact|chain|pin|conflict|role|customer_status|queue)\.[a-z_]+)['`]/g)) keys.add(m[1]);
  }
  for (const type of ['customer_edit', 'pin', 'contact_new', 'contact_edit', 'contact_delete']) keys.add(`pending.${type}`);
  for (const r of ['decision_maker', 'influencer', 'champion', 'user', 'gatekeeper', 'other']) keys.add(`role.${r}`);
  assert.ok(keys.size > 60, `only ${keys.size} keys found`);
  for (const key of keys) {
    for (const [lang, dict] of Object.entries(words)) assert.equal(typeof lookup(dict, key), 'string', `${lang}: ${key}`);
  }
  assert.notEqual(lookup(words['zh-CN'], 'pin.button'), lookup(words.en, 'pin.button'));
});

test('"last contact 3 days ago" in the rep\'s words, nothing without a date', async () => {
  const { state } = await import('../../app/static/pwa/js/lib/state.js');
  const { lastContact } = await import('../../app/static/pwa/js/components/decision-chain.js');
  Object.assign(state, { locale: 'en', messages: { chain: { last_contact: 'last contact {when}' } }, me: { timezone: 'Asia/Shanghai' } });
  const now = new Date('2026-12-02T10:00:00+08:00');
  assert.equal(lastContact('2026-11-29T18:00:00+08:00', now), 'last contact 3 days ago');
  assert.equal(lastContact('2026-12-01T23:00:00+08:00', now), 'last contact yesterday');
  assert.equal(lastContact('2026-12-02T09:00:00+08:00', now), 'last contact today');
  assert.equal(lastContact(null, now), '');
  assert.equal(lastContact('not a date', now), '');
  state.locale = 'zh-CN';
  state.messages = { chain: { last_contact: '上次联系：{when}' } };
  assert.equal(lastContact('2026-11-29T18:00:00+08:00', now), '上次联系：3天前');
  Object.assign(state, { locale: 'en', messages: {}, me: null });
});
