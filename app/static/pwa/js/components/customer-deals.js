// The customer card's deals: the open ones (each a link to its detail), those made
// on this phone and not sent yet, and "New deal" (offline too: it waits in the outbox).

import { html } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast } from '../lib/sheets.js';
import { go } from '../lib/router.js';
import { openFormSheet, sendFromSheet } from './form-sheet.js';
import { queuedDeals } from '../lib/queued.js';
import { formatMoney, isAmount } from '../lib/money.js';


export function dealsSection(customer, deals) {
  const queued = queuedDeals(state.queued, customer.id);
  const ids = new Set(queued.map((d) => d.id));
  const items = [...queued, ...(deals || []).filter((d) => !ids.has(d.id))];
  return html`<section>
    <h2>${t('customer.deals')} <span class="count">${items.length}</span></h2>
    ${items.length
      ? html`<ul class="list deals">${items.map((d) => html`<li><a class="row-link" href="/deals/${d.id}">
          <span class="row-main"><strong>${d.name}</strong>
            <span class="meta">${d._queued ? t(d._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note') : `${d.stage_name} · ${t('deals.probability', { n: d.probability })}`}</span></span>
          ${d.amount !== null && d.amount !== undefined ? html`<strong>${formatMoney(d.amount, d.currency || 'CNY', state.locale)}</strong>` : ''}</a></li>`)}</ul>`
      : html`<p class="empty">${t('customer.no_deals')}</p>`}
    <button class="btn btn-block" type="button" data-new-deal>${t('customer.new_deal')}</button>
  </section>`;
}

/** The "New deal" sheet; `onQueued` runs when it was saved on the phone only. */
export function openNewDeal(customer, onQueued) {
  const { form } = openFormSheet({
    title: html`${t('customer.new_deal')} · ${customer.name}`,
    label: t('customer.new_deal'),
    fields: html`<label class="field"><span>${t('leads.deal_name')}</span><input name="name" maxlength="200" required value="${customer.name}" /></label>
      <label class="field"><span>${t('leads.amount')}</span><input name="amount" inputmode="decimal" placeholder="0.00" /></label>
      <label class="field"><span>${t('deals.expected_close')}</span><input name="expected_close_date" type="date" /></label>
      <p class="hint">${t('customer.new_deal_hint')}</p>`,
    ok: t('customer.create_deal'),
  });
  const id = crypto.randomUUID(); // one deal, however many taps and retries
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = form.querySelector('[data-error]');
    const name = form.elements.name.value.trim();
    const amount = form.elements.amount.value.trim();
    if (!name) {
      error.textContent = t('customer.deal_name_required');
      return form.elements.name.focus();
    }
    if (amount && !isAmount(amount)) {
      error.textContent = t('orders.amount_invalid');
      return form.elements.amount.focus();
    }
    const body = { id, customer_id: customer.id, name };
    if (amount) body.amount = amount;
    if (form.elements.expected_close_date.value) body.expected_close_date = form.elements.expected_close_date.value;
    const result = await sendFromSheet(form, { method: 'POST', url: '/api/v1/opportunities', body, meta: { type: 'deal_new', title: customer.name } });
    if (!result) return;
    if (result.state === 'queued') return onQueued();
    toast(t('customer.deal_created'));
    go(`/deals/${id}`);
  });
}
