// Customers: the list (server search online, seen customers offline) and the
// "New customer" form with its live duplicate warning.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { queue, flush, outbox } from '../lib/sync.js';
import { toast, setTitle } from '../lib/sheets.js';
import { staleNote, backLink } from '../components/page-head.js';
import { go } from '../lib/router.js';
import { allCustomers, customersById, rememberCustomers } from '../lib/db.js';
import { queuedCustomers } from '../lib/queued.js';
import { watchDuplicates } from '../lib/duplicates.js';
import { ICON } from '../components/icons.js';

const PAGE = 30;
const list = { q: '', items: [], cursor: null, res: null, local: false, at: 0 };

function statusBadge(c) {
  return c.status ? html`<span class="badge b-${c.status}">${t(`customer_status.${c.status}`)}</span>` : '';
}

function row(c) {
  return html`<li>
    <a class="row-link" href="/customers/${c.id}">
      <span class="avatar" aria-hidden="true">${(c.name || '?').trim().charAt(0).toLocaleUpperCase()}</span>
      <span class="row-main">
        <strong>${c.name}</strong>
        <span class="meta">${statusBadge(c)}${c.visit_overdue && html`<span class="badge visit-late">${t('visit.overdue_short')}</span>`}${c.rfm_segment && html`<span class="badge seg-${c.rfm_segment.replace(' ', '-')}">${t(`rfm.segment.${c.rfm_segment}`)}</span>`} ${[c.city, c.owner_name].filter(Boolean).join(' · ')}</span>
        ${c._queued && html`<span class="meta queued-text">${t(c._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</span>`}
      </span>
    </a>
  </li>`;
}

function byName(a, b) {
  return a.name.localeCompare(b.name, state.locale);
}

/** Offline search of the customers seen: a list item has name, city and phone_e164; a
 * customer whose card was opened also has phone and email. Digits match the number. */
async function localMatches(q) {
  const needle = q.trim().toLocaleLowerCase();
  const digits = needle.replace(/\D/g, '');
  const all = await allCustomers().catch(() => []);
  return all
    .filter((c) =>
      !needle ||
      [c.name, c.city, c.phone, c.email].filter(Boolean).join(' ').toLocaleLowerCase().includes(needle) ||
      (digits.length >= 3 && (c.phone_e164 || '').includes(digits)),
    )
    .sort(byName);
}

/** A list page's items with the visit cadence the offline book holds for them: the list
 * item is slim (20 KB a page) and carries none; the book's sync does. */
async function withVisitDue(items) {
  const stored = await customersById(items.map((c) => c.id)).catch(() => ({}));
  return items.map((c) => (stored[c.id]?.visit_overdue === undefined ? c : { ...c, visit_overdue: stored[c.id].visit_overdue }));
}

async function load(reset) {
  if (reset) {
    list.items = [];
    list.cursor = null;
  }
  const params = new URLSearchParams({ limit: String(PAGE) });
  if (list.q.trim()) params.set('q', list.q.trim());
  if (list.cursor) params.set('cursor', list.cursor);
  const q = list.q;
  const res = await api(`/customers?${params}`);
  if (q !== list.q) return false; // the rep typed on meanwhile
  list.res = res;
  if (res.ok) {
    list.local = false;
    const page = await withVisitDue(res.data.items);
    list.items = reset ? page : [...list.items, ...page];
    list.cursor = res.data.next_cursor;
    rememberCustomers(res.data.items).catch(() => {});
  } else if (res.status !== 401) {
    list.local = true;
    list.items = await localMatches(q);
    list.cursor = null;
  }
  list.at = Date.now();
  return true;
}

function paintList(page) {
  const ul = page.querySelector('[data-list]');
  if (!ul) return;
  const needle = list.q.trim().toLocaleLowerCase();
  const queued = queuedCustomers(state.queued).filter(
    (c) => !needle || c.name.toLocaleLowerCase().includes(needle),
  );
  const ids = new Set(queued.map((c) => c.id));
  const items = [...queued, ...list.items.filter((c) => !ids.has(c.id))];
  mount(
    page.querySelector('[data-note]'),
    list.local
      ? html`<p class="stale" role="status">${t('customers.offline_seen')}</p>`
      : staleNote(list.res || {}),
  );
  mount(
    ul,
    items.length
      ? html`${items.map(row)}`
      : html`<li class="empty">${t(list.q ? 'customers.no_match' : 'customers.none')}</li>`,
  );
  page.querySelector('[data-more]').hidden = !list.cursor;
}

export async function show(page) {
  setTitle(t('nav.customers'));
  mount(
    page,
    html`<header class="page-head row">
        <h1>${t('nav.customers')}</h1>
        <a class="btn btn-small btn-primary" href="/customers/new">${t('customers.new')}</a>
      </header>
      <div class="searchbar">
        <input type="search" value="${list.q}" placeholder="${t('customers.search')}" aria-label="${t('customers.search')}"
          autocomplete="off" enterkeyhint="search" data-search />
      </div>
      <a class="near-entry" href="/customers/near" data-near>${ICON.visit}<span class="row-main"><strong>${t('near.title')}</strong>
        <span class="meta">${t('near.entry_hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>
      <div data-note></div>
      <ul class="list" data-list>
        ${list.items.length ? '' : html`<li class="skeleton"></li><li class="skeleton"></li><li class="skeleton"></li>`}
      </ul>
      <div class="list-foot"><button class="btn" type="button" data-more hidden>${t('customers.more')}</button></div>
      <div class="fab-space"></div>`,
  );
  const search = page.querySelector('[data-search]');
  const more = page.querySelector('[data-more]');
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      list.q = search.value;
      if (await load(true)) paintList(page);
    }, 250);
  });
  const loadMore = async () => {
    if (more.disabled || !list.cursor) return;
    more.disabled = true;
    if (await load(false)) paintList(page);
    more.disabled = false;
  };
  more.addEventListener('click', loadMore);
  if ('IntersectionObserver' in window) {
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && page.isConnected) loadMore();
    });
    io.observe(more);
  }
  if (list.items.length) paintList(page);
  if (!list.items.length || Date.now() - list.at > 60000) {
    if (await load(true)) paintList(page);
  }
}

