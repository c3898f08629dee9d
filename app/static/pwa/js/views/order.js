// One order: lines, total, paid, outstanding, status, and its payments (finance
// or the owner records them).

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast, setTitle } from '../lib/sheets.js';
import { staleNote, backLink, mountMissing } from '../components/page-head.js';
import { openFormSheet, sendFromSheet } from '../components/form-sheet.js';
import { formatMoney, toCents, isAmount } from '../lib/money.js';
import { formatDateTime, isoWithOffset } from '../lib/time.js';

export const live = false;

let shown = null;
const METHODS = ['bank_transfer', 'cash', 'card', 'cheque', 'other'];

function paint(page) {
  const { res, data: o } = shown;
  if (!o) return mountMissing(page, res, { back: '/deals?status=won', title: t('orders.orders'), notFound: 'orders.not_found' });
  const money = (v) => formatMoney(v, o.currency, state.locale);
  const queued = queuedPayments(o.id);
  const ids = new Set(queued.map((p) => p.id));
  const payments = [...queued, ...(o.payments || []).filter((p) => !ids.has(p.id))];
  setTitle(o.number);
  const canPay = o.status !== 'cancelled' && toCents(o.outstanding) > 0 &&
    (['finance', 'manager', 'admin', 'lead'].includes(state.me.role) || o.owner_id === state.me.id);
  mount(
    page,
    html`<header class="page-head row">${backLink(o.opportunity_id ? `/deals/${o.opportunity_id}` : `/customers/${o.customer_id}`)}
        <div class="head-text">
          <h1>${t('orders.title', { number: o.number })}</h1>
          <p class="sub"><a href="/customers/${o.customer_id}">${o.customer_name}</a></p>
        </div>
      </header>
      ${staleNote(res || {})}
      <p class="tags"><span class="badge b-${o.status}">${t(`orders.status.${o.status}`)}</span></p>
      <dl class="facts card money-facts">
        <div><dt>${t('orders.total')}</dt><dd>${money(o.total)}</dd></div>
        <div><dt>${t('orders.paid')}</dt><dd>${money(o.paid)}</dd></div>
        <div><dt>${t('orders.outstanding')}</dt><dd class="${toCents(o.outstanding) > 0 ? 'late' : ''}">${money(o.outstanding)}</dd></div>
      </dl>
      ${canPay && html`<button class="btn btn-primary btn-block" type="button" data-pay>${t('orders.add_payment')}</button>`}
      ${o.status === 'cancelled' && html`<p class="hint">${t('orders.cancelled_note')}</p>`}
      <section>
        <h2>${t('orders.lines')} <span class="count">${(o.lines || []).length}</span></h2>
        <ul class="list">${(o.lines || []).map(
          (l) => html`<li class="order-line"><span class="row-main"><strong>${l.description || '—'}</strong>
            <span class="meta">${l.quantity} × ${money(l.unit_price)}${l.discount_pct !== '0.00' ? html` · −${l.discount_pct}%` : ''}</span></span>
            <strong>${money(l.line_total)}</strong></li>`,
        )}</ul>
      </section>
      <section>
        <h2>${t('orders.payments')} <span class="count">${payments.length}</span></h2>
        ${payments.length
          ? html`<ul class="list">${payments.map(
              (p) => html`<li class="order-line${p._queued ? ' queued' : ''}"><span class="row-main"><strong>${t(`orders.methods.${p.method}`)}</strong>
                <span class="meta">${formatDateTime(new Date(p.received_at), state.locale, zone())}${p.reference ? html` · ${p.reference}` : ''}</span>
                ${p._queued && html`<span class="meta queued-text">${p._queued === 'failed' ? html`<a href="/pending">${t('queue.failed_note')}</a>` : t('queue.waiting_note')}</span>`}</span>
                <strong>${money(p.amount)}</strong></li>`,
            )}</ul>`
          : html`<p class="empty">${t('orders.no_payments')}</p>`}
      </section>`,
  );
}

/** Payments recorded on this phone that the server hasn't got yet. */
function queuedPayments(orderId) {
  const url = `/api/v1/orders/${orderId}/payments`;
  return state.queued.filter((i) => i.method === 'POST' && i.url === url).map((i) => ({ ...i.body, _queued: i.status }));
}

/** Redraw when a queued payment is sent or refused; once sent, show the order's new totals. */
export async function onQueue(page) {
  if (!shown?.data) return;
  const now = queuedPayments(shown.data.id).length;
  const before = shown.waiting || 0;
  shown.waiting = now;
  if (now < before) return load(page, shown.data.id);
  if (now || before) paint(page);
}

function openPayment(page) {
  const o = shown.data;
  const { form } = openFormSheet({
    title: t('orders.add_payment'),
    fields: html`<label class="field"><span>${t('orders.amount')} (${o.currency})</span>
        <input name="amount" inputmode="decimal" required value="${o.outstanding}" /></label>
      <fieldset class="group"><legend>${t('orders.method')}</legend>
        <div class="chips small">${METHODS.map((m, i) => html`<label class="chip"><input type="radio" name="method" value="${m}" ${i === 0 ? html`checked` : ''} /><span>${t(`orders.methods.${m}`)}</span></label>`)}</div>
      </fieldset>
      <label class="field"><span>${t('orders.reference')}</span><input name="reference" maxlength="100" /></label>`,
    ok: t('orders.save_payment'),
  });
  // One id per payment, not per tap: a retry after a lost answer is the same payment.
  const paymentId = crypto.randomUUID();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = form.querySelector('[data-error]');
    const amount = form.elements.amount.value.trim();
    if (!isAmount(amount)) {
      error.textContent = t('orders.amount_invalid');
      form.elements.amount.focus();
      return;
    }
    const body = {
      id: paymentId,
      amount,
      method: form.querySelector('[name=method]:checked').value,
      received_at: isoWithOffset(new Date(), zone()), // when it was taken, even if sent later
    };
    const reference = form.elements.reference.value.trim();
    if (reference) body.reference = reference;
    const result = await sendFromSheet(form, { method: 'POST', url: `/api/v1/orders/${o.id}/payments`, body,
      meta: { type: 'payment', title: o.number } });
    if (!result) return;
    if (result.state === 'queued') return paint(page);
    toast(t('orders.payment_saved'));
    await load(page, o.id);
  });
}

async function load(page, id) {
  const res = await api(`/orders/${id}`);
  if (res.status === 401 || !page.isConnected || shown.id !== id) return;
  shown = res.ok ? { id, res, data: res.data } : { ...shown, res };
  shown.waiting = queuedPayments(id).length;
  paint(page);
}

export async function show(page, id) {
  id = id.toLowerCase();
  page.addEventListener('click', (e) => {
    if (e.target.closest('[data-pay]') && shown?.data) openPayment(page);
  });
  shown = { id, res: null, data: null };
  mount(page, html`<div class="skeleton tall"></div><div class="skeleton"></div>`);
  await load(page, id);
}
