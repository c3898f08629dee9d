// One expense claim: what it is (items, receipts, history) and what you may do with it
// now (edit, submit, approve, reject, pay); and the claim form, which works offline:
// the claim, its receipt photos and the submit wait in the outbox until the phone is online.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { queue } from '../lib/sync.js';
import { go } from '../lib/router.js';
import { setTitle, confirmSheet, toast } from '../lib/sheets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { allCustomers } from '../lib/db.js';
import { applyToClaims } from '../lib/queued.js';
import { toCents, totalOf } from '../lib/money.js';
import { prepareReceipt } from '../lib/receipts.js';
import { localDate, formatDateTime } from '../lib/time.js';
import { money } from '../components/money.js';
import { statusBadge, receiptThumbs, bindReceipts, decide, askText } from '../components/claim.js';

// The claim screen redraws after a sync; the form never does (it would lose the typing).
export let live = true;

const CATEGORIES = ['travel', 'lodging', 'meals', 'fuel', 'entertainment', 'other'];
const uuid = () => crypto.randomUUID();

function day(ymd) {
  return new Intl.DateTimeFormat(state.locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${ymd}T00:00:00Z`));
}

function queuedFor(id) {
  return state.queued.filter((i) => i.url.startsWith(`/api/v1/expenses/${id}`) || (i.url === '/api/v1/expenses' && i.body?.id === id));
}

/** Receipt photos still in the outbox, as local previews. */
function queuedReceipts(id) {
  return queuedFor(id)
    .filter((i) => i.form)
    .map((i) => ({ id: i.form.fields.id, content_type: i.form.file.type, local: URL.createObjectURL(i.form.file), _queued: i.status }));
}

// ---- Detail -----------------------------------------------------------------

function itemRow(item, currency) {
  const limit = item.over_limit
    ? html`<span class="flag">${t('expenses.over_limit_of', { amount: money(item.limit_amount, currency), category: t(`expenses.category.${item.category}`) })}</span>`
    : '';
  return html`<li class="x-item">
    <div class="row-main">
      <strong>${t(`expenses.category.${item.category}`)}</strong>
      <span class="meta">${day(item.spent_on)}${item.note ? ` · ${item.note}` : ''}</span>
      ${limit}
    </div>
    <span class="amount">${money(item.amount, currency)}</span>
  </li>`;
}

function historyLine(h) {
  const when = formatDateTime(new Date(h.created_at), state.locale, zone());
  const step = t(`expenses.step.${h.step}`);
  let what;
  if (h.action === 'skipped') what = t('expenses.skipped', { step, why: t(`expenses.skip.${h.comment}`) });
  else if (h.action === 'submitted') what = t('expenses.submitted_by', { name: h.actor_name || '' });
  else if (h.action === 'paid') what = t('expenses.paid_by', { name: h.actor_name || '', reference: h.comment || '' });
  else what = t(`expenses.${h.action}_by`, { step, name: h.actor_name || '' });
  const comment = h.comment && !['skipped', 'paid'].includes(h.action) ? html`<span class="meta">“${h.comment}”</span>` : '';
  return html`<li class="h-${h.action}"><strong>${what}</strong>${comment}<span class="meta">${when}</span></li>`;
}

export async function show(page, id) {
  live = true;
  const res = await api(`/expenses/${id}`);
  if (!page.isConnected) return;
  let claim = res.ok ? res.data : null;
  const queued = queuedFor(id);
  if (queued.length) claim = applyToClaims(claim ? [claim] : [], queued).find((c) => c.id === id) || claim;
  if (!claim) {
    mount(page, html`<header class="page-head row">${backLink('/expenses')}<h1>${t('expenses.title')}</h1></header>
      <p class="empty">${res.offline ? t('common.offline_nothing') : t('expenses.not_found')}</p>`);
    return;
  }
  setTitle(claim.title);
  const can = claim._queued ? (claim.status === 'draft' ? ['edit', 'submit'] : []) : claim.can || [];
  const receipts = [...(claim.receipts || []), ...queuedReceipts(id)];
  mount(
    page,
    html`<header class="page-head row">${backLink(new URLSearchParams(location.search).get('from') === 'approvals' ? '/approvals' : '/expenses')}
        <h1>${claim.title}</h1></header>
      ${staleNote(res)}
      <section class="card x-summary">
        <div><span class="amount big">${money(claim.total, claim.currency)}</span>${statusBadge(claim)}</div>
        ${claim.owner_name && html`<span class="meta">${t('expenses.by', { name: claim.owner_name })}</span>`}
        ${claim.flagged && html`<p class="warn">${t('expenses.flagged')}</p>`}
        ${claim.status === 'draft' && claim.rejected_reason &&
        html`<div class="error-box"><p><strong>${t('expenses.returned')}</strong></p><p>${claim.rejected_reason}</p></div>`}
        ${claim.payment_reference && html`<span class="meta">${t('expenses.reference', { reference: claim.payment_reference })}</span>`}
      </section>
      <section><h2>${t('expenses.items')}</h2>
        <ul class="list">${(claim.items || []).map((i) => itemRow(i, claim.currency))}</ul></section>
      <section data-receipts><h2>${t('expenses.receipts')}</h2>${receiptThumbs(receipts)}</section>
      ${(claim.history || []).length > 0 &&
      html`<section><h2>${t('expenses.history')}</h2><ol class="history card">${claim.history.map(historyLine)}</ol></section>`}
      <div class="x-actions">
        ${can.includes('approve') && html`<button class="btn btn-primary btn-block" type="button" data-act="approve">${t('expenses.approve')}</button>`}
        ${can.includes('pay') && html`<button class="btn btn-primary btn-block" type="button" data-act="pay">${t('expenses.pay')}</button>`}
        ${can.includes('reject') && html`<button class="btn btn-danger btn-block" type="button" data-act="reject">${t('expenses.reject')}</button>`}
        ${can.includes('submit') && html`<button class="btn btn-primary btn-block" type="button" data-act="submit">${t('expenses.submit')}</button>`}
        ${can.includes('edit') && html`<a class="btn btn-block" href="/expenses/${id}/edit">${t('expenses.edit')}</a>`}
        ${can.includes('delete') && html`<button class="btn btn-quiet btn-block" type="button" data-act="delete">${t('expenses.delete')}</button>`}
      </div>
      <div class="fab-space"></div>`,
  );
  bindReceipts(page.querySelector('[data-receipts]'));
  page.querySelector('.x-actions').addEventListener('click', async (e) => {
    const act = e.target.closest('[data-act]')?.dataset.act;
    if (!act) return;
    if (act === 'submit') {
      await queue({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, body: null, meta: { type: 'expense_submit', title: claim.title } });
      return show(page, id);
    }
    if (act === 'delete') {
      if (!(await confirmSheet({ title: t('expenses.delete_title'), body: claim.title, ok: t('expenses.delete'), danger: true }))) return;
      await queue({ method: 'DELETE', url: `/api/v1/expenses/${id}`, body: null, meta: { type: 'expense_delete', title: claim.title } });
      return go('/expenses');
    }
    let extra = {};
    if (act === 'reject' || act === 'pay') {
      const text = await askText(act);
      if (!text) return;
      extra = act === 'reject' ? { reason: text } : { reference: text };
    }
    if (!(await decide(claim, act, extra))) return;
    // A cashier who sends a claim back no longer sees it (it is a draft again).
    if (act === 'reject' && state.me.role === 'cashier') return go('/approvals');
    show(page, id);
  });
}

// ---- The claim form (new, or edit a draft) -----------------------------------

let form = null; // {id, isNew, version, title, items, receipts (server), added [{id, blob, filename, url}], removed}

function blankItem() {
  return { id: uuid(), category: 'travel', amount: '', spent_on: localDate(new Date(), zone()), note: '', customer_id: null };
}

function itemEditor(item, i, customers) {
  return html`<fieldset class="card x-edit" data-item="${i}">
    <legend class="meta">${t('expenses.item_n', { n: i + 1 })}</legend>
    <label class="field"><span>${t('expenses.category_label')}</span>
      <select name="category">${CATEGORIES.map((c) => html`<option value="${c}" ${item.category === c ? html`selected` : ''}>${t(`expenses.category.${c}`)}</option>`)}</select></label>
    <div class="two">
      <label class="field"><span>${t('expenses.amount')}</span>
        <input name="amount" inputmode="decimal" autocomplete="off" placeholder="0.00" value="${item.amount}" required /></label>
      <label class="field"><span>${t('expenses.date')}</span>
        <input name="spent_on" type="date" value="${item.spent_on}" required /></label>
    </div>
    ${customers.length > 0 &&
    html`<label class="field"><span>${t('expenses.customer')}</span>
      <select name="customer_id"><option value="">${t('expenses.no_customer')}</option>
        ${customers.map((c) => html`<option value="${c.id}" ${item.customer_id === c.id ? html`selected` : ''}>${c.name}</option>`)}</select></label>`}
    <label class="field"><span>${t('expenses.note')}</span><input name="note" value="${item.note || ''}" maxlength="2000" /></label>
    <button class="btn btn-quiet btn-small" type="button" data-remove="${i}">${t('expenses.remove_item')}</button>
  </fieldset>`;
}

function readItems(page) {
  return [...page.querySelectorAll('[data-item]')].map((fs) => {
    const item = form.items[Number(fs.dataset.item)];
    return {
      ...item,
      category: fs.querySelector('[name=category]').value,
      amount: fs.querySelector('[name=amount]').value.trim(),
      spent_on: fs.querySelector('[name=spent_on]').value,
      note: fs.querySelector('[name=note]').value.trim(),
      customer_id: fs.querySelector('[name=customer_id]')?.value || null,
    };
  });
}

async function paintForm(page) {
  const seen = await allCustomers().catch(() => []);
  const customers = seen.sort((a, b) => (b.used_at || 0) - (a.used_at || 0) || (b.seen_at || 0) - (a.seen_at || 0)).slice(0, 40);
  const kept = (form.receipts || []).filter((r) => !form.removed.includes(r.id));
  mount(
    page,
    html`<header class="page-head row">${backLink(form.isNew ? '/expenses' : `/expenses/${form.id}`)}
        <h1>${t(form.isNew ? 'expenses.new' : 'expenses.edit')}</h1></header>
      <form class="x-form" novalidate data-form>
        <label class="field"><span>${t('expenses.claim_title')}</span>
          <input name="title" required maxlength="200" value="${form.title}" placeholder="${t('expenses.title_hint')}" /></label>
        <div data-items>${form.items.map((item, i) => itemEditor(item, i, customers))}</div>
        <button class="btn btn-block" type="button" data-add>${t('expenses.add_item')}</button>
        <p class="x-total">${t('expenses.total')} <strong data-total>${money(totalOf(form.items), 'CNY')}</strong></p>
        <section><h2>${t('expenses.receipts')}</h2>
          <ul class="thumbs">
            ${kept.map((r) => html`<li><span class="thumb">${r.content_type === 'application/pdf' ? html`<span class="pdf">PDF</span>` : html`<img src="${r.url}" alt="" />`}</span>
              <button class="btn btn-quiet btn-small" type="button" data-drop="${r.id}">${t('expenses.remove_item')}</button></li>`)}
            ${form.added.map((r) => html`<li><span class="thumb">${r.blob.type === 'application/pdf' ? html`<span class="pdf">PDF</span>` : html`<img src="${r.url}" alt="" />`}</span>
              <button class="btn btn-quiet btn-small" type="button" data-unadd="${r.id}">${t('expenses.remove_item')}</button></li>`)}
          </ul>
          <div class="row-buttons x-capture">
            <label class="btn btn-small"><input type="file" accept="image/*,application/pdf" capture="environment" data-camera hidden />${t('expenses.take_photo')}</label>
            <label class="btn btn-small"><input type="file" accept="image/*,application/pdf" multiple data-pick hidden />${t('expenses.choose_file')}</label>
          </div>
        </section>
        <p class="form-error" role="alert" data-error></p>
        <div class="x-actions">
          <button class="btn btn-primary btn-block" type="submit" value="submit">${t('expenses.save_submit')}</button>
          <button class="btn btn-block" type="submit" value="save">${t('expenses.save_draft')}</button>
        </div>
      </form>
      <div class="fab-space"></div>`,
  );
  const el = page.querySelector('[data-form]');
  const keep = () => {
    form.title = el.querySelector('[name=title]').value;
    form.items = readItems(page);
  };
  el.addEventListener('input', () => {
    keep();
    page.querySelector('[data-total]').textContent = money(totalOf(form.items), 'CNY');
  });
  el.querySelector('[data-add]').addEventListener('click', () => {
    keep();
    form.items.push(blankItem());
    paintForm(page);
  });
  el.addEventListener('click', (e) => {
    const b = e.target.closest('[data-remove],[data-drop],[data-unadd]');
    if (!b) return;
    keep();
    if (b.dataset.remove !== undefined) form.items.splice(Number(b.dataset.remove), 1);
    if (b.dataset.drop) form.removed.push(b.dataset.drop);
    if (b.dataset.unadd) form.added = form.added.filter((r) => r.id !== b.dataset.unadd);
    paintForm(page);
  });
  for (const input of el.querySelectorAll('[data-camera],[data-pick]')) {
    input.addEventListener('change', async () => {
      keep();
      for (const file of input.files) {
        const { blob, filename } = await prepareReceipt(file);
        form.added.push({ id: uuid(), blob, filename, url: URL.createObjectURL(blob) });
      }
      paintForm(page);
    });
  }
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    keep();
    const submit = e.submitter?.value === 'submit';
    const error = validate(submit);
    if (error) {
      page.querySelector('[data-error]').textContent = error;
      return;
    }
    await save(submit);
  });
}

function validate(submit) {
  if (!form.title.trim()) return t('expenses.need_title');
  if (submit && !form.items.length) return t('expenses.need_item');
  for (const item of form.items) {
    const cents = toCents(item.amount);
    if (!cents) return t('expenses.bad_amount');
    if (!item.spent_on) return t('expenses.need_date');
  }
  return null;
}

async function save(submit) {
  const items = form.items.map((i) => ({
    id: i.id,
    category: i.category,
    amount: i.amount.replace(/,/g, ''),
    spent_on: i.spent_on,
    note: i.note || null,
    customer_id: i.customer_id || null,
  }));
  const title = form.title.trim();
  const id = form.id;
  if (form.isNew) {
    await queue({ method: 'POST', url: '/api/v1/expenses', body: { id, title, currency: 'CNY', items }, meta: { type: 'expense', title } });
  } else {
    await queue({
      method: 'PATCH',
      url: `/api/v1/expenses/${id}`,
      body: { title, items },
      headers: form.version ? { 'If-Match': `"${form.version}"` } : {},
      meta: { type: 'expense', title },
    });
  }
  for (const receiptId of form.removed) {
    await queue({ method: 'DELETE', url: `/api/v1/expenses/${id}/receipts/${receiptId}`, body: null, meta: { type: 'receipt_delete', title } });
  }
  for (const r of form.added) {
    await queue({
      method: 'POST',
      url: `/api/v1/expenses/${id}/receipts`,
      form: { fields: { id: r.id }, file: r.blob, filename: r.filename },
      meta: { type: 'receipt', title },
    });
  }
  if (submit) await queue({ method: 'POST', url: `/api/v1/expenses/${id}/submit`, body: null, meta: { type: 'expense_submit', title } });
  toast(t(state.online ? (submit ? 'expenses.sent' : 'expenses.saved') : 'expenses.saved_offline'));
  form = null;
  go(`/expenses/${id}`, { replace: true });
}

export async function showNew(page) {
  live = false;
  setTitle(t('expenses.new'));
  form = { id: uuid(), isNew: true, version: null, title: '', items: [blankItem()], receipts: [], added: [], removed: [] };
  await paintForm(page);
}

export async function showEdit(page, id) {
  live = false;
  setTitle(t('expenses.edit'));
  const res = await api(`/expenses/${id}`);
  let claim = res.ok ? res.data : null;
  const queued = queuedFor(id);
  if (queued.length) claim = applyToClaims(claim ? [claim] : [], queued).find((c) => c.id === id) || claim;
  if (!claim || claim.status !== 'draft') return go(`/expenses/${id}`, { replace: true });
  form = {
    id,
    isNew: false, // still in the outbox or not: a PATCH after its create, in order
    version: claim._queued ? null : claim.version,
    title: claim.title,
    items: (claim.items || []).map((i) => ({ ...i, note: i.note || '' })),
    receipts: claim.receipts || [],
    added: [],
    removed: [],
  };
  await paintForm(page);
}
