// Near me and the offline book: distances, filters and order; the delta sync's merge of
// changes, removals and overlapping windows; GCJ-02 against published reference values.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { distanceM, nearList, matches, isOverdue, knowsVisits, radiusLabel, RADII_M } from '../../app/static/pwa/js/lib/near.js';
import { mergeItem, applyItems, bookSize, syncBook, FIRST_SYNC, KEYS } from '../../app/static/pwa/js/lib/book.js';
import { wgs84ToGcj02, displayPoint, outOfChina } from '../../app/static/pwa/js/lib/gcj02.js';
import { relativeAgo } from '../../app/static/pwa/js/lib/time.js';

const HERE = { lat: 30.5928, lng: 114.3055 };
const M_PER_DEG = (6371000 * Math.PI) / 180;
const north = (m) => ({ lat: HERE.lat + m / M_PER_DEG, lng: HERE.lng });
const east = (m) => ({ lat: HERE.lat, lng: HERE.lng + m / (M_PER_DEG * Math.cos((HERE.lat * Math.PI) / 180)) });

test('haversine distance: metres north along a meridian exactly, and Shanghai to Beijing', () => {
  assert.ok(Math.abs(distanceM(HERE, north(300)) - 300) < 0.01);
  assert.ok(Math.abs(distanceM(HERE, east(2400)) - 2400) < 1);
  // The eviltransform suite's Shanghai-Beijing distance, 1,078,164 m on a sphere of
  // 6,378,137 m; on ours (6,371,000 m, as the server) the same angle is shorter.
  const d = distanceM({ lat: 31.17530398364597, lng: 121.531541859215 }, { lat: 39.91334545536069, lng: 116.38404722455657 });
  assert.ok(Math.abs(d - (1078164 * 6371000) / 6378137) < 2, String(d));
  assert.equal(distanceM(HERE, HERE), 0);
});

const book = [
  { id: 'a', name: 'Alpha', status: 'active', rfm_segment: 'champion', ...north(300), open_followups: 2 },
  { id: 'b', name: 'Bravo', status: 'prospect', rfm_segment: null, ...east(2400) },
  { id: 'c', name: 'Charlie', status: 'active', rfm_segment: 'at risk', ...north(-8000), visit_due_on: '2026-11-30' },
  { id: 'd', name: 'Delta', status: 'inactive', ...east(-30000), visit_overdue: true },
  { id: 'e', name: 'Echo', status: 'active', lat: null, lng: null },
];

test('nearest first inside the radius, with the distance; the chips change the set', () => {
  const at = (radiusM) => nearList(book, { position: HERE, radiusM }).map((c) => c.id);
  assert.deepEqual(RADII_M, [1000, 5000, 20000]);
  assert.deepEqual(at(1000), ['a']);
  assert.deepEqual(at(5000), ['a', 'b']);
  assert.deepEqual(at(20000), ['a', 'b', 'c']);
  assert.deepEqual(at(50000), ['a', 'b', 'c', 'd']); // e has no coordinates
  const [first] = nearList(book, { position: HERE, radiusM: 5000 });
  assert.ok(Math.abs(first.distance_m - 300) < 0.01);
  assert.equal(book[0].distance_m, undefined, 'the book rows are not changed');
});

test('without a position: every matching customer by name, no distances', () => {
  const list = nearList(book, { position: null, filters: { status: 'active' } });
  assert.deepEqual(list.map((c) => c.id), ['a', 'c', 'e']);
  assert.ok(list.every((c) => c.distance_m === null));
});

