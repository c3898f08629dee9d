// Team: where a lead's or manager's team stands (the month's attainment ring, the reps
// ranked by pace), what needs them (approvals with the inbox's one-tap approve, stale
// deals, leads about to be recycled, quiet reps), and one rep's day. Offline, the last
// answers the service worker kept, marked "offline, as of 10:32".

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { formatDue, formatTime, localDate } from '../lib/time.js';
import { rankedReps, teamTarget, ownerTarget, thisMonth, teamsFor } from '../lib/team.js';
import { backLink, mountMissing, staleNote } from '../components/page-head.js';
import { money } from '../components/money.js';
import { decide } from '../components/claim.js';
import { attainmentRing, paceBadge } from '../components/attainment-ring.js';
import { stopList } from '../components/plan-stops.js';
import { ICON } from '../components/icons.js';

export const live = true;

/** The attainment report of this month, or null (not built yet: 404; no network). */
async function attainment(query = '') {
  const res = await api(`/reports/attainment?period=${thisMonth(new Date(), zone())}${query}`);
  return res.ok ? res.data : null;
}

function repRow(rep) {
  const parts = [
    rep.attainment_percent === null || rep.attainment_percent === undefined ? null : `${Math.round(rep.attainment_percent)}%`,
    t('team.visits_week', { n: rep.visits_this_week }),
  ];
  return html`<li><a class="row-link team-rep" href="/team/reps/${rep.owner_id}" data-rep="${rep.owner_id}">
    <span class="avatar" aria-hidden="true">${(rep.owner_name || '?').charAt(0)}</span>
    <span class="row-main"><strong>${rep.owner_name}</strong>
      <span class="meta">${parts.filter(Boolean).join(' · ')}</span>
      <span class="meta rep-flags">${rep.overdue_followups > 0
        ? html`<span class="late">${t('team.overdue', { n: rep.overdue_followups })}</span>`
        : html`<span>${t('team.overdue', { n: 0 })}</span>`}
        ${rep.stale_deals > 0 ? html`<span class="late">${t('team.stale', { n: rep.stale_deals })}</span>` : html`<span>${t('team.stale', { n: 0 })}</span>`}</span></span>
    ${paceBadge(rep.pace)}</a></li>`;
}

function approvalCard(claim) {
  return html`<li class="card approval" data-id="${claim.id}">
    <a class="row-link" href="/expenses/${claim.id}?from=approvals">
      <span class="row-main"><strong>${claim.claimant}</strong><span class="meta">${claim.title}</span></span>
      <span class="amount">${money(claim.amount, claim.currency)}</span></a>
    <div class="row-buttons"><button class="btn btn-primary btn-small" type="button" data-approve>${t('expenses.approve')}</button></div>
  </li>`;
}

function block(name, count, body, more) {
  return html`<section class="needs needs-${name}"><h2>${t(`team.needs.${name}`)} <span class="count">${count}</span></h2>
    ${body}${more && html`<p class="more-note"><a href="${more}">${t('team.see_all')}</a></p>`}</section>`;
}

function needsYou(needs) {
  const sections = [];
  if (needs.approvals_count) {
    sections.push(block('approvals', needs.approvals_count, html`<ul class="cards" data-approvals>${needs.approvals.map(approvalCard)}</ul>`,
      needs.approvals_count > needs.approvals.length && '/approvals'));
  }
  if (needs.stale_deals_count) {
    sections.push(block('stale', needs.stale_deals_count, html`<ul class="list">${needs.stale_deals.map((d) => html`<li>
      <a class="row-link" href="/deals/${d.id}"><span class="row-main"><strong>${d.name}</strong>
        <span class="meta">${d.customer_name} · ${d.stage} · ${d.owner_name}</span></span>
        <span class="late idle">${t('team.days_idle', { n: d.days_idle })}</span></a></li>`)}</ul>`));
  }
  if (needs.leads_to_recycle_count) {
    sections.push(block('recycle', needs.leads_to_recycle_count, html`<ul class="list">${needs.leads_to_recycle.map((l) => html`<li>
      <a class="row-link" href="/leads/${l.id}"><span class="row-main"><strong>${l.name}</strong>
        <span class="meta">${l.owner_name} · ${t('team.recycles_on', { date: shortDate(l.recycles_on) })}</span></span></a></li>`)}</ul>`));
  }
  if (needs.quiet_reps.length) {
    sections.push(block('quiet', needs.quiet_reps.length, html`<ul class="list">${needs.quiet_reps.map((r) => html`<li>
      <a class="row-link" href="/team/reps/${r.owner_id}"><span class="row-main"><strong>${r.owner_name}</strong>
        <span class="meta">${t('team.quiet_hint')}</span></span><span class="chev" aria-hidden="true">›</span></a></li>`)}</ul>`));
  }
  return html`<section class="needs-you" data-needs-you><h2 class="needs-title">${t('team.needs.title')}</h2>
    ${sections.length ? sections : html`<p class="empty">${t('team.needs.none')}</p>`}</section>`;
}