// ---- New customer ---------------------------------------------------------

const FIELDS = ['name', 'phone', 'email', 'address', 'city'];

function dupWarning(items) {
  if (!items.length) return html``;
  return html`<div class="warn" role="status">
    ${items.map(
      (d) => html`<p>
        ${d.owner_name ? t('new.duplicate_owner', { name: d.name, owner: d.owner_name }) : t('new.duplicate', { name: d.name })}
        ${d.matched_on?.length > 0 && html`<span class="matched">${d.matched_on.map((m) => t(`new.matched_${m}`)).join(' · ')}</span>`}
      </p>`,
    )}
    <p class="hint">${t('new.duplicate_hint')}</p>
  </div>`;
}

export async function showNew(page) {
  setTitle(t('new.title'));
  mount(
    page,
    html`<header class="page-head row">
        ${backLink('/customers')}
        <h1>${t('new.title')}</h1>
      </header>
      <form class="form card" novalidate>
        <label class="field"><span>${t('new.name')} *</span>
          <input name="name" required maxlength="200" autocomplete="organization" /></label>
        <div data-dups aria-live="polite"></div>
        <label class="field"><span>${t('new.phone')}</span>
          <input name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="40" /></label>
        <label class="field"><span>${t('new.email')}</span>
          <input name="email" type="email" inputmode="email" autocomplete="email" maxlength="200" /></label>
        <label class="field"><span>${t('new.address')}</span>
          <input name="address" autocomplete="street-address" maxlength="300" /></label>
        <label class="field"><span>${t('new.city')}</span>
          <input name="city" autocomplete="address-level2" maxlength="100" /></label>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('new.create')}</button>
      </form>`,
  );
  const form = page.querySelector('form');
  const dups = page.querySelector('[data-dups]');
  form.addEventListener('input', (e) => {
    e.target.removeAttribute('aria-invalid');
    e.target.closest('.field')?.querySelector('.field-error')?.remove();
  });
  watchDuplicates(form, dups, {
    path: '/customers/duplicates', names: ['name'], render: dupWarning, ask: api, online: () => state.online,
  });

  let queuedKey = null; // set when a first attempt came back with errors
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-error]');
    error.textContent = '';
    const name = form.elements.name.value.trim();
    if (!name) {
      showFieldErrors(form, { name: [t('new.name_required')] });
      form.elements.name.focus();
      return;
    }
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    const body = { id: crypto.randomUUID() };
    for (const f of FIELDS) {
      const v = form.elements[f].value.trim();
      if (v) body[f] = v;
    }
    let item;
    let sending;
    if (queuedKey && (await outbox.store.get(queuedKey))) {
      const old = await outbox.store.get(queuedKey);
      body.id = old.body.id;
      await outbox.retry(queuedKey, { body });
      item = old;
      sending = flush();
    } else {
      ({ item, sending } = await queue({ method: 'POST', url: '/api/v1/customers', body, meta: { type: 'customer' } }));
    }
    await sending;
    button.disabled = false;
    const after = await outbox.store.get(item.key);
    if (after && after.status === 'failed') {
      queuedKey = item.key;
      if (after.error.fields) {
        error.textContent = t('new.fix_fields');
        showFieldErrors(form, after.error.fields);
      } else {
        error.textContent = after.error.message || t('common.error');
      }
      return;
    }
    toast(after ? t('toast.saved_offline') : t('toast.customer_created'));
    list.at = 0;
    go(`/customers/${body.id}`, { replace: true });
  });
}

function showFieldErrors(form, fields) {
  for (const [name, messages] of Object.entries(fields)) {
    const input = form.elements[name];
    if (!input) continue;
    input.setAttribute('aria-invalid', 'true');
    const label = input.closest('.field');
    label.querySelector('.field-error')?.remove();
    const p = document.createElement('span');
    p.className = 'field-error';
    p.textContent = [].concat(messages).join(' ');
    label.append(p);
  }
}
