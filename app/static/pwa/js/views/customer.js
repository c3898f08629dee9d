// One customer: header, one-tap Call/Email/Navigate/Log, contacts, open
// follow-ups and the timeline of what happened.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t, label } from '../lib/i18n.js';
import { staleNote, backLink, mountMissing } from '../components/page-head.js';
import { setTitle } from '../lib/sheets.js';
import { getCustomer, rememberCustomers } from '../lib/db.js';
import { applyToFollowups, applyToTimeline, applyToCustomer, queuedCustomers } from '../lib/queued.js';
import { formatDateTime, formatDuration, localDate, relativeDays } from '../lib/time.js';
import { visitStatus } from '../lib/visits.js';
import { telLink, mailtoLink, mapsLink, phoneFor, emailFor, platformOf, describeDistance } from '../lib/place.js';
import { decisionChain, awayInfo } from '../components/decision-chain.js';
import { openCustomerEdit, openContactEdit } from '../components/record-edit-sheets.js';
import { openConflict, resolvable } from '../components/conflict-sheet.js';
import { pinHere } from '../components/pin-here.js';
import { ICON } from '../components/icons.js';
import { followupCard, bindFollowups } from '../components/followup-card.js';
import { customerSnapshot } from '../components/customer-snapshot.js';
import { formatMoney } from '../lib/money.js';
import { dealsSection, openNewDeal } from '../components/customer-deals.js';

export const live = true;

let shown = null; // {id, res, data}

export function currentCustomer() {
  return shown?.data ? customerSnapshot(shown.data) : null;
}

