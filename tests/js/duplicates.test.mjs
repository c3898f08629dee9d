import test from 'node:test';
import assert from 'node:assert/strict';
import { duplicateQuery } from '../../app/static/pwa/js/lib/duplicates.js';

test('a customer is matched by name, phone and email once they say enough', () => {
  assert.equal(duplicateQuery({ name: 'A', phone: '138', email: 'x' }, ['name']), '');
  assert.equal(duplicateQuery({ name: ' Acme ', phone: '138 0013', email: 'a@b.cn' }, ['name']),
    'name=Acme&phone=138+0013&email=a%40b.cn');
});

test('a lead asks by company first, else by the person\'s name', () => {
  assert.equal(duplicateQuery({ company: 'Acme', name: 'Wei' }, ['company', 'name']), 'company=Acme');
  assert.equal(duplicateQuery({ company: 'A', name: 'Wei' }, ['company', 'name']), 'name=Wei');
});