test('filters: visit overdue (when the server says), open follow-up, RFM segment, status', () => {
  const today = '2026-12-02';
  assert.equal(isOverdue(book[2], today), true); // due 30 Nov
  assert.equal(isOverdue(book[2], '2026-11-30'), false); // due today is not late
  assert.equal(isOverdue(book[3], today), true);
  assert.equal(isOverdue(book[0], today), false); // no cadence fields: never overdue
  assert.equal(knowsVisits(book), true);
  assert.equal(knowsVisits(book.slice(0, 2)), false);
  const ids = (filters) => nearList(book, { position: HERE, radiusM: 50000, filters, today }).map((c) => c.id);
  assert.deepEqual(ids({ overdue: true }), ['c', 'd']);
  assert.deepEqual(ids({ followup: true }), ['a']);
  assert.deepEqual(ids({ segment: 'at risk' }), ['c']);
  assert.deepEqual(ids({ status: 'active', overdue: true }), ['c']);
  assert.equal(matches(book[1], { segment: '', status: '' }, today), true);
});

test('radius chips read as the locale says', () => {
  assert.equal(radiusLabel(1000, 'en'), '1 km');
  assert.equal(radiusLabel(20000, 'zh-CN'), '20公里');
});

test('the book keeps per id the higher version, and what a slim item lacks', () => {
  const stored = { id: 'x', version: 3, name: 'New name', address: 'Typed on the card', open_followups: 1 };
  assert.deepEqual(mergeItem(stored, { id: 'x', version: 2, name: 'Old name' }), { keep: true });
  const { put } = mergeItem(stored, { id: 'x', version: 4, name: 'Newer', open_followups: undefined });
  assert.deepEqual(put, { id: 'x', version: 4, name: 'Newer', address: 'Typed on the card', open_followups: 1, in_book: true });
  assert.ok(mergeItem(stored, { id: 'x', version: 3, name: 'New name' }).put, 'the same version again is harmless');
  assert.ok(mergeItem(undefined, { id: 'y', version: 1, name: 'Fresh' }).put);
});

test('removals drop the row unless the phone has seen it since', () => {
  const removal = { id: 'x', deleted: true, updated_at: '2026-12-02T08:00:00+00:00' };
  assert.deepEqual(mergeItem({ id: 'x', version: 2, updated_at: '2026-12-01T08:00:00+00:00' }, removal), { remove: 'x' });
  assert.deepEqual(mergeItem({ id: 'x', version: 2 }, removal), { remove: 'x' });
  assert.deepEqual(mergeItem({ id: 'x', version: 5, updated_at: '2026-12-02T09:00:00+00:00' }, removal), { keep: true });
  assert.deepEqual(mergeItem(undefined, removal), { keep: true });
});

test('a page applies in order: moved away then back again, and overlapping windows', () => {
  const rows = new Map([['x', { id: 'x', version: 1, name: 'X' }], ['z', { id: 'z', version: 7, name: 'Z' }]]);
  const counts = applyItems(rows, [
    { id: 'x', deleted: true, updated_at: '2026-12-02T08:00:00+00:00' },
    { id: 'x', version: 3, name: 'X back', updated_at: '2026-12-02T08:05:00+00:00' },
    { id: 'z', version: 6, name: 'Z older, sent again by the overlap' },
    { id: 'w', deleted: true, updated_at: '2026-12-02T08:06:00+00:00' },
  ]);
  assert.deepEqual(counts, { changed: 1, removed: 1 });
  assert.equal(rows.get('x').name, 'X back');
  assert.equal(rows.get('z').name, 'Z');
  assert.equal(rows.has('w'), false);
});

function fakeKv(initial = {}) {
  const data = new Map(Object.entries(initial));
  return { data, get: async (k) => data.get(k), set: async (k, v) => void data.set(k, v), del: async (k) => void data.delete(k) };
}

function fakeServer(pages) {
  const asked = [];
  const get = async (path) => {
    asked.push(path);
    const url = new URL(path, 'http://x');
    const page = pages[url.searchParams.get('cursor') || 'first'];
    return page ? { ok: true, status: 200, data: page } : { ok: false, status: 0, offline: true, data: null };
  };
  return { asked, get };
}