function shortDate(ymd) {
  return new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', month: 'short', day: 'numeric', weekday: 'short' })
    .format(new Date(`${ymd}T12:00:00Z`));
}

let last = null; // the last answers, so coming back paints at once

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The team asked for in the address (?team_id=), or null for all of the reader's. */
function askedTeam() {
  const id = new URLSearchParams(location.search).get('team_id');
  return UUID.test(id || '') ? id : null;
}

/** "All · East · South": a chip per team the reader looks after, when there are several. */
function teamChips(teams, asked) {
  if (!teams || teams.length < 2) return '';
  const chip = (href, label, on) => html`<a class="chip-btn${on ? ' on' : ''}" href="${href}" ${on ? html`aria-current="page"` : ''}>${label}</a>`;
  return html`<nav class="chips team-chips" aria-label="${t('team.teams')}">${chip('/team', t('team.all'), !asked)}
    ${teams.map((team) => chip(`/team?team_id=${team.id}`, team.name, team.id === asked))}</nav>`;
}

function paint(page) {
  const head = html`<header class="page-head"><h1>${t('team.title')}</h1>
    <p class="sub">${new Intl.DateTimeFormat(state.locale, { timeZone: zone(), month: 'long', year: 'numeric' }).format(new Date())}</p></header>`;
  if (!last?.home?.ok) {
    mount(page, html`<div class="team-home" data-team-home>${head}${last
      ? html`<div class="empty-state"><p>${t(last.home.status === 403 ? 'team.not_yours' : last.home.offline ? 'common.offline_nothing' : 'common.error')}</p>
          <button class="btn" type="button" data-retry>${t('common.retry')}</button></div>`
      : html`<div class="skeleton"></div><div class="skeleton"></div>`}</div>`);
    page.querySelector('[data-retry]')?.addEventListener('click', () => show(page));
    return;
  }
  const home = last.home.data;
  const reps = rankedReps(home.reps, last.report, state.locale);
  const asOf = formatTime(new Date(home.as_of), state.locale, zone());
  mount(page, html`<div class="team-home" data-team-home>${head}${teamChips(last.teams, home.team_id)}${staleNote(last.home)}
    ${attainmentRing(teamTarget(last.report, home.team_id || state.me.team_id))}
    <p class="targets-link"><a class="btn btn-small" href="/targets${home.team_id ? `?team_id=${home.team_id}` : ''}" data-targets-link>${ICON.target}${t('targets.open')}</a></p>
    <section class="team-reps"><h2>${t('team.reps')} <span class="count">${reps.length}</span></h2>
      ${reps.length ? html`<ul class="list team-list">${reps.map(repRow)}</ul>` : html`<p class="empty">${t('team_plans.no_reps')}</p>`}</section>
    ${needsYou(home.needs_you)}
    <p class="version as-of" data-as-of>${t('team.as_of', { time: asOf })}</p>
    <div class="fab-space"></div></div>`);
  page.querySelector('[data-approvals]')?.addEventListener('click', async (event) => {
    const button = event.target.closest('[data-approve]');
    if (!button) return;
    const claim = home.needs_you.approvals.find((c) => c.id === button.closest('[data-id]').dataset.id);
    button.disabled = true;
    if (await decide(claim, 'approve')) show(page);
    else button.disabled = false;
  });
}

