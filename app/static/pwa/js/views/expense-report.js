// The expense report: spend by month (a small bar chart drawn here, no library), by
// category and by rep, with each rep's cost against the revenue of deals they won.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { barScale } from '../lib/money.js';
import { money } from '../components/money.js';

export const live = false;

function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Intl.DateTimeFormat(state.locale, { month: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 1)));
}

/** Vertical bars, one per month: plain SVG, scaled to the largest month. */
function monthChart(rows) {
  if (!rows.length) return html``;
  const heights = barScale(rows.map((r) => r.total));
  const w = 100 / rows.length;
  return html`<figure class="chart card">
    <svg viewBox="0 0 100 60" preserveAspectRatio="none" role="img" aria-label="${t('expenses.report_by_month')}">
      ${rows.map(
        (r, i) => html`<rect x="${(i * w + w * 0.15).toFixed(2)}" y="${(55 - heights[i] * 0.5).toFixed(2)}" width="${(w * 0.7).toFixed(2)}"
          height="${Math.max(heights[i] * 0.5, 0.5).toFixed(2)}" rx="1"><title>${monthLabel(r.month)} ${money(r.total, r.currency)}</title></rect>`,
      )}
    </svg>
    <figcaption class="chart-x">${rows.map((r) => html`<span>${monthLabel(r.month)}</span>`)}</figcaption>
  </figure>`;
}

/** Horizontal CSS bars with the amount, for categories. */
function barList(rows, name) {
  const widths = barScale(rows.map((r) => r.total));
  return html`<ul class="bars card">${rows.map(
    (r, i) => html`<li><span class="bar-label">${name(r)}</span><span class="bar"><span data-w="${widths[i]}"></span></span>
      <span class="amount">${money(r.total, r.currency)}</span></li>`,
  )}</ul>`;
}

function ratio(r) {
  if (r.cost_to_revenue === null || r.cost_to_revenue === undefined) return t('expenses.report_no_revenue');
  return new Intl.NumberFormat(state.locale, { style: 'percent', maximumFractionDigits: 1 }).format(Number(r.cost_to_revenue));
}

export async function show(page) {
  setTitle(t('expenses.report_title'));
  mount(page, html`<header class="page-head row">${backLink('/settings')}<h1>${t('expenses.report_title')}</h1></header>
    <div class="skeleton"></div>`);
  const res = await api('/reports/expenses');
  if (!page.isConnected) return;
  if (!res.ok) {
    mount(page, html`<header class="page-head row">${backLink('/settings')}<h1>${t('expenses.report_title')}</h1></header>
      <p class="empty">${res.offline ? t('common.offline_nothing') : t('common.error')}</p>`);
    return;
  }
  const r = res.data;
  const period = `${r.from} – ${r.to}`;
  mount(
    page,
    html`<header class="page-head row">${backLink('/settings')}<h1>${t('expenses.report_title')}</h1></header>
      ${staleNote(res)}
      <p class="sub">${t('expenses.report_period', { period })}</p>
      <section class="card x-summary">${r.totals.length
        ? r.totals.map((x) => html`<span class="amount big">${money(x.total, x.currency)}</span>`)
        : html`<span class="meta">${t('expenses.report_empty')}</span>`}</section>
      <section><h2>${t('expenses.report_by_month')}</h2>${monthChart(r.by_month)}</section>
      <section><h2>${t('expenses.report_by_category')}</h2>${barList(r.by_category, (x) => t(`expenses.category.${x.category}`))}</section>
      <section><h2>${t('expenses.report_by_rep')}</h2>
        <div class="card table-wrap"><table class="x-table">
          <thead><tr><th scope="col">${t('expenses.report_rep')}</th><th scope="col">${t('expenses.report_spent')}</th>
            <th scope="col">${t('expenses.report_ratio')}</th></tr></thead>
          <tbody>${r.by_rep.map(
            (x) => html`<tr><th scope="row">${x.owner_name}<span class="meta">${t('expenses.claims_n', { n: x.claims })}</span></th>
              <td>${money(x.total, x.currency)}</td><td>${ratio(x)}</td></tr>`,
          )}</tbody>
        </table></div>
        <p class="hint">${t('expenses.report_ratio_hint')}</p>
      </section>
      <div class="fab-space"></div>`,
  );
  // Widths through the CSSOM: the Content-Security-Policy allows no inline style attributes.
  for (const bar of page.querySelectorAll('[data-w]')) bar.style.width = `${bar.dataset.w}%`;
}