test('a sync walks every page from the last as_of, then remembers the new one', async () => {
  const rows = new Map([['gone', { id: 'gone', version: 1 }]]);
  const store = { apply: async (items) => applyItems(rows, items) };
  const server = fakeServer({
    first: { items: [{ id: 'a', version: 1, name: 'A' }], next_cursor: 'p2', as_of: '2026-12-02T08:00:00+00:00' },
    p2: { items: [{ id: 'gone', deleted: true, updated_at: '2026-12-02T07:59:00+00:00' }], next_cursor: null, as_of: '2026-12-02T08:00:00+00:00' },
  });
  const kv = fakeKv();
  const result = await syncBook({ get: server.get, store, kv, now: () => 42, limit: 1 });
  assert.deepEqual(result, { ok: true, pages: 2, changed: 1, removed: 1, asOf: '2026-12-02T08:00:00+00:00' });
  assert.deepEqual([...rows.keys()], ['a']);
  const first = new URL(server.asked[0], 'http://x').searchParams;
  assert.equal(first.get('updated_since'), FIRST_SYNC);
  assert.equal(first.get('limit'), '1');
  assert.equal(new URL(server.asked[1], 'http://x').searchParams.get('cursor'), 'p2');
  assert.equal(kv.data.get(KEYS.asOf), '2026-12-02T08:00:00+00:00');
  assert.equal(kv.data.get(KEYS.syncedAt), 42);
  assert.equal(kv.data.has(KEYS.walk), false);
});

test('a walk cut short keeps the old as_of and resumes at its cursor', async () => {
  const rows = new Map();
  const store = { apply: async (items) => applyItems(rows, items) };
  const kv = fakeKv({ [KEYS.asOf]: '2026-12-01T00:00:00+00:00' });
  const cut = fakeServer({ first: { items: [{ id: 'a', version: 1 }], next_cursor: 'p2', as_of: 'T' } });
  const failed = await syncBook({ get: cut.get, store, kv });
  assert.equal(failed.ok, false);
  assert.equal(kv.data.get(KEYS.asOf), '2026-12-01T00:00:00+00:00');
  assert.deepEqual(kv.data.get(KEYS.walk), { since: '2026-12-01T00:00:00+00:00', cursor: 'p2' });
  const rest = fakeServer({ p2: { items: [{ id: 'b', version: 1 }], next_cursor: null, as_of: 'T' } });
  const done = await syncBook({ get: rest.get, store, kv });
  assert.equal(done.ok, true);
  assert.equal(rest.asked.length, 1, 'the first page is not fetched again');
  assert.deepEqual([...rows.keys()], ['a', 'b']);
  assert.equal(kv.data.get(KEYS.asOf), 'T');
});

test('a book too old for the server (410) is dropped and downloaded again from the start', async () => {
  const rows = new Map([['stale', { id: 'stale', version: 1, in_book: true }]]);
  const store = { apply: async (items) => applyItems(rows, items), clear: async () => rows.clear() };
  const kv = fakeKv({ [KEYS.asOf]: '2026-08-01T00:00:00+00:00', [KEYS.walk]: { since: '2026-08-01T00:00:00+00:00', cursor: 'old' } });
  const asked = [];
  const get = async (path) => {
    asked.push(new URL(path, 'http://x').searchParams.get('updated_since'));
    if (asked.length === 1) return { ok: false, status: 410, data: { code: 410 } };
    return { ok: true, status: 200, data: { items: [{ id: 'a', version: 2 }], next_cursor: null, as_of: 'T' } };
  };
  const result = await syncBook({ get, store, kv, now: () => 7 });
  assert.deepEqual(asked, ['2026-08-01T00:00:00+00:00', FIRST_SYNC]);
  assert.equal(result.ok, true);
  assert.equal(result.fresh, true);
  assert.deepEqual([...rows.keys()], ['a']);
  assert.equal(kv.data.get(KEYS.asOf), 'T');
  assert.equal(kv.data.has(KEYS.walk), false);
});

test('an answer from the service worker cache is no sync', async () => {
  const kv = fakeKv();
  const get = async () => ({ ok: true, offline: true, data: { items: [], next_cursor: null, as_of: 'T' } });
  const result = await syncBook({ get, store: { apply: async () => ({ changed: 0, removed: 0 }) }, kv });
  assert.equal(result.ok, false);
  assert.equal(kv.data.has(KEYS.asOf), false);
});