export async function show(page) {
  setTitle(t('team.title'));
  const team = askedTeam();
  if (last && last.team !== team) last = null; // another team's figures are not these
  paint(page);
  const [home, report, teams] = await Promise.all([
    api(`/team/home${team ? `?team_id=${team}` : ''}`), attainment(team ? `&team_id=${team}` : ''), api('/teams?limit=200')]);
  if (home.status === 401) return;
  const mine = teams.ok ? teamsFor(state.me, teams.data.items) : null;
  if (home.ok || !last) last = { team, home, report, teams: mine || last?.teams };
  if (page.isConnected) paint(page);
}

// One rep's day ------------------------------------------------------------------------

const CHECKIN = { verified: '✓', far: '!', unverified: '?' };

function followupLine(f, tz, done = false) {
  const now = new Date();
  const at = new Date(done ? f.done_at : f.due_at);
  const late = !done && at < now;
  return html`<li class="day-row"><span class="row-main"><strong>${f.customer?.name || t(`action.${f.action || 'task'}`)}</strong>
    <span class="meta${late ? ' late' : ''}">${t(`action.${f.action || 'task'}`)} · ${formatDue(at, now, state.locale, tz)}${f.notes ? ` · ${f.notes}` : ''}</span></span></li>`;
}

function visitLine(v, tz) {
  const status = v.checkin_status || 'unverified';
  return html`<li class="day-row"><span class="row-main"><strong>${v.customer_name || t('kind.visit')}</strong>
    <span class="meta">${formatTime(new Date(v.occurred_at), state.locale, tz)}${v.distance_m !== null && v.distance_m !== undefined ? ` · ${t('team.metres', { n: v.distance_m })}` : ''}</span></span>
    <span class="checkin checkin-${status}"><span aria-hidden="true">${CHECKIN[status] || '?'}</span> ${t(`team.checkin.${status}`)}</span></li>`;
}

function daySection(name, items, line) {
  return html`<section class="day-${name}"><h2>${t(`team.day.${name}`)} <span class="count">${items.length}</span></h2>
    ${items.length ? html`<ul class="list">${items.map(line)}</ul>` : html`<p class="empty">${t(`team.day.none_${name}`)}</p>`}</section>`;
}

export async function showRep(page, id) {
  const asked = new URLSearchParams(location.search).get('date');
  const query = /^\d{4}-\d{2}-\d{2}$/.test(asked || '') ? `?date=${asked}` : '';
  mount(page, html`<header class="page-head row">${backLink('/team')}<h1>${t('team.title')}</h1></header><div class="skeleton"></div>`);
  const [res, report] = await Promise.all([api(`/team/reps/${id}/day${query}`), attainment(`&owner_id=${id}`)]);
  if (!page.isConnected) return null;
  if (!res.ok) return mountMissing(page, res, { back: '/team', title: t('team.title'), notFound: 'team_plans.not_found' });
  const day = res.data;
  const tz = day.timezone;
  setTitle(day.owner_name);
  const when = new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric' })
    .format(new Date(`${day.date}T12:00:00Z`));
  const pipeline = day.pipeline.amount.map((a) => money(a.amount, a.currency)).join(' · ');
  return mount(page, html`<div class="rep-day" data-rep-day><header class="page-head row">${backLink('/team')}
      <div class="head-text"><h1>${day.owner_name}</h1><p class="sub">${when}${day.date !== localDate(new Date(), tz) ? '' : ` · ${t('team_plans.today')}`}</p></div></header>
    ${staleNote(res)}
    ${attainmentRing(ownerTarget(report, day.owner_id), { title: t('team.ring.mine') })}
    ${daySection('due', day.followups_due, (f) => followupLine(f, tz))}
    ${daySection('done', day.followups_done, (f) => followupLine(f, tz, true))}
    ${daySection('visits', day.visits, (v) => visitLine(v, tz))}
    <section class="day-plan"><h2>${t('team.day.plan')}</h2>
      ${day.plan?.stops?.length ? stopList(day.plan, { readOnly: true }) : html`<p class="empty">${t('team_plans.no_plan')}</p>`}</section>
    <section class="day-pipeline"><h2>${t('team.day.pipeline')}</h2>
      <p class="card pipeline-card"><strong>${t('team.open_deals', { n: day.pipeline.open_deals })}</strong>
        ${pipeline && html`<span class="amount">${pipeline}</span>`}</p></section>
    <div class="fab-space"></div></div>`);
}