function timelineEntry(a) {
  const tz = zone();
  const dist = a.kind === 'visit' ? describeDistance(a.distance_m, state.locale) : null;
  const details = [];
  if (a.kind === 'call' && a.duration_seconds) details.push(formatDuration(a.duration_seconds, state.locale));
  return html`<li class="tl${a._queued ? ' queued' : ''}">
    <span class="kind-icon k-${a.kind}">${ICON[a.kind] || ICON.note}</span>
    <div class="tl-body">
      <p class="tl-head">
        <strong>${t(`kind.${a.kind}`)}</strong>
        ${a.outcome && html`<span class="badge o-${a.outcome}">${label('outcome', a.outcome)}</span>`}
      </p>
      <p class="meta">
        <time datetime="${a.occurred_at || a.done_at || ''}">${a.occurred_at ? formatDateTime(new Date(a.occurred_at), state.locale, tz) : ''}</time>
        ${details.map((d) => html` · ${d}`)}
        ${dist && html` · <span class="${dist.onSite ? 'on-site' : 'away'}">${t(dist.onSite ? 'distance.on_site' : 'distance.away', { d: dist.text })}</span>`}
      </p>
      ${a.notes && html`<p class="tl-notes">${a.notes}</p>`}
      ${a._queued && html`<p class="queued-note">${t(a._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</p>`}
    </div>
  </li>`;
}

/** RFM (from the card) and the latest orders, each a link to its detail. */
/** Visits: when the next is due (or how overdue it is) and the interval in force. */
function visitRow(c) {
  const visit = visitStatus(c, localDate(new Date(), zone()));
  if (!visit) return '';
  const when = relativeDays(visit.days, state.locale);
  const parts = [visit.every && t('visit.every', { n: visit.every }), !visit.visited && t('visit.never')].filter(Boolean);
  return html`<div class="visit-row${visit.overdue ? ' overdue' : ''}"><dt>${t('visit.label')}</dt>
    <dd>${visit.overdue ? html`<strong class="overdue-text">${t('visit.overdue', { rel: when })}</strong>` : t('visit.due', { rel: when })}
      ${parts.length ? html`<span class="sub">${parts.join(' · ')}</span>` : ''}</dd></div>`;
}

function buying(c, orders) {
  if (c.orders_12m === undefined && !orders?.length) return '';
  const currency = orders?.[0]?.currency || 'CNY';
  return html`<section>
    <h2>${t('rfm.title')} ${c.rfm_segment && html`<span class="badge seg-${c.rfm_segment.replace(' ', '-')}">${t(`rfm.segment.${c.rfm_segment}`)}</span>`}</h2>
    <dl class="facts card">
      <div><dt>${t('rfm.last_order')}</dt><dd>${c.last_order_at ? formatDateTime(new Date(c.last_order_at), state.locale, zone()) : t('rfm.never')}</dd></div>
      <div><dt>${t('rfm.orders_12m')}</dt><dd>${c.orders_12m ?? 0}</dd></div>
      <div><dt>${t('rfm.revenue_12m')}</dt><dd>${formatMoney(c.revenue_12m || '0.00', currency, state.locale)}</dd></div>
    </dl>
    ${orders?.length ? html`<ul class="list orders">${orders.map((o) => html`<li><a class="row-link" href="/orders/${o.id}">
      <span class="row-main"><strong>${o.number}</strong><span class="meta">${t(`orders.status.${o.status}`)}</span></span>
      <strong>${formatMoney(o.total, o.currency, state.locale)}</strong></a></li>`)}</ul>` : ''}
  </section>`;
}

/** Changes to this customer or its contacts the server refused because it moved on. */
function conflicts(c) {
  const ids = new Set([c.id, ...(c.contacts || []).map((x) => x.id)]);
  return state.queued.filter((i) => resolvable(i) && (i.targets || []).some((id) => ids.has(id)));
}

function conflictNote(c) {
  const [first] = conflicts(c);
  return first ? html`<div class="warn conflict-note" role="status"><p>${t('conflict.note')}</p>
      <button class="btn btn-small" type="button" data-resolve="${first.key}">${t('conflict.compare')}</button></div>` : '';
}

/** The outbox moved (a change sent, refused or queued): show the card as it now stands. */
export function onQueue(page) {
  if (shown?.data && page.isConnected) paint(page);
}

function paint(page) {
  const { res, data } = shown;
  if (!data) return mountMissing(page, res, { back: '/customers', title: t('nav.customers'), notFound: 'customer.not_found' });
  const c = applyToCustomer(data, state.queued); // what the rep changed shows at once, sent or not
  page._customer = c;
  setTitle(c.name);
  const snap = customerSnapshot(c);
  const contacts = c.contacts || [];
  const followups = applyToFollowups(c.followups || [], state.queued, { customerId: c.id }).map((f) => ({
    ...f,
    customer: snap,
    contact: f.contact || contacts.find((x) => x.id === f.contact_id) || null,
  }));
  const timeline = applyToTimeline(c.timeline || [], state.queued, c.id);
  const tel = telLink(phoneFor(c, null));
  const mail = mailtoLink(emailFor(c, null));
  const map = mapsLink({ ...c, label: c.name }, platformOf(navigator.userAgent));
  const away = awayInfo(c, null);
  page._followups = followups;
  mount(
    page,
    html`<header class="page-head row">${backLink('/customers')}
        <div class="head-text">
          <h1>${c.name}</h1>
          <p class="sub">${[c.city, c.industry, c.owner_name && t('customer.owner', { name: c.owner_name })].filter(Boolean).join(' · ')}</p>
        </div>
        <button class="icon-btn head-edit" type="button" data-edit-customer aria-label="${t('edit.title')}">${ICON.edit}</button>
      </header>
      ${staleNote(res || {})}
      ${conflictNote(c)}
      ${c._queued && html`<p class="queued-note">${t(c._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</p>`}
      ${(c.status || c.tags?.length) &&
      html`<p class="tags">${c.status && html`<span class="badge b-${c.status}">${t(`customer_status.${c.status}`)}</span>`}
        ${(c.tags || []).map((tag) => html`<span class="tag">${tag}</span>`)}</p>`}
      <div class="big-actions">
        ${tel && html`<a class="big-act" href="${tel}" data-away="${away}">${ICON.call}<span>${t('act.call')}</span></a>`}
        ${mail && html`<a class="big-act" href="${mail}" data-away="${away}">${ICON.email}<span>${t('act.email')}</span></a>`}
        ${map && html`<a class="big-act" href="${map}" ${map.startsWith('https:') ? html`target="_blank" rel="noopener"` : ''}>${ICON.navigate}<span>${t('act.navigate')}</span></a>`}
        <button class="big-act primary" type="button" data-log>${ICON.log}<span>${t('act.log')}</span></button>
      </div>
      <dl class="facts card">
        ${c.phone && html`<div><dt>${t('new.phone')}</dt><dd>${c.phone}</dd></div>`}
        ${c.email && html`<div><dt>${t('new.email')}</dt><dd>${c.email}</dd></div>`}
        ${c.address && html`<div><dt>${t('new.address')}</dt><dd>${c.address}</dd></div>`}
        <div class="pin-row"><dt>${t('pin.position')}</dt><dd>${c.lat == null || c.lng == null ? t('pin.none')
          : c.location_accuracy != null ? `${t('pin.on_map')} · ${t('pin.within', { m: Math.round(c.location_accuracy) })}` : t('pin.on_map')}</dd></div>
        ${visitRow(c)}
      </dl>
      <button class="btn btn-block pin-btn" type="button" data-pin>${ICON.pin}<span>${t('pin.button')}</span></button>
      ${dealsSection(c, shown.deals)}
      ${buying(c, shown.orders)}
      <section>
        <h2>${t('customer.followups')} <span class="count">${followups.length}</span></h2>
        ${followups.length
          ? html`<ul class="cards">${followups.map((f) => followupCard(f, { section: 'upcoming', showCustomer: false }))}</ul>`
          : html`<p class="empty">${t('customer.no_followups')}</p>`}
      </section>
      ${decisionChain(c)}
      <section>
        <h2>${t('customer.timeline')}</h2>
        ${timeline.length
          ? html`<ol class="timeline">${timeline.map(timelineEntry)}</ol>`
          : html`<p class="empty">${t('customer.no_activity')}</p>`}
      </section>`,
  );
}

export async function show(page, id) {
  id = id.toLowerCase();
  if (!page._bound) {
    page._bound = true;
    const repaint = () => page.isConnected && shown?.id === id && paint(page);
    bindFollowups(page, (fid) => page._followups?.find((f) => f.id === fid), repaint);
    page.addEventListener('click', (e) => {
      if (e.target.closest('[data-new-deal]') && shown?.data) {
        const at = shown.id;
        openNewDeal(customerSnapshot(shown.data), () => page.isConnected && shown?.id === at && paint(page));
      }
    });
    // Edits: after one was sent (or queued), the card is read again (or repainted offline).
    const reload = () => page.isConnected && shown?.id === id && show(page, id);
    page.addEventListener('click', (e) => {
      const c = page._customer;
      if (!c || shown?.id !== id) return;
      const contact = e.target.closest('[data-edit-contact]');
      const resolve = e.target.closest('[data-resolve]');
      if (e.target.closest('[data-edit-customer]')) openCustomerEdit(c, { onDone: reload });
      else if (e.target.closest('[data-add-contact]')) openContactEdit(c, null, { onDone: reload });
      else if (contact) openContactEdit(c, c.contacts.find((x) => x.id === contact.dataset.editContact), { onDone: reload });
      else if (resolve) openConflict(resolve.dataset.resolve, { onDone: reload });
      else if (e.target.closest('[data-pin]')) pinHere(c, { button: e.target.closest('[data-pin]'), onDone: reload });
    });
    page.addEventListener('click', async (e) => {
      if (!e.target.closest('[data-log]') || !shown?.data) return;
      const { openLog } = await import('../components/log-sheet.js');
      openLog({ customer: customerSnapshot(shown.data), onSaved: repaint });
    });
  }
  if (shown?.id !== id) {
    // Paint what we know at once (seen before, or being created), then ask the server.
    const known = queuedCustomers(state.queued).find((c) => c.id === id) || (await getCustomer(id).catch(() => null));
    shown = { id, res: null, data: known ? { contacts: [], followups: [], timeline: [], ...known } : null };
    if (known) paint(page);
    else mount(page, html`<div class="skeleton tall"></div><div class="skeleton"></div>`);
  } else {
    paint(page);
  }
  const [res, orders, deals] = await Promise.all([
    api(`/customers/${id}`),
    api(`/orders?customer_id=${id}&limit=5`),
    api(`/opportunities?customer_id=${id}&status=open&limit=20`),
  ]);
  if (res.status === 401 || !page.isConnected || shown.id !== id) return;
  if (res.ok) {
    shown = { id, res, data: res.data, orders: orders.ok ? orders.data.items : [], deals: deals.ok ? deals.data.items : [] };
    // The phone's copy is what the rep sees: the server's record with their queued edits.
    const { contacts, followups, timeline, _queued, ...plain } = applyToCustomer(res.data, state.queued);
    rememberCustomers([plain]).catch(() => {});
  } else {
    shown = { ...shown, res };
  }
  paint(page);
  // Opened from a reminder's Call button where the browser would not dial for us:
  // the call button is the one thing to tap.
  if (new URLSearchParams(location.search).has('call')) page.querySelector('.big-act[href^="tel:"]')?.focus();
}