test('the book size: rows and about how many KB', () => {
  assert.deepEqual(bookSize([]), { count: 0, kb: 0 });
  const rows = Array.from({ length: 100 }, (_, i) => ({ id: `id-${i}`, name: 'x'.repeat(100) }));
  const { count, kb } = bookSize(rows);
  assert.equal(count, 100);
  assert.ok(kb >= 11 && kb <= 13, String(kb));
});

test('WGS-84 to GCJ-02 matches the published eviltransform and gcoord vectors', () => {
  // googollee/eviltransform's tests: [wgsLat, wgsLng, gcjLat, gcjLng].
  const vectors = [
    [31.1774276, 121.5272106, 31.17530398364597, 121.531541859215], // Shanghai
    [22.543847, 113.912316, 22.540796131694766, 113.9171764808363], // Shenzhen
    [39.911954, 116.377817, 39.91334545536069, 116.38404722455657], // Beijing
  ];
  for (const [lat, lng, gLat, gLng] of vectors) {
    const [y, x] = wgs84ToGcj02(lat, lng);
    assert.ok(Math.abs(y - gLat) < 1e-9 && Math.abs(x - gLng) < 1e-9, `${lat},${lng} -> ${y},${x}`);
  }
  // hujiulong/gcoord's test: [123, 45] -> [123.00607541, 45.00197815] (to 5 places).
  const [lat, lng] = wgs84ToGcj02(45, 123);
  assert.ok(Math.abs(lat - 45.00197815) < 1e-5 && Math.abs(lng - 123.00607541) < 1e-5);
  // Outside China nothing moves (Denver, Brisbane, and a longitude past 180).
  assert.deepEqual(wgs84ToGcj02(39.7392, -104.9903), [39.7392, -104.9903]);
  assert.deepEqual(wgs84ToGcj02(-27.4698, 153.0251), [-27.4698, 153.0251]);
  assert.equal(outOfChina(45, 183), true);
  assert.deepEqual(displayPoint(31.1774276, 121.5272106, 'wgs84'), [31.1774276, 121.5272106]);
  assert.notDeepEqual(displayPoint(31.1774276, 121.5272106, 'gcj02'), [31.1774276, 121.5272106]);
});

test('"as of" reads in both languages', () => {
  const now = Date.parse('2026-12-02T08:00:00Z');
  assert.equal(relativeAgo(now - 10000, now, 'en'), null);
  assert.equal(relativeAgo(now - 5 * 60000, now, 'en'), '5 minutes ago');
  assert.equal(relativeAgo(now - 5 * 60000, now, 'zh-CN'), '5分钟前');
  assert.equal(relativeAgo(now - 2 * 3600000, now, 'en'), '2 hours ago');
  assert.equal(relativeAgo(now - 3 * 86400000, now, 'zh-CN'), '3天前');
});

test('every near./book. word the screens use exists in English and Chinese', () => {
  const root = new URL('../../app/static/pwa/', import.meta.url);
  const words = Object.fromEntries(['en', 'zh-CN'].map((l) => [l, JSON.parse(readFileSync(new URL(`i18n/${l}.json`, root), 'utf8'))]));
  const keys = new Set();
  for (const file of ['views/near.js', 'components/near-map.js', 'components/book-card.js', 'views/customers.js']) {
    const src = readFileSync(new URL(`js/${file}`, root), 'utf8');
    for (const m of src.matchAll(/'((?:near|book)\.[a-z_]+)'/g)) if (!Object.values(KEYS).includes(m[1])) keys.add(m[1]);
  }
  assert.ok(keys.size > 35, `found only ${keys.size}`);
  for (const [lang, dict] of Object.entries(words)) {
    const missing = [...keys].filter((k) => {
      const v = k.split('.').reduce((node, part) => node?.[part], dict);
      return !(typeof v === 'string' || typeof v?.other === 'string');
    });
    assert.deepEqual(missing, [], `${lang} lacks`);
  }
});
