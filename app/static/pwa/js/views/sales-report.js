// The sales report: the pipeline funnel, the forecast, who won what (leaderboard) and
// who did what (activity), for the last 90 days; each counts only what the reader may see
// (a rep: themself; a team lead: their teams; a manager: everyone).

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { barScale } from '../lib/money.js';
import { money } from '../components/money.js';

export const live = false;

const KINDS = ['call', 'visit', 'meeting'];

function head() {
  return html`<header class="page-head row">${backLink('/settings')}<h1>${t('sales_report.title')}</h1></header>`;
}

function funnel(stages) {
  const shown = stages.filter((s) => s.entered || s.kind === 'open');
  const widths = barScale(shown.map((s) => String(s.entered)));
  const pct = (v) => new Intl.NumberFormat(state.locale, { style: 'percent', maximumFractionDigits: 0 }).format(v);
  return html`<ul class="bars funnel card">${shown.map(
    (s, i) => html`<li><span class="bar-label">${s.name}</span><span class="bar"><span data-w="${widths[i]}"></span></span>
      <span class="amount">${s.entered}${s.conversion !== null && s.conversion <= 1 ? html`<span class="meta"> → ${pct(s.conversion)}</span>` : ''}</span></li>`,
  )}</ul>`;
}

function forecast(f) {
  if (!f.totals.length && !f.won.length) return html`<p class="card empty">${t('sales_report.nothing')}</p>`;
  return html`<div class="card facts">
    ${f.totals.map((x) => html`<div><dt>${t('sales_report.open_deals', { n: x.deals })}</dt>
      <dd>${money(x.amount, x.currency)}<span class="meta block">${t('sales_report.weighted', { amount: money(x.weighted, x.currency) })}</span></dd></div>`)}
    ${f.won.map((x) => html`<div><dt>${t('sales_report.won_deals', { n: x.deals })}</dt><dd>${money(x.amount, x.currency)}</dd></div>`)}
  </div>`;
}

function leaderboard(people) {
  if (!people.length) return html`<p class="card empty">${t('sales_report.nothing')}</p>`;
  return html`<div class="card table-wrap"><table class="x-table">
    <thead><tr><th scope="col">${t('sales_report.person')}</th><th scope="col">${t('sales_report.deals')}</th>
      <th scope="col">${t('sales_report.won')}</th></tr></thead>
    <tbody>${people.map((p) => html`<tr><th scope="row"><span class="rank">${p.rank}</span> ${p.owner_name}</th>
      <td>${p.deals}</td><td>${money(p.amount, p.currency)}</td></tr>`)}</tbody>
  </table></div>`;
}

function activity(people) {
  if (!people.length) return html`<p class="card empty">${t('sales_report.nothing')}</p>`;
  return html`<div class="card table-wrap"><table class="x-table">
    <thead><tr><th scope="col">${t('sales_report.person')}</th>
      ${KINDS.map((k) => html`<th scope="col">${t(`kind.${k}`)}</th>`)}
      <th scope="col">${t('sales_report.done')}</th></tr></thead>
    <tbody>${people.map((p) => html`<tr><th scope="row">${p.owner_name}</th>
      ${KINDS.map((k) => html`<td>${p.by_kind[k] || 0}</td>`)}<td>${p.followups_done}</td></tr>`)}</tbody>
  </table></div>`;
}

export async function show(page) {
  setTitle(t('sales_report.title'));
  mount(page, html`${head()}<div class="skeleton"></div><div class="skeleton"></div>`);
  const [f, fc, lb, ac] = await Promise.all(
    ['/reports/funnel', '/reports/forecast', '/reports/leaderboard', '/reports/activity'].map((p) => api(p)),
  );
  if (!page.isConnected) return;
  if (![f, fc, lb, ac].every((r) => r.ok)) {
    const offline = [f, fc, lb, ac].some((r) => r.offline);
    mount(page, html`${head()}<p class="empty">${offline ? t('common.offline_nothing') : t('common.error')}</p>`);
    return;
  }
  mount(
    page,
    html`${head()}${staleNote(f)}
      <p class="sub">${t('sales_report.period', { period: `${f.data.from} – ${f.data.to}` })}</p>
      <section><h2>${t('sales_report.funnel')}</h2>${funnel(f.data.stages)}
        <p class="hint">${t('sales_report.funnel_hint')}</p></section>
      <section><h2>${t('sales_report.forecast')}</h2>${forecast(fc.data)}</section>
      <section><h2>${t('sales_report.leaderboard')}</h2>${leaderboard(lb.data.people)}</section>
      <section><h2>${t('sales_report.activity')}</h2>${activity(ac.data.people)}</section>
      <div class="fab-space"></div>`,
  );
  // Widths through the CSSOM: the Content-Security-Policy allows no inline style attributes.
  for (const bar of page.querySelectorAll('[data-w]')) bar.style.width = `${bar.dataset.w}%`;
}
