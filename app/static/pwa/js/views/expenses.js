// Expenses: my claims (finance and managers: everyone's, by status), with the ones still
// in the outbox on top, and "New claim".

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { staleNote, backLink } from '../components/page-head.js';
import { setTitle } from '../lib/sheets.js';
import { applyToClaims } from '../lib/queued.js';
import { money } from '../components/money.js';
import { statusBadge } from '../components/claim.js';

export const live = true;

const SEE_ALL = ['manager', 'finance', 'admin', 'cashier'];
const FILTERS = ['', 'draft', 'pending', 'approved', 'paid'];
const view = { scope: 'mine', status: '' };

function row(c) {
  const receipts = (c.receipts || []).length + (c.queued_receipts || 0);
  return html`<li>
    <a class="row-link" href="/expenses/${c.id}">
      <span class="row-main">
        <strong>${c.title}</strong>
        <span class="meta">${statusBadge(c)}${c.owner_name && view.scope === 'all' ? ` ${c.owner_name} ·` : ''}
          ${receipts ? t('expenses.receipts_n', { n: receipts }) : t('expenses.no_receipts')}
          ${c.flagged ? html` · <span class="flag">${t('expenses.over_limit')}</span>` : ''}</span>
      </span>
      <span class="amount">${money(c.total, c.currency)}</span>
    </a>
  </li>`;
}

export async function show(page) {
  setTitle(t('expenses.title'));
  const wide = SEE_ALL.includes(state.me.role);
  if (!wide) view.scope = 'mine';
  mount(
    page,
    html`<header class="page-head row">
        ${backLink('/settings')}
        <h1>${t('expenses.title')}</h1>
        <a class="btn btn-small btn-primary" href="/expenses/new">${t('expenses.new')}</a>
      </header>
      ${wide &&
      html`<div class="segmented" role="radiogroup" aria-label="${t('expenses.scope')}" data-scope>
        ${['mine', 'all'].map(
          (s) => html`<label class="seg"><input type="radio" name="scope" value="${s}" ${view.scope === s ? html`checked` : ''} />
            <span>${t(`expenses.scope_${s}`)}</span></label>`,
        )}
      </div>`}
      <div class="chips filters" role="radiogroup" aria-label="${t('expenses.status_filter')}" data-status>
        ${FILTERS.map(
          (s) => html`<label class="chip"><input type="radio" name="status" value="${s}" ${view.status === s ? html`checked` : ''} />
            <span>${s ? t(`expenses.status.${s}`) : t('expenses.all_statuses')}</span></label>`,
        )}
      </div>
      <div data-note></div>
      <ul class="list" data-list><li class="skeleton"></li><li class="skeleton"></li></ul>
      <div class="fab-space"></div>`,
  );
  page.querySelector('[data-scope]')?.addEventListener('change', (e) => {
    view.scope = e.target.value;
    show(page);
  });
  page.querySelector('[data-status]').addEventListener('change', (e) => {
    view.status = e.target.value;
    show(page);
  });
  const params = new URLSearchParams({ limit: '100' });
  if (view.scope === 'mine') params.set('mine', 'true');
  if (view.status) params.set('status', view.status);
  const res = await api(`/expenses?${params}`);
  if (!page.isConnected) return;
  const mine = state.queued.filter((i) => i.url.startsWith('/api/v1/expenses'));
  let claims = applyToClaims(res.ok ? res.data.items : [], mine);
  if (view.status) claims = claims.filter((c) => c.status === view.status);
  mount(page.querySelector('[data-note]'), res.ok || claims.length ? staleNote(res) : html`<p class="stale">${t('common.offline_nothing')}</p>`);
  mount(
    page.querySelector('[data-list]'),
    claims.length ? html`${claims.map(row)}` : html`<li class="empty">${t('expenses.none')}</li>`,
  );
}

export function onQueue(page) {
  show(page);
}
