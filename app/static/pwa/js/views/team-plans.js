// Team plans: for a team lead (and managers), each rep's plan for a day against what
// happened (planned, visited, verified, missed: the plan's summary), and a rep's plan
// stop by stop, read-only.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { addDays, localDate } from '../lib/time.js';
import { teamsFor } from '../lib/team.js';
import { backLink, mountMissing } from '../components/page-head.js';
import { stopList, totals, unfitted } from '../components/plan-stops.js';

export const live = true;

/** The line under a rep: "5 planned · 3 visited · 2 verified · 1 missed" (or "2 to go"). */
export function summaryParts(summary) {
  if (!summary?.planned) return [t('team_plans.no_plan')];
  const parts = [t('team_plans.planned', { n: summary.planned }), t('team_plans.visited', { n: summary.visited }),
    t('team_plans.verified', { n: summary.verified })];
  if (summary.missed) parts.push(t('team_plans.missed', { n: summary.missed }));
  if (summary.pending) parts.push(t('team_plans.pending', { n: summary.pending }));
  return parts;
}

function dayOf() {
  const today = localDate(new Date(), zone());
  const asked = new URLSearchParams(location.search).get('date');
  return { today, date: /^\d{4}-\d{2}-\d{2}$/.test(asked || '') ? asked : today };
}

function dayChips(date, today, path) {
  const days = [[addDays(today, -1), t('team_plans.yesterday')], [today, t('team_plans.today')]];
  return html`<nav class="segmented tabs-2" aria-label="${t('team_plans.day')}">${days.map(([d, label]) =>
    html`<a class="seg-link" href="${path}?date=${d}" ${d === date ? html`aria-current="page"` : ''}>${label}</a>`)}</nav>`;
}

function bar(summary) {
  const n = summary?.planned || 0;
  const pct = (v) => (n ? Math.round((100 * v) / n) : 0);
  return html`<span class="plan-bar-track" aria-hidden="true"><span class="pb-verified" data-w="${pct(summary?.verified || 0)}"></span><span
    class="pb-visited" data-w="${pct((summary?.visited || 0) - (summary?.verified || 0))}"></span><span
    class="pb-missed" data-w="${pct(summary?.missed || 0)}"></span></span>`;
}

function repRow(rep, plan, date) {
  const s = plan?.summary;
  return html`<li><a class="row-link team-rep" href="/team-plans/${rep.id}?date=${date}" data-rep="${rep.id}">
    <span class="avatar" aria-hidden="true">${(rep.name || '?').charAt(0)}</span>
    <span class="row-main"><strong>${rep.name}</strong>
      <span class="meta${s?.missed ? ' late' : ''}">${plan ? summaryParts(s).join(' · ') : t('common.error')}</span>
      ${s?.planned ? bar(s) : ''}</span>
    <span class="chev" aria-hidden="true">›</span></a></li>`;
}

async function members(teams) {
  const pages = await Promise.all(teams.map((team) => api(`/users?team_id=${team.id}&limit=200`)));
  const seen = new Map();
  for (const res of pages) for (const u of res.ok ? res.data.items : []) if (u.active !== false && u.id !== state.me.id) seen.set(u.id, u);
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, state.locale));
}

export async function show(page) {
  setTitle(t('team_plans.title'));
  const { today, date } = dayOf();
  const head = html`<header class="page-head row">${backLink('/settings')}<h1>${t('team_plans.title')}</h1></header>
    ${dayChips(date, today, '/team-plans')}`;
  mount(page, html`${head}<div class="skeleton"></div><div class="skeleton"></div>`);
  const teams = await api('/teams?limit=200');
  if (!teams.ok) return mount(page, html`${head}<div class="empty-state"><p>${t(teams.offline ? 'common.offline_nothing' : 'common.error')}</p></div>`);
  const reps = await members(teamsFor(state.me, teams.data.items));
  const plans = await Promise.all(reps.map((rep) => api(`/plans/${date}?owner_id=${rep.id}`)));
  if (!page.isConnected) return null;
  const sum = (k) => plans.reduce((n, res) => n + (res.ok ? res.data.summary[k] : 0), 0);
  mount(page, html`${head}
    ${reps.length ? html`<p class="summary team-total">
        <span>${t('team_plans.planned', { n: sum('planned') })}</span><span>${t('team_plans.visited', { n: sum('visited') })}</span>
        <span>${t('team_plans.verified', { n: sum('verified') })}</span>
        ${sum('missed') > 0 && html`<span class="late">${t('team_plans.missed', { n: sum('missed') })}</span>`}</p>
      <ul class="list team-list">${reps.map((rep, i) => repRow(rep, plans[i].ok ? plans[i].data : null, date))}</ul>`
      : html`<p class="empty">${t('team_plans.no_reps')}</p>`}`);
  for (const part of page.querySelectorAll('[data-w]')) part.style.width = `${part.dataset.w}%`;
  return null;
}

export async function showOne(page, id) {
  const { date } = dayOf();
  const [user, res] = await Promise.all([api(`/users/${id}`), api(`/plans/${date}?owner_id=${id}`)]);
  const back = `/team-plans?date=${date}`;
  if (!res.ok) return mountMissing(page, res, { back, title: t('team_plans.title'), notFound: 'team_plans.not_found' });
  const plan = res.data;
  const name = user.ok ? user.data.name : '';
  setTitle(name);
  const day = new Intl.DateTimeFormat(state.locale, { timeZone: plan.timezone, weekday: 'long', month: 'long', day: 'numeric' })
    .format(new Date(`${date}T12:00:00Z`));
  return mount(page, html`<header class="page-head row">${backLink(back)}
      <div class="head-text"><h1>${name}</h1><p class="sub">${day}</p></div></header>
    <p class="summary rep-summary${plan.summary.missed ? ' has-missed' : ''}">${summaryParts(plan.summary).join(' · ')}</p>
    ${plan.stops.length ? html`${totals(plan)}${unfitted(plan)}
      <section><h2>${t('plan.stops')}</h2>${stopList(plan, { readOnly: true })}</section>`
      : html`<p class="empty">${t('team_plans.no_plan')}</p>`}`);
}
