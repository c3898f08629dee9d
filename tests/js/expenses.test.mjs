import test from 'node:test';
import assert from 'node:assert/strict';
import { toCents, fromCents, totalOf, barScale } from '../../app/static/pwa/js/lib/money.js';
import { applyToClaims } from '../../app/static/pwa/js/lib/queued.js';
import { fitWithin, jpegName } from '../../app/static/pwa/js/lib/receipts.js';

const id = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

test('money is counted in cents, never in floats', () => {
  assert.equal(toCents('0.10') + toCents('0.20'), 30);
  assert.equal(totalOf([{ amount: '0.10' }, { amount: '0.20' }]), '0.30');
  assert.equal(totalOf([{ amount: '1999.7' }, { amount: '0.3' }]), '2000.00');
  assert.equal(toCents('12'), 1200);
  assert.equal(toCents('1,250.5'), 125050);
  for (const bad of ['', 'abc', '1.234', '-5', '1e3', null]) assert.equal(toCents(bad), null, bad);
  assert.equal(fromCents(5), '0.05');
});

test('photos are shrunk to at most 1600 px on the long side, never enlarged', () => {
  assert.deepEqual(fitWithin(4032, 3024), { width: 1600, height: 1200, scaled: true });
  assert.deepEqual(fitWithin(3024, 4032), { width: 1200, height: 1600, scaled: true });
  assert.deepEqual(fitWithin(800, 600), { width: 800, height: 600, scaled: false });
  assert.deepEqual(fitWithin(0, 10), { width: 0, height: 0, scaled: false });
  assert.equal(jpegName('IMG_0001.HEIC'), 'IMG_0001.jpg');
  assert.equal(jpegName(''), 'receipt.jpg');
});

test('claims in the outbox show up with their queued changes', () => {
  const server = [{ id: id(1), title: 'Old', status: 'draft', total: '5.00', created_at: '2026-11-01T00:00:00Z', receipts: [] }];
  const items = [
    { method: 'POST', url: '/api/v1/expenses', body: { id: id(2), title: 'New', items: [{ amount: '0.10' }, { amount: '0.20' }] }, status: 'pending' },
    { method: 'POST', url: `/api/v1/expenses/${id(2)}/receipts`, form: { fields: { id: id(3) } }, status: 'pending' },
    { method: 'PATCH', url: `/api/v1/expenses/${id(1)}`, body: { items: [{ amount: '7' }] }, status: 'pending' },
    { method: 'POST', url: `/api/v1/expenses/${id(1)}/submit`, body: null, status: 'pending' },
  ];
  const claims = applyToClaims(server, items);
  assert.deepEqual(claims.map((c) => [c.id, c.total, c.status]), [[id(2), '0.30', 'draft'], [id(1), '7.00', 'pending']]);
  assert.equal(claims[0].queued_receipts, 1);
  assert.equal(claims[0]._new, true);
  const deleted = applyToClaims(server, [{ method: 'DELETE', url: `/api/v1/expenses/${id(1)}`, status: 'pending' }]);
  assert.deepEqual(deleted, []);
});

test('bars are scaled to the largest amount', () => {
  assert.deepEqual(barScale(['50.00', '100.00', '0.00']), [50, 100, 0]);
  assert.deepEqual(barScale([]), []);
  assert.deepEqual(barScale(['0.00']), [0]);
});
