// Today: what is overdue, due today and coming up in the next seven days,
// each with one-tap Call, Email, Navigate, Done, Reschedule and Log.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { staleNote } from '../components/page-head.js';
import { applyToAgenda } from '../lib/queued.js';
import { rememberCustomers } from '../lib/db.js';
import { localDate, agendaSection } from '../lib/time.js';
import { bindFollowups, followupCard } from '../components/followup-card.js';
import { ICON } from '../components/icons.js';

export const live = true;

let last = null;
let mine = null; // {card, item}: the rep's own target this month, when they have one

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
  </header>
  <a class="card plan-link" href="/plan" data-plan-day>
    <span class="kind-icon k-visit">${ICON.navigate}</span>
    <span class="row-main"><strong>${t('plan.open')}</strong><span class="meta">${t('plan.open_hint')}</span></span>
    <span class="chev" aria-hidden="true">›</span></a>
  ${mine && mine.card(mine.item)}`;
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
  const agenda = applyToAgenda(last.data, state.queued, (due) => agendaSection(due, now, zone()));
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
  myTarget(date.slice(0, 7)).then(() => view.isConnected && last?.data && paint(view));
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

/** The rep's own target this month (GET /reports/attainment): the card's module is
 *  fetched only when there is one, so Today without targets loads nothing more. */
async function myTarget(month) {
  const res = await api(`/reports/attainment?period=${month}&owner_id=${state.me.id}`);
  if (!res.ok) {
    if (!res.offline) mine = null;
    return;
  }
  const [{ attainmentCard }, { ownerTarget }] = await Promise.all([
    import('../components/attainment-ring.js'), import('../lib/team.js')]);
  const item = ownerTarget(res.data, state.me.id);
  mine = item ? { card: attainmentCard, item } : null;
}
