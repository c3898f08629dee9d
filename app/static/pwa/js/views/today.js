// Today: what is overdue, due today and coming up in the next seven days,
// each with one-tap Call, Email, Navigate, Done, Reschedule and Log.

import { html, mount } from '../lib/html.js';
import { api, state, t, zone, queue, toast, staleNote, setTitle } from '../app.js';
import { applyToAgenda } from '../lib/outbox.js';
import { rememberCustomers } from '../lib/db.js';
import { localDate, dayBounds, addDays, parseDate, zonedToInstant, daysBetween, formatTime, formatDue, isoWithOffset } from '../lib/time.js';
import { telLink, mailtoLink, mapsLink, phoneFor, emailFor, platformOf } from '../lib/place.js';

export const live = true;

const platform = platformOf(navigator.userAgent);

const svg = (paths) => html`<svg viewBox="0 0 24 24" aria-hidden="true">${paths}</svg>`;
export const ICON = {
  call: svg(html`<path d="M5 3.5h3.2l1.6 4.3-2.2 1.4a11 11 0 0 0 5.2 5.2l1.4-2.2 4.3 1.6V17a3 3 0 0 1-3 3A15.5 15.5 0 0 1 2 6.5a3 3 0 0 1 3-3Z"/>`),
  email: svg(html`<path d="M3.5 5.5h17v13h-17zM3.5 6l8.5 7 8.5-7"/>`),
  visit: svg(html`<path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21Z"/><circle cx="12" cy="9.5" r="2.5"/>`),
  meeting: svg(html`<circle cx="8" cy="8" r="3"/><circle cx="16.5" cy="9" r="2.5"/><path d="M2.5 19.5a5.5 5.5 0 0 1 11 0M14 19.5a4 4 0 0 1 7.5-1.5"/>`),
  note: svg(html`<path d="M5 3.5h10l4 4v13H5zM14.5 3.5v4.5H19M8 12h8M8 16h6"/>`),
  task: svg(html`<rect x="4" y="4" width="16" height="16" rx="3"/><path d="m8 12 3 3 5-6"/>`),
  navigate: svg(html`<path d="M3 11 21 3l-8 18-2-8-8-2Z"/>`),
  done: svg(html`<path d="m4.5 12.5 5 5 10-11"/>`),
  later: svg(html`<circle cx="12" cy="12" r="8.5"/><path d="M12 7v5l3.5 2"/>`),
  log: svg(html`<path d="M4 20h4L19 9l-4-4L4 16v4ZM13.5 6.5l4 4"/>`),
};

/** The customer fields the outbox keeps so queued follow-ups can be shown offline. */
export function customerSnapshot(c) {
  if (!c) return null;
  const { id, name, phone, phone_e164: e164, email, address, city, lat, lng } = c;
  return { id, name, phone, phone_e164: e164, email, address, city, lat, lng };
}

/** Where a due time belongs, mirroring the server's agenda. */
export function sectionOf(due, now = new Date()) {
  const tz = zone();
  const { start, end } = dayBounds(now, tz);
  if (due < start) return 'overdue';
  if (due < end) return 'today';
  const horizon = zonedToInstant(parseDate(addDays(localDate(now, tz), 8)), tz);
  return due < horizon ? 'upcoming' : null;
}

function dueText(f, section) {
  const due = new Date(f.due_at);
  const now = new Date();
  const tz = zone();
  if (section === 'overdue') {
    const days = daysBetween(due, now, tz);
    return days >= 1 ? t('due.overdue_days', { n: days }) : t('due.overdue_since', { time: formatTime(due, state.locale, tz) });
  }
  if (section === 'today') return formatTime(due, state.locale, tz);
  return formatDue(due, now, state.locale, tz);
}

