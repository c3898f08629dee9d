// Pieces of an expense claim shared by the claim screen, the list and the approvals
// inbox: its status badge, receipt thumbnails, the approve/reject/pay decision, and
// who approves at all.

import { html } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { openSheet, closeSheet, toast } from '../lib/sheets.js';

export function statusBadge(c) {
  const word = c.status === 'pending' && c.step ? t(`expenses.waiting.${c.step}`) : t(`expenses.status.${c.status}`);
  const queued = c._queued ? html` <span class="badge b-queued">${t('expenses.queued')}</span>` : '';
  return html`<span class="badge st-${c.status}">${word}</span>${queued}`;
}

export function receiptThumbs(receipts) {
  if (!receipts.length) return html`<p class="meta">${t('expenses.no_receipts')}</p>`;
  return html`<ul class="thumbs">
    ${receipts.map(
      (r) => html`<li><button type="button" class="thumb" data-receipt="${r.local || r.url}" data-kind="${r.content_type}"
        aria-label="${t('expenses.open_receipt')}">
        ${r.content_type === 'application/pdf'
          ? html`<span class="pdf">PDF</span>`
          : html`<img src="${r.local || r.url}" alt="" loading="lazy" />`}
        ${r._queued ? html`<span class="badge b-queued">${t('expenses.queued')}</span>` : ''}
      </button></li>`,
    )}
  </ul>`;
}

/** Tapping a receipt shows it full screen (a PDF opens in the browser's viewer). */
export function bindReceipts(root) {
  root.addEventListener('click', (e) => {
    const b = e.target.closest('[data-receipt]');
    if (!b) return;
    const src = b.dataset.receipt;
    if (b.dataset.kind === 'application/pdf') {
      window.open(src, '_blank', 'noopener');
      return;
    }
    const dialog = openSheet(
      html`<div class="viewer">
        <img src="${src}" alt="${t('expenses.receipt')}" />
        <div class="row-buttons"><button class="btn btn-block" type="button" data-close>${t('common.close')}</button></div>
      </div>`,
      { label: t('expenses.receipt') },
    );
    dialog.classList.add('full');
    dialog.addEventListener('close', () => dialog.classList.remove('full'), { once: true });
    dialog.querySelector('[data-close]').addEventListener('click', closeSheet);
  });
}

/** Approve / reject / pay, from the claim or from the inbox. Resolves the new claim or null. */
export async function decide(claim, action, extra = {}) {
  const body = action === 'approve' ? { step: claim.step || undefined } : { ...extra };
  if (action === 'reject' && claim.step) body.step = claim.step;
  const res = await api(`/expenses/${claim.id}/${action}`, { method: 'POST', body });
  if (res.ok) {
    toast(t(`expenses.done_${action}`));
    return res.data;
  }
  toast(res.offline ? t('approvals.offline') : res.data?.message || t('common.error'), { alert: true });
  return null;
}

/** The reason sheet (reject) or the reference sheet (pay); resolves the text or null. */
export function askText(kind) {
  return new Promise((resolve) => {
    const dialog = openSheet(
      html`<form method="dialog" class="sheet-body form" data-ask>
        <h2>${t(`expenses.${kind}_title`)}</h2>
        <label class="field"><span>${t(`expenses.${kind}_label`)}</span>
          ${kind === 'reject'
            ? html`<textarea name="text" rows="3" required maxlength="2000"></textarea>`
            : html`<input name="text" required maxlength="100" autocomplete="off" />`}
        </label>
        <div class="row-buttons">
          <button class="btn" value="cancel" formnovalidate>${t('common.cancel')}</button>
          <button class="btn ${kind === 'reject' ? 'btn-danger' : 'btn-primary'}" value="ok">${t(`expenses.${kind}`)}</button>
        </div>
      </form>`,
      { label: t(`expenses.${kind}_title`) },
    );
    dialog.querySelector(kind === 'reject' ? 'textarea' : 'input').focus();
    dialog.addEventListener(
      'close',
      () => {
        const text = dialog.querySelector('[name=text]')?.value.trim();
        resolve(dialog.returnValue === 'ok' && text ? text : null);
      },
      { once: true },
    );
  });
}

/** The badge on Settings → Approvals. */
export async function waitingCount() {
  const res = await api('/approvals/count');
  return res.ok ? res.data.count : null;
}

export const APPROVER_ROLES = ['lead', 'manager', 'finance', 'cashier', 'admin'];

export function isApprover() {
  return APPROVER_ROLES.includes(state.me?.role);
}
