// Leads: "Mine" and "Pool" (claim in one tap), and the "New lead" form with a
// live duplicate check against customers and open leads.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast, setTitle, refusal } from '../lib/sheets.js';
import { staleNote, backLink } from '../components/page-head.js';
import { go } from '../lib/router.js';
import { send } from '../lib/sync.js';
import { queuedLeads } from '../lib/queued.js';
import { watchDuplicates } from '../lib/duplicates.js';
import { leadLists, claim } from '../lib/leads.js';

export const live = true;

const PAGE = 30;
const lists = leadLists;

function tabOf() {
  return new URLSearchParams(location.search).get('tab') === 'pool' ? 'pool' : 'mine';
}

function scoreBadge(lead) {
  if (lead.score === null) return html`<span class="score s-none" aria-hidden="true">…</span>`;
  const level = lead.score >= 60 ? 'hi' : lead.score >= 30 ? 'mid' : 'lo';
  return html`<span class="score s-${level}" aria-label="${t('leads.score')} ${lead.score}">${lead.score}</span>`;
}

function row(lead, tab) {
  const meta = [lead.company, lead.city, tab === 'mine' && lead.owner_name].filter(Boolean).join(' · ');
  return html`<li class="lead-row">
    <a class="row-link" href="/leads/${lead.id}">
      ${scoreBadge(lead)}
      <span class="row-main">
        <strong>${lead.name}</strong>
        <span class="meta">${lead.status !== 'open' ? html`<span class="badge b-${lead.status}">${t(`leads.status.${lead.status}`)}</span> ` : ''}${meta}</span>
        ${lead._queued && html`<span class="meta queued-text">${t(lead._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</span>`}
      </span>
    </a>
    ${tab === 'pool' && !lead._queued && html`<button class="btn btn-small btn-primary claim" type="button" data-claim="${lead.id}">${t('leads.claim')}</button>`}
  </li>`;
}

async function load(tab, reset) {
  const list = lists[tab];
  if (reset) {
    list.items = [];
    list.cursor = null;
  }
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (tab === 'pool') params.set('pool', 'true');
  if (list.cursor) params.set('cursor', list.cursor);
  const res = await api(`/leads?${params}`);
  list.res = res;
  if (res.ok) {
    list.items = reset ? res.data.items : [...list.items, ...res.data.items];
    list.cursor = res.data.next_cursor;
  }
}

function paint(page, tab) {
  const list = lists[tab];
  mount(page.querySelector('[data-note]'), staleNote(list.res || {}));
  const ul = page.querySelector('[data-list]');
  // Leads typed on this phone and not sent yet come first, on the tab they will land on.
  const queued = queuedLeads(state.queued, state.me).filter((l) => (tab === 'pool') === !l.owner_id);
  const ids = new Set(queued.map((l) => l.id));
  const items = [...queued, ...list.items.filter((l) => !ids.has(l.id))];
  mount(
    ul,
    items.length
      ? html`${items.map((l) => row(l, tab))}`
      : list.res && !list.res.ok && list.res.offline
        ? html`<li class="empty">${t('common.offline_nothing')}</li>`
        : html`<li class="empty">${t(tab === 'pool' ? 'leads.pool_empty' : 'leads.none')}</li>`,
  );
  page.querySelector('[data-more]').hidden = !list.cursor;
}

/** A new lead was sent (or refused): show the list as the server has it. */
export async function onQueue(page) {
  const tab = page.querySelector('[data-list]') && tabOf();
  if (!tab) return;
  const before = page._queuedLeads || 0;
  page._queuedLeads = queuedLeads(state.queued, state.me).length;
  if (page._queuedLeads < before && state.online) await load(tab, true);
  if (page.isConnected && page.querySelector('[data-list]')) paint(page, tab);
}

export async function show(page) {
  const tab = tabOf();
  page._queuedLeads = queuedLeads(state.queued, state.me).length;
  setTitle(t('nav.leads'));
  mount(
    page,
    html`<header class="page-head row">
        <h1>${t('nav.leads')}</h1>
        <a class="btn btn-small btn-primary" href="/leads/new">${t('leads.new')}</a>
      </header>
      <nav class="segmented tabs-2" aria-label="${t('nav.leads')}">
        <a class="seg-link" href="/leads" ${tab === 'mine' ? html`aria-current="page"` : ''}>${t('leads.mine')}</a>
        <a class="seg-link" href="/leads?tab=pool" ${tab === 'pool' ? html`aria-current="page"` : ''}>${t('leads.pool')}</a>
      </nav>
      <div data-note></div>
      <ul class="list" data-list>
        ${lists[tab].items.length ? '' : html`<li class="skeleton"></li><li class="skeleton"></li><li class="skeleton"></li>`}
      </ul>
      <div class="list-foot"><button class="btn" type="button" data-more hidden>${t('leads.more')}</button></div>
      <div class="fab-space"></div>`,
  );
  page.addEventListener('click', async (e) => {
    const button = e.target.closest('[data-claim]');
    if (button) {
      button.disabled = true;
      const lead = await claim(button.dataset.claim);
      if (lead) {
        lists.pool.items = lists.pool.items.filter((l) => l.id !== lead.id);
        paint(page, 'pool');
      } else {
        button.disabled = false;
        await load('pool', true);
        paint(page, 'pool');
      }
      return;
    }
    if (e.target.closest('[data-more]')) {
      await load(tab, false);
      paint(page, tab);
    }
  });
  if (lists[tab].items.length) paint(page, tab);
  await load(tab, true);
  if (page.isConnected) paint(page, tab);
}

// ---- New lead -----------------------------------------------------------------

const FIELDS = ['name', 'company', 'title', 'phone', 'email', 'city', 'source'];
const SOURCES = ['referral', 'trade_show', 'website', 'inbound_call', 'partner', 'cold_call', 'other'];

export function duplicateList(items) {
  if (!items.length) return html``;
  return html`<div class="warn" role="status">
    ${items.map((d) => html`<p>${
      d.kind === 'customer'
        ? t('leads.duplicate_customer', { name: d.name, owner: d.owner_name || '—' })
        : d.owner_name
          ? t('leads.duplicate_lead', { name: d.name, owner: d.owner_name })
          : t('leads.duplicate_pool_lead', { name: d.name })
    }</p>`)}
    <p class="hint">${t('leads.duplicate_hint')}</p>
  </div>`;
}

export async function showNew(page) {
  setTitle(t('leads.new'));
  mount(
    page,
    html`<header class="page-head row">${backLink('/leads')}<h1>${t('leads.new')}</h1></header>
      <form class="form card" novalidate>
        <label class="field"><span>${t('leads.name')} *</span><input name="name" required maxlength="200" autocomplete="name" /></label>
        <label class="field"><span>${t('leads.company')}</span><input name="company" maxlength="200" autocomplete="organization" /></label>
        <div data-dups aria-live="polite"></div>
        <label class="field"><span>${t('leads.title_field')}</span><input name="title" maxlength="120" autocomplete="organization-title" /></label>
        <label class="field"><span>${t('leads.phone')}</span><input name="phone" type="tel" inputmode="tel" maxlength="40" autocomplete="tel" /></label>
        <label class="field"><span>${t('leads.email')}</span><input name="email" type="email" inputmode="email" maxlength="254" autocomplete="email" /></label>
        <label class="field"><span>${t('leads.city')}</span><input name="city" maxlength="100" autocomplete="address-level2" /></label>
        <label class="field"><span>${t('leads.source')}</span>
          <select name="source"><option value=""></option>${SOURCES.map((s) => html`<option value="${s}">${t(`leads.source_names.${s}`)}</option>`)}</select></label>
        <label class="check"><input type="checkbox" name="pool" /> ${t('leads.put_in_pool')}</label>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('leads.create')}</button>
      </form>`,
  );
  const form = page.querySelector('form');
  const leadId = crypto.randomUUID();
  const dups = page.querySelector('[data-dups]');
  watchDuplicates(form, dups, {
    path: '/leads/duplicates', names: ['company', 'name'], render: duplicateList, ask: api, online: () => state.online,
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-error]');
    error.textContent = '';
    if (!form.elements.name.value.trim()) {
      error.textContent = t('leads.name_required');
      form.elements.name.focus();
      return;
    }
    // The same id on every attempt: a retry after a lost answer is the same lead.
    const body = { id: leadId };
    for (const f of FIELDS) {
      const value = form.elements[f].value.trim();
      if (value) body[f] = value;
    }
    if (form.elements.pool.checked) body.pool = true;
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    const result = await send({ method: 'POST', url: '/api/v1/leads', body, meta: { type: 'lead' } }, { alive: () => form.isConnected });
    button.disabled = false;
    if (result.state === 'refused') {
      const fields = result.error.fields;
      error.textContent = fields
        ? Object.entries(fields).map(([k, m]) => `${t(k === 'title' ? 'leads.title_field' : `leads.${k}`)}: ${[].concat(m).join(' ')}`).join(' ')
        : refusal(result.error);
      return;
    }
    toast(result.state === 'queued' ? t('toast.saved_offline') : t('leads.created'));
    lists.mine.items = [];
    lists.pool.items = [];
    go(result.state === 'queued' ? (body.pool ? '/leads?tab=pool' : '/leads') : `/leads/${leadId}`, { replace: true });
  });
}
