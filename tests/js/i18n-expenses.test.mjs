import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const root = new URL('../../app/static/pwa/', import.meta.url);
const words = Object.fromEntries(
  ['en', 'zh-CN'].map((l) => [l, JSON.parse(readFileSync(new URL(`i18n/${l}.json`, root), 'utf8'))]),
);
const VIEWS = ['views/expenses', 'views/expense', 'views/approvals', 'views/expense-report', 'views/settings', 'views/pending', 'components/claim'];

function lookup(dict, key) {
  return key.split('.').reduce((node, part) => (node ? node[part] : undefined), dict);
}

test('every expenses./approvals. word the screens use exists in English and Chinese', () => {
  const keys = new Set();
  for (const v of VIEWS) {
    const src = readFileSync(new URL(`js/${v}.js`, root), 'utf8');
    for (const m of src.matchAll(/t\(\s*'((?:expenses|approvals)\.[a-z_.]+)'/g)) keys.add(m[1]);
    for (const m of src.matchAll(/'((?:expenses)\.(?:sent|saved|saved_offline))'/g)) keys.add(m[1]);
  }
  const dynamic = {
    category: ['travel', 'lodging', 'meals', 'fuel', 'entertainment', 'other'],
    status: ['draft', 'pending', 'approved', 'paid'],
    waiting: ['lead', 'manager', 'finance'],
    step: ['submit', 'lead', 'manager', 'finance', 'pay'],
    skip: ['own_claim', 'no_team_lead', 'below_threshold'],
    pending: ['expense', 'expense_submit', 'expense_delete', 'receipt', 'receipt_delete'],
  };
  for (const [group, codes] of Object.entries(dynamic)) for (const c of codes) keys.add(`expenses.${group}.${c}`);
  for (const k of ['approved_by', 'rejected_by', 'done_approve', 'done_reject', 'done_pay', 'scope_mine', 'scope_all',
    'reject_title', 'reject_label', 'pay_title', 'pay_label']) keys.add(`expenses.${k}`);
  assert.ok(keys.size > 80, `found only ${keys.size} keys`);
  for (const lang of Object.keys(words)) {
    const missing = [...keys].filter((k) => {
      const v = lookup(words[lang], k);
      return !(typeof v === 'string' || (v && typeof v.other === 'string'));
    });
    assert.deepEqual(missing, [], `${lang} lacks`);
  }
});
