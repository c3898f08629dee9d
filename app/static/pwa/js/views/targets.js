// Targets: a lead (their teams) or a manager (every team) sets and reviews a month's
// targets top-down: the team's target beside each member's, with the month's actual,
// "Target not set" in words, and a warning in words when the members do not add up to
// the team's. A value is set, changed or removed in place; the write goes through the
// outbox (If-Match of the version seen), so it works offline and shows as waiting. A
// month an administrator locked is shown read-only. Reps are sent back: not theirs.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { send } from '../lib/sync.js';
import { setTitle, toast, confirmSheet, refusal } from '../lib/sheets.js';
import { teamsFor } from '../lib/team.js';
import { METRICS, isMoney, isLocked, monthChoices, parseFigure, subjectKey, topDown } from '../lib/targets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { figure } from '../components/attainment-ring.js';
import { guardOf } from '../components/record-edit-sheets.js';
import { ICON } from '../components/icons.js';

// A sync must not repaint under a value being typed: onQueue repaints when no row is open.
export const live = false;
const TARGET_SETTERS = ['lead', 'manager', 'admin'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

let chosen = { month: null, metric: 'won_amount', team: null };
let shown = null; // {teams, settings, report, targets, closed: Set of months the server refused as locked}
let editing = null; // the subject key of the row being edited

/** ?from=settings: Back goes to Settings instead of Team. */
const fromOf = () => (new URLSearchParams(location.search).get('from') === 'settings' ? { from: 'settings' } : {});
const backOf = () => (fromOf().from ? '/settings' : '/team');

function head(back) {
  return html`<header class="page-head row">${backLink(back)}<h1>${t('targets.title')}</h1></header>`;
}

function monthLabel(month, offset) {
  if (offset === 0) return t('targets.this_month');
  if (offset === 1) return t('targets.next_month');
  return new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', month: 'short', year: 'numeric' })
    .format(new Date(`${month}-15T12:00:00Z`));
}

const longMonth = (month) => new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', month: 'long', year: 'numeric' })
  .format(new Date(`${month}-15T12:00:00Z`));

function chips(name, label, options, on) {
  return html`<div class="chips target-chips" role="group" aria-label="${label}">${options.map(([value, text]) =>
    html`<button class="chip-btn${value === on ? ' on' : ''}" type="button" data-${name}="${value}" aria-pressed="${String(value === on)}">${text}</button>`)}</div>`;
}

function pickers() {
  const teams = shown.teams.length > 1 ? chips('team', t('team.teams'), shown.teams.map((x) => [x.id, x.name]), chosen.team) : '';
  const months = monthChoices(new Date(), zone()).map((m) => [m.month, monthLabel(m.month, m.offset)]);
  return html`${teams}${chips('month', t('targets.month'), months, chosen.month)}
    ${chips('metric', t('targets.metric_label'), METRICS.map((m) => [m, t(`targets.metric.${m}`)]), chosen.metric)}`;
}

const locked = () => shown.closed.has(chosen.month) || isLocked(shown.settings, chosen.month, new Date());

function waitingBadge(r) {
  if (r.waiting === 'failed') return html`<span class="badge b-overdue">${t('targets.refused')}</span>`;
  return r.waiting ? html`<span class="badge b-queued">${t('expenses.queued')}</span>` : '';
}

function figures(r, unit) {
  const target = r.set
    ? html`<span class="tg-value">${t('targets.target_is', { value: figure(r.value, unit) })}</span>${r.stretch !== null && r.stretch !== undefined
      ? html`<span>${t('targets.stretch_is', { value: figure(r.stretch, unit) })}</span>` : ''}`
    : html`<span class="not-set">${t('targets.not_set')}</span>`;
  return html`<span class="meta tg-figures">${target}<span>${t('targets.actual_is', { value: figure(r.actual, unit) })}</span></span>`;
}

function editForm(r, unit) {
  const money = isMoney(chosen.metric);
  const suffix = money ? ` (${unit.currency})` : '';
  const input = (name, label, value) => html`<label class="field"><span>${label}${suffix}</span>
    <input name="${name}" inputmode="${money ? 'decimal' : 'numeric'}" autocomplete="off" maxlength="16" value="${value ?? ''}" /></label>`;
  return html`<form class="form target-form" data-edit="${subjectKey(r.kind, r.id, chosen.metric, chosen.month)}" novalidate>
    <div class="target-inputs">${input('value', t('targets.value'), r.value)}${input('stretch', t('targets.stretch'), r.stretch)}</div>
    <p class="form-error" data-error role="alert">${r.error ? refusal(r.error) : ''}</p>
    <div class="row-buttons">
      ${r.target && html`<button class="btn btn-small btn-quiet btn-danger-text" type="button" data-remove>${t('targets.remove')}</button>`}
      <button class="btn btn-small" type="button" data-cancel>${t('common.cancel')}</button>
      <button class="btn btn-small btn-primary" type="submit">${t('common.save')}</button></div></form>`;
}

function action(r) {
  if (locked()) return '';
  return html`<button class="btn btn-small" type="button" data-open="${subjectKey(r.kind, r.id, chosen.metric, chosen.month)}">${r.set ? t('targets.change') : t('targets.set')}</button>`;
}

function memberRow(r, unit) {
  const key = subjectKey(r.kind, r.id, chosen.metric, chosen.month);
  return html`<li class="target-row${r.set ? '' : ' unset'}" data-row="${key}" data-owner="${r.id}">
    <div class="target-line"><span class="avatar" aria-hidden="true">${(r.name || '?').charAt(0)}</span>
      <span class="row-main"><strong>${r.name}</strong> ${waitingBadge(r)}${figures(r, unit)}</span>${editing === key ? '' : action(r)}</div>
    ${editing === key ? editForm(r, unit) : ''}</li>`;
}

function sumNote(picture, unit) {
  const { team, sum, mismatch, difference } = picture;
  if (mismatch) {
    const words = sum === null ? t('targets.mismatch_none', { team: figure(team.value, unit) })
      : t(Number(difference) < 0 ? 'targets.mismatch_short' : 'targets.mismatch_over', {
        sum: figure(sum, unit), team: figure(team.value, unit), diff: figure(String(difference).replace('-', ''), unit) });
    return html`<p class="warn target-mismatch" role="status" data-mismatch><span aria-hidden="true">⚠ </span>${words}</p>`;
  }
  if (team.set) return html`<p class="target-sum ok" data-sum-ok><span aria-hidden="true">✓ </span>${t('targets.adds_up', { sum: figure(sum, unit) })}</p>`;
  return sum === null ? '' : html`<p class="target-sum" data-sum>${t('targets.members_sum', { sum: figure(sum, unit) })}</p>`;
}

function teamCard(picture, unit) {
  const r = picture.team;
  const key = subjectKey('team', r.id, chosen.metric, chosen.month);
  return html`<section class="card target-team${r.set ? '' : ' unset'}" data-row="${key}" data-team-row>
    <div class="target-line"><span class="row-main"><strong>${t('targets.team_target', { name: r.name })}</strong> ${waitingBadge(r)}${figures(r, unit)}</span>
      ${editing === key ? '' : action(r)}</div>
    ${editing === key ? editForm(r, unit) : ''}</section>`;
}

function picture() {
  const team = shown.teams.find((x) => x.id === chosen.team);
  return topDown({ report: shown.report.data, targets: shown.targets, queued: state.queued, teamId: chosen.team,
    teamName: team?.name, metric: chosen.metric, month: chosen.month });
}

function paint(page) {
  const back = backOf();
  if (!shown.report) {
    mount(page, html`${head(back)}${pickers()}<div class="skeleton"></div><div class="skeleton"></div>`);
    return;
  }
  if (!shown.report.ok) {
    mount(page, html`${head(back)}${pickers()}<div class="empty-state"><p>${t(shown.report.offline ? 'common.offline_nothing' : 'common.error')}</p></div>`);
    return;
  }
  const p = picture();
  const unit = { currency: p.currency };
  const closed = locked();
  mount(page, html`<div class="targets" data-targets data-locked="${String(closed)}">${head(back)}${pickers()}${staleNote(shown.report)}
    <p class="sub">${longMonth(chosen.month)} · ${t(`targets.metric.${chosen.metric}`)}${p.currency ? ` · ${p.currency}` : ''}</p>
    ${closed && html`<p class="warn target-locked" role="status" data-locked-note>${ICON.lock} ${t('targets.locked', { month: longMonth(chosen.month) })}</p>`}
    ${teamCard(p, unit)}${sumNote(p, unit)}
    <section class="target-members"><h2>${t('targets.members')} <span class="count">${p.members.length}</span>
      ${p.notSet ? html`<span class="meta">${t('targets.n_not_set', { n: p.notSet })}</span>` : ''}</h2>
      ${p.members.length ? html`<ul class="list target-list">${p.members.map((r) => memberRow(r, unit))}</ul>`
        : html`<p class="empty">${t('team_plans.no_reps')}</p>`}</section>
    <div class="fab-space"></div></div>`);
  for (const on of page.querySelectorAll('.target-chips .on')) on.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  page.querySelector('[data-edit] input')?.focus();
}

async function load(page) {
  const query = `period=${chosen.month}&metric=${chosen.metric}`;
  const [report, targets] = await Promise.all([
    api(`/reports/attainment?${query}&team_id=${chosen.team}`), api(`/targets?${query}&limit=200`)]);
  if (!page.isConnected) return;
  // No answer now (offline, say) but one before for the same picks: keep showing that one.
  if (report.ok || !shown.report?.ok) {
    shown.report = report;
    shown.targets = targets.ok ? targets.data.items.map((x) => ({ ...x, period: x.period.slice(0, 7) })) : [];
  }
  paint(page);
}

function rowOf(key) {
  const p = picture();
  return [p.team, ...p.members].find((r) => subjectKey(r.kind, r.id, chosen.metric, chosen.month) === key);
}

/** Send a write for one row; then draw what the server (or the outbox) now holds. */
async function write(page, r, request) {
  const unit = r.kind === 'team' ? t('targets.team_target', { name: r.name }) : r.name;
  const meta = { type: 'target', subject: subjectKey(r.kind, r.id, chosen.metric, chosen.month), title: unit,
    metric: chosen.metric, month: chosen.month };
  const result = await send({ ...request, meta }, { alive: () => page.isConnected });
  if (!page.isConnected) return;
  if (result.state === 'refused') {
    if (result.error.status === 409) {
      const settings = await api('/settings');
      if (settings.ok) shown.settings = settings.data;
      // Locked since this screen read the settings (else: a target someone set meanwhile).
      if (isLocked(shown.settings, chosen.month, new Date())) shown.closed.add(chosen.month);
    }
    toast(refusal(result.error), { alert: true });
    if (result.error.status !== 422) editing = null;
    if (editing) {
      paint(page);
      page.querySelector('[data-edit] [data-error]').textContent = refusal(result.error);
      return;
    }
    await load(page);
    return;
  }
  editing = null;
  toast(result.state === 'queued' ? t('toast.saved_offline') : t('targets.saved'));
  if (result.state === 'queued') paint(page);
  else await load(page);
}

async function save(page, form) {
  const r = rowOf(form.dataset.edit);
  const error = form.querySelector('[data-error]');
  const value = parseFigure(form.elements.value.value, chosen.metric);
  const stretch = parseFigure(form.elements.stretch.value, chosen.metric);
  if (value === null) error.textContent = t('targets.value_required');
  else if (value === undefined || stretch === undefined) error.textContent = t(isMoney(chosen.metric) ? 'targets.not_money' : 'targets.not_count');
  if (value === null || value === undefined || stretch === undefined) return form.elements.value.focus();
  form.querySelector('[type=submit]').disabled = true;
  if (r.target) {
    return write(page, r, { method: 'PATCH', url: `/api/v1/targets/${r.target.id}`, body: { value, stretch }, headers: guardOf(r.target) });
  }
  const body = { id: crypto.randomUUID(), metric: chosen.metric, period: chosen.month, value, stretch,
    [r.kind === 'team' ? 'team_id' : 'owner_id']: r.id };
  if (isMoney(chosen.metric)) body.currency = picture().currency || undefined;
  return write(page, r, { method: 'POST', url: '/api/v1/targets', body });
}

async function remove(page, form) {
  const r = rowOf(form.dataset.edit);
  const ok = await confirmSheet({ title: t('targets.remove_title', { name: r.name }), body: t('targets.remove_body'),
    ok: t('targets.remove'), danger: true });
  if (ok && page.isConnected) await write(page, r, { method: 'DELETE', url: `/api/v1/targets/${r.target.id}`, headers: guardOf(r.target) });
}

function listen(page) {
  page.addEventListener('click', (e) => {
    const chip = e.target.closest('[data-team], [data-month], [data-metric]');
    if (chip) {
      const [name] = ['team', 'month', 'metric'].filter((n) => chip.dataset[n] !== undefined);
      if (chosen[name] === chip.dataset[name]) return;
      chosen = { ...chosen, [name]: chip.dataset[name] };
      // The address keeps what was picked, so a reload (or a language change) shows it again.
      history.replaceState(null, '', `/targets?${new URLSearchParams({ ...fromOf(), team_id: chosen.team, month: chosen.month, metric: chosen.metric })}`);
      editing = null;
      shown.report = null;
      paint(page);
      load(page);
    } else if (e.target.closest('[data-open]')) {
      editing = e.target.closest('[data-open]').dataset.open;
      paint(page);
    } else if (e.target.closest('[data-cancel]')) {
      editing = null;
      paint(page);
    } else if (e.target.closest('[data-remove]')) {
      remove(page, e.target.closest('form'));
    }
  });
  page.addEventListener('submit', (e) => {
    e.preventDefault();
    save(page, e.target);
  });
}

/** The outbox moved (a change went out, or failed): draw it, unless a value is being typed. */
export function onQueue(page) {
  if (shown?.report && !editing) load(page);
}

export async function show(page) {
  setTitle(t('targets.title'));
  const back = backOf();
  if (!TARGET_SETTERS.includes(state.me.role)) {
    mount(page, html`${head(back)}<div class="empty-state"><p>${t('targets.not_yours')}</p><a class="btn" href="/today">${t('nav.today')}</a></div>`);
    return;
  }
  mount(page, html`${head(back)}<div class="skeleton"></div><div class="skeleton"></div>`);
  const [teams, settings] = await Promise.all([api('/teams?limit=200'), api('/settings')]);
  if (!page.isConnected) return;
  if (!teams.ok) {
    mount(page, html`${head(back)}<div class="empty-state"><p>${t(teams.offline ? 'common.offline_nothing' : 'common.error')}</p></div>`);
    return;
  }
  const mine = teamsFor(state.me, teams.data.items);
  if (!mine.length) {
    mount(page, html`${head(back)}<div class="empty-state"><p>${t('targets.no_teams')}</p></div>`);
    return;
  }
  const asked = new URLSearchParams(location.search);
  const team = mine.find((x) => x.id === (UUID.test(asked.get('team_id') || '') ? asked.get('team_id') : chosen.team)) || mine[0];
  const months = monthChoices(new Date(), zone()).map((m) => m.month);
  const month = [asked.get('month'), chosen.month].find((m) => months.includes(m)) || months[0];
  const metric = [asked.get('metric'), chosen.metric].find((m) => METRICS.includes(m));
  chosen = { team: team.id, month, metric };
  shown = { teams: mine, settings: settings.ok ? settings.data : null, report: null, targets: [], closed: shown?.closed || new Set() };
  editing = null;
  listen(page);
  paint(page);
  await load(page);
}
