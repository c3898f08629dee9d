// Approvals: the claims waiting for my decision (a cashier: approved claims to pay), each
// with who, how much, flags and receipt thumbnails. Approve in one tap, reject with a
// reason, approve all at once. Decisions need the network: they are never queued, so
// nobody approves a claim that has moved on while the phone was offline.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle, toast, confirmSheet } from '../lib/sheets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { money } from '../components/money.js';
import { totalOf } from '../lib/money.js';
import { statusBadge, receiptThumbs, bindReceipts, decide, askText } from '../components/claim.js';

export const live = true;

let claims = [];

function card(c) {
  const paying = c.status === 'approved';
  return html`<li class="card approval" data-id="${c.id}">
    <a class="row-link" href="/expenses/${c.id}?from=approvals">
      <span class="row-main"><strong>${c.owner_name}</strong>
        <span class="meta">${c.title} · ${t('expenses.items_n', { n: (c.items || []).length })}</span>
        <span class="meta">${statusBadge(c)}</span></span>
      <span class="amount">${money(c.total, c.currency)}</span>
    </a>
    ${c.flagged && html`<p class="warn">${t('expenses.flagged')}</p>`}
    <div data-receipts>${receiptThumbs(c.receipts || [])}</div>
    <div class="row-buttons">
      <button class="btn btn-danger btn-small" type="button" data-act="reject">${t('expenses.reject')}</button>
      <button class="btn btn-primary btn-small" type="button" data-act="${paying ? 'pay' : 'approve'}">${t(paying ? 'expenses.pay' : 'expenses.approve')}</button>
    </div>
  </li>`;
}

export async function show(page) {
  setTitle(t('approvals.title'));
  const res = await api('/approvals?limit=100');
  if (!page.isConnected) return;
  claims = res.ok ? res.data.items : [];
  const approvable = claims.filter((c) => c.status === 'pending');
  mount(
    page,
    html`<header class="page-head row">${backLink('/settings')}<h1>${t('approvals.title')}</h1></header>
      ${staleNote(res)}
      ${!res.ok && html`<p class="empty">${res.offline ? t('common.offline_nothing') : t('common.error')}</p>`}
      ${res.ok && !claims.length && html`<p class="empty">${t('approvals.none')}</p>`}
      ${approvable.length > 1 &&
      html`<button class="btn btn-primary btn-block" type="button" data-all>${t('approvals.approve_all', { n: approvable.length })}</button>`}
      <ul class="cards" data-list>${claims.map(card)}</ul>
      <div class="fab-space"></div>`,
  );
  for (const el of page.querySelectorAll('[data-receipts]')) bindReceipts(el);
  page.querySelector('[data-list]').addEventListener('click', async (e) => {
    const act = e.target.closest('[data-act]')?.dataset.act;
    if (!act) return;
    const claim = claims.find((c) => c.id === e.target.closest('[data-id]').dataset.id);
    let extra = {};
    if (act === 'reject' || act === 'pay') {
      const text = await askText(act);
      if (!text) return;
      extra = act === 'reject' ? { reason: text } : { reference: text };
    }
    if (await decide(claim, act, extra)) show(page);
  });
  page.querySelector('[data-all]')?.addEventListener('click', async () => {
    const ok = await confirmSheet({
      title: t('approvals.approve_all', { n: approvable.length }),
      body: money(totalOf(approvable.map((c) => ({ amount: c.total }))), approvable[0].currency),
      ok: t('expenses.approve'),
    });
    if (!ok) return;
    const out = await api('/approvals/batch-approve', { method: 'POST', body: { ids: approvable.map((c) => c.id) } });
    if (!out.ok) {
      toast(out.offline ? t('approvals.offline') : out.data?.message || t('common.error'), { alert: true });
      return;
    }
    const done = out.data.results.filter((r) => r.status === 200).length;
    const left = out.data.results.length - done;
    toast(left ? t('approvals.batch_partial', { done, left }) : t('approvals.batch_done', { n: done }), { alert: Boolean(left) });
    show(page);
  });
}
