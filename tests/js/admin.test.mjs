import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { flattenErrors, nearestPath } from '../../app/static/pwa/js/lib/field-errors.js';

const root = new URL('../../app/static/pwa/', import.meta.url);

test('field errors flatten to dotted paths, as the API nests them', () => {
  const errors = {
    lead_cap: ['Must be greater than or equal to 1 and less than or equal to 10000.'],
    lose_reasons: { 1: ['Length must be between 1 and 80.'] },
    expense_limits: { meals: { value: { amount: ['Not a valid number.'], per: ['Must be one of: day, item.'] } } },
  };
  assert.deepEqual(flattenErrors(errors), [
    ['lead_cap', ['Must be greater than or equal to 1 and less than or equal to 10000.']],
    ['lose_reasons.1', ['Length must be between 1 and 80.']],
    ['expense_limits.meals.value.amount', ['Not a valid number.']],
    ['expense_limits.meals.value.per', ['Must be one of: day, item.']],
  ]);
  assert.deepEqual(flattenErrors({ lose_reasons: ['Each reason only once.'] }), [['lose_reasons', ['Each reason only once.']]]);
  assert.deepEqual(flattenErrors('Plain.'), [['', ['Plain.']]]);
  assert.deepEqual(flattenErrors({}), []);
  assert.deepEqual(flattenErrors(null), []);
});

test('an error lands on its field, else on the nearest group that has one', () => {
  const known = new Set(['lose_reasons', 'lose_reasons.0', 'expense_limits', 'expense_limits.meals.value.amount']);
  assert.equal(nearestPath('lose_reasons.0', known), 'lose_reasons.0');
  assert.equal(nearestPath('lose_reasons.7', known), 'lose_reasons');
  assert.equal(nearestPath('expense_limits.caviar.key', known), 'expense_limits');
  assert.equal(nearestPath('no_such_setting', known), null);
  assert.equal(nearestPath('', known), null);
});

test('every admin. word the screen uses exists in English and Chinese', () => {
  const words = Object.fromEntries(
    ['en', 'zh-CN'].map((l) => [l, JSON.parse(readFileSync(new URL(`i18n/${l}.json`, root), 'utf8'))]),
  );
  const src = ['views/admin.js', 'views/settings.js', 'components/server-form.js'].map((f) => readFileSync(new URL(`js/${f}`, root), 'utf8')).join('\n');
  const keys = new Set([...src.matchAll(/t\(\s*'(admin\.[a-z_]+)'/g)].map((m) => m[1]));
  for (const p of ['day', 'item']) keys.add(`admin.per_${p}`);
  assert.ok(keys.size > 40, `found only ${keys.size} keys`);
  for (const [lang, dict] of Object.entries(words)) {
    const missing = [...keys].filter((k) => typeof k.split('.').reduce((n, part) => n?.[part], dict) !== 'string');
    assert.deepEqual(missing, [], `${lang} lacks`);
    assert.deepEqual(Object.keys(dict.admin).sort(), Object.keys(words.en.admin).sort(), `${lang} admin keys`);
  }
});