/** One follow-up as a card with its one-tap actions. */
export function followupCard(f, { section = 'upcoming', showCustomer = true } = {}) {
  const c = f.customer;
  const ct = f.contact;
  const tel = telLink(phoneFor(c, ct));
  const mail = mailtoLink(emailFor(c, ct));
  const map = c ? mapsLink({ ...c, label: c.name }, platform) : null;
  const away = JSON.stringify({
    customer_id: c?.id || f.customer_id,
    customer_name: c?.name || '',
    contact_id: ct?.id || null,
    contact_name: ct?.name || null,
    completes_id: f.id.startsWith('pending-') ? null : f.id,
  });
  const late = section === 'overdue' || (section === 'today' && new Date(f.due_at) < new Date());
  const action = f.action || 'task';
  return html`<li class="card fu${f._queued ? ' queued' : ''}" data-id="${f.id}">
    <div class="fu-head">
      <span class="kind-icon k-${action}">${ICON[action] || ICON.task}</span>
      <div class="fu-main">
        <p class="fu-what">
          <strong>${t(`action.${action}`)}</strong>
          <time class="due${late ? ' late' : ''}" datetime="${f.due_at}">${dueText(f, section)}</time>
        </p>
        ${showCustomer && c && html`<a class="fu-customer" href="/customers/${c.id}">${c.name}</a>`}
        ${(f.notes || ct) && html`<p class="fu-note">${[f.notes, ct?.name].filter(Boolean).join(' · ')}</p>`}
      </div>
    </div>
    ${f._queued && html`<p class="queued-note">${t(f._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</p>`}
    <div class="actions">
      ${tel && html`<a class="act" href="${tel}" data-away="${away}">${ICON.call}<span>${t('act.call')}</span></a>`}
      ${mail && html`<a class="act" href="${mail}" data-away="${away}">${ICON.email}<span>${t('act.email')}</span></a>`}
      ${map &&
      html`<a class="act" href="${map}" ${map.startsWith('https:') ? html`target="_blank" rel="noopener"` : ''}
        >${ICON.navigate}<span>${t('act.navigate')}</span></a
      >`}
      ${!f.id.startsWith('pending-') &&
      html`<button class="act" type="button" data-do="done">${ICON.done}<span>${t('act.done')}</span></button>
        <button class="act" type="button" data-do="later">${ICON.later}<span>${t('act.later')}</span></button>`}
      <button class="act act-log" type="button" data-do="log">${ICON.log}<span>${t('act.log')}</span></button>
    </div>
  </li>`;
}

/**
 * Wire the card buttons in `root`. `find(id)` returns the follow-up;
 * `repaint()` redraws at once from the queue (optimistic).
 */
export function bindFollowups(root, find, repaint) {
  root.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-do]');
    if (!button) return;
    const card = button.closest('[data-id]');
    const f = find(card.dataset.id);
    if (!f) return;
    const what = button.dataset.do;
    if (what === 'done') {
      card.classList.add('leaving');
      await queue({
        method: 'PATCH',
        url: `/api/v1/activities/${f.id}`,
        body: { done_at: isoWithOffset(new Date(), zone()) },
        headers: f.version ? { 'If-Match': `"${f.version}"` } : {},
        meta: { type: 'done', action: f.action, notes: f.notes, customer: customerSnapshot(f.customer) },
      });
      toast(t('toast.done'));
      repaint();
    } else if (what === 'later') {
      const { openReschedule } = await import('./log.js');
      openReschedule(f, repaint);
    } else if (what === 'log') {
      const { openLog } = await import('./log.js');
      openLog({
        customer: f.customer,
        contact: f.contact,
        completes: f.id.startsWith('pending-') ? null : f.id,
        kind: f.action,
        onSaved: repaint,
      });
    }
  });
}

let last = null;

// The server counts a section up to AGENDA_COUNT_CAP (999) and says counts_capped past it.
const COUNT_CAP = 999;

function section(name, items, total, capped) {
  if (name === 'overdue' && !items.length) return '';
  const more = total - items.length;
  return html`<section class="agenda-section s-${name}">
    <h2>${t(`today.${name}`)} <span class="count">${capped ? `${total}+` : total}</span></h2>
    ${items.length
      ? html`<ul class="cards">${items.map((f) => followupCard(f, { section: name }))}</ul>`
      : html`<p class="empty">${t(`today.empty_${name}`)}</p>`}
    ${more > 0 && html`<p class="more-note">${t(capped ? 'today.more_capped' : 'today.more', { n: more })}</p>`}
  </section>`;
}

function paint(view) {
  const now = new Date();
  const heading = html`<header class="page-head">
    <h1>${t('nav.today')}</h1>
    <p class="sub">${new Intl.DateTimeFormat(state.locale, { timeZone: zone(), weekday: 'long', month: 'long', day: 'numeric' }).format(now)}</p>
  </header>`;
  if (!last || !last.data) {
    mount(
      view,
      html`${heading}
        ${last
          ? html`<div class="empty-state"><p>${t(last.offline ? 'common.offline_nothing' : 'common.error')}</p>
              <button class="btn" type="button" data-retry>${t('common.retry')}</button></div>`
          : html`<div class="skeleton"></div><div class="skeleton"></div><div class="skeleton"></div>`}`,
    );
    view.querySelector('[data-retry]')?.addEventListener('click', () => show(view));
    return;
  }
  const agenda = applyToAgenda(last.data, state.queued, (due) => sectionOf(due, now));
  const c = agenda.counts || {};
  const capped = (n) => Boolean(agenda.counts_capped) && n >= COUNT_CAP;
  const shown = (n) => (capped(n) ? `${n}+` : n);
  mount(
    view,
    html`${heading} ${staleNote(last)}
      <p class="summary">
        ${c.overdue > 0 && html`<span class="late">${t('today.n_overdue', { n: shown(c.overdue) })}</span>`}
        <span>${t('today.n_today', { n: shown(c.today || 0) })}</span>
        <span>${t('today.n_upcoming', { n: shown(c.upcoming || 0) })}</span>
      </p>
      ${section('overdue', agenda.overdue, c.overdue ?? agenda.overdue.length, capped(c.overdue))}
      ${section('today', agenda.today, c.today ?? agenda.today.length, capped(c.today))}
      ${section('upcoming', agenda.upcoming, c.upcoming ?? agenda.upcoming.length, capped(c.upcoming))}
      <div class="fab-space"></div>`,
  );
  view._agenda = agenda;
}

export async function show(view) {
  setTitle(t('nav.today'));
  if (!view._bound) {
    view._bound = true;
    bindFollowups(
      view,
      (id) => {
        const a = view._agenda;
        return a && [...a.overdue, ...a.today, ...a.upcoming].find((f) => f.id === id);
      },
      () => view.isConnected && paint(view),
    );
  }
  paint(view);
  const date = localDate(new Date(), zone());
  const res = await api(`/agenda?date=${date}`);
  if (res.status === 401) return;
  if (res.ok || !last) last = res;
  if (!view.isConnected) return;
  paint(view);
  if (res.ok) {
    const seen = new Map();
    for (const f of [...res.data.overdue, ...res.data.today, ...res.data.upcoming]) {
      if (f.customer) seen.set(f.customer.id, f.customer);
    }
    rememberCustomers([...seen.values()]).catch(() => {});
  }
}
