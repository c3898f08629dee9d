import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileRoutes, matchRoute, redirectFor } from '../../app/static/pwa/js/lib/router.js';

const table = JSON.parse(readFileSync(new URL('../../app/static/pwa/js/lib/routes.json', import.meta.url), 'utf8'));
const routes = compileRoutes(table);
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('the route table names a screen, a tab and a function for each path', () => {
  const at = (path) => {
    const { view, tab, fn, params } = matchRoute(routes, path);
    return [view, tab, fn, params];
  };
  assert.deepEqual(at('/'), ['today', 'today', 'show', []]);
  assert.deepEqual(at('/today'), ['today', 'today', 'show', []]);
  assert.deepEqual(at('/customers/new'), ['customers', 'customers', 'showNew', []]);
  assert.deepEqual(at(`/customers/${ID}`), ['customer', 'customers', 'show', [ID]]);
  assert.deepEqual(at(`/customers/${ID.toUpperCase()}`), ['customer', 'customers', 'show', [ID.toUpperCase()]]);
  assert.deepEqual(at(`/expenses/${ID}/edit`), ['expense', 'settings', 'showEdit', [ID]]);
  assert.deepEqual(at(`/expenses/${ID}`), ['expense', 'settings', 'show', [ID]]);
  assert.deepEqual(at('/reports/sales'), ['sales-report', 'settings', 'show', []]);
  assert.deepEqual(at('/signin'), ['signin', null, 'show', []]);
  // Unknown paths, ids that are not UUIDs and fixed words in another case show Today.
  for (const path of ['/nope', '/customers/123', '/SETTINGS', `/orders/${ID}/x`]) assert.equal(at(path)[0], 'today', path);
});

test('every screen the table names is a module under views/', () => {
  for (const { view } of table) readFileSync(new URL(`../../app/static/pwa/js/views/${view}.js`, import.meta.url));
});

test('signed out, every path is the sign-in screen; signed in, sign-in is Today', () => {
  assert.equal(redirectFor('/customers', { signedIn: false, authLost: false }), '/signin');
  assert.equal(redirectFor('/signin', { signedIn: false, authLost: false }), '/signin');
  assert.equal(redirectFor('/signin', { signedIn: true, authLost: false }), '/today');
  assert.equal(redirectFor('/signin', { signedIn: true, authLost: true }), '/signin');
  assert.equal(redirectFor('/deals', { signedIn: true, authLost: false }), '/deals');
});
