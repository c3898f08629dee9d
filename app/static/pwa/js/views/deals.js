// Deals: open deals grouped by stage with each stage's count and total; won
// and lost lists one tap away.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { staleNote } from '../components/page-head.js';
import { setTitle } from '../lib/sheets.js';
import { toCents, formatMoney } from '../lib/money.js';

export const live = true;

const STATUSES = ['open', 'won', 'lost'];

function statusOf() {
  const s = new URLSearchParams(location.search).get('status');
  return STATUSES.includes(s) ? s : 'open';
}

function card(d) {
  return html`<li>
    <a class="row-link" href="/deals/${d.id}">
      <span class="row-main">
        <strong>${d.name}</strong>
        <span class="meta">${[d.customer_name, d.owner_id !== state.me.id && d.owner_name].filter(Boolean).join(' · ')}</span>
      </span>
      <span class="deal-amt"><strong>${formatMoney(d.amount, d.currency, state.locale)}</strong>
        <span class="meta">${d.status === 'open' ? t('deals.probability', { n: d.probability }) : d.status === 'lost' ? d.lost_reason || '' : ''}</span></span>
    </a>
  </li>`;
}

/** {stage name: {items, cents}} in pipeline order. */
function grouped(stages, items) {
  const groups = stages.filter((s) => s.kind === 'open').map((s) => ({ stage: s, items: [], total: 0 }));
  for (const d of items) {
    let g = groups.find((x) => x.stage.id === d.stage_id);
    if (!g) {
      g = { stage: { id: d.stage_id, name: d.stage_name }, items: [], total: 0 };
      groups.push(g);
    }
    g.items.push(d);
    g.total += toCents(d.amount);
  }
  return groups;
}

export async function show(page) {
  const status = statusOf();
  setTitle(t('deals.title'));
  mount(
    page,
    html`<header class="page-head"><h1>${t('deals.title')}</h1></header>
      <nav class="segmented tabs-3" aria-label="${t('deals.title')}">
        ${STATUSES.map((s) => html`<a class="seg-link" href="/deals${s === 'open' ? '' : `?status=${s}`}" ${s === status ? html`aria-current="page"` : ''}>${t(`deals.${s}`)}</a>`)}
      </nav>
      <div data-body><div class="skeleton tall"></div><div class="skeleton"></div></div>
      <div class="fab-space"></div>`,
  );
  const [stages, res] = await Promise.all([api('/stages?limit=200'), api(`/opportunities?status=${status}&limit=200`)]);
  if (!page.isConnected) return;
  const body = page.querySelector('[data-body]');
  if (!res.ok) {
    mount(body, html`<div class="empty-state"><p>${t(res.offline ? 'common.offline_nothing' : 'common.error')}</p></div>`);
    return;
  }
  const items = res.data.items;
  const currency = items[0]?.currency || 'CNY';
  if (status !== 'open') {
    mount(
      body,
      html`${staleNote(res)}${items.length ? html`<ul class="list">${items.map(card)}</ul>` : html`<p class="empty">${t('deals.none')}</p>`}`,
    );
    return;
  }
  const groups = grouped(stages.ok ? stages.data.items : [], items);
  mount(
    body,
    html`${staleNote(res)}
      ${groups.map(
        (g) => html`<section class="stage-group">
          <h2>${g.stage.name} <span class="count">${g.items.length}</span>
            <span class="stage-total">${formatMoney(g.total, currency, state.locale)}</span></h2>
          ${g.items.length ? html`<ul class="list">${g.items.map(card)}</ul>` : html`<p class="empty">${t('deals.none')}</p>`}
        </section>`,
      )}`,
  );
}
