// Analysis: lead intake by week and source, conversion to customer by source and by rep,
// best and slowest sellers, lost reasons, win rate and days by stage, and the attainment
// trend of the last six months (whatever the period chips say). One chart per
// report (plain SVG, components/bar-chart.js), each with the same numbers as a table.
// Scoped by the server like every report; the period chips pick from/to.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t, label } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { isoWeeksBetween, localDate } from '../lib/time.js';
import { seriesOf } from '../lib/chart.js';
import { backLink, staleNote } from '../components/page-head.js';
import { money } from '../components/money.js';
import { barsSVG, chartCard, columnsSVG, dataTable, legend, linesSVG, toggleTable } from '../components/bar-chart.js';

export const live = false;

export const PERIODS = ['weeks', 'quarter', 'year'];
const REPORTS = ['lead-intake', 'product-sales', 'lost-reasons', 'stage-performance'];
let chosen = 'weeks';

/** The query of a period chip on `today` ("YYYY-MM-DD"): the server's default 12 weeks,
 * this quarter or this year so far. */
export function periodQuery(name, today) {
  if (name === 'quarter') {
    const month = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
    return `?from=${today.slice(0, 4)}-${String(month).padStart(2, '0')}-01&to=${today}`;
  }
  if (name === 'year') return `?from=${today.slice(0, 4)}-01-01&to=${today}`;
  return '';
}

const count = (n) => ({ text: new Intl.NumberFormat(state.locale).format(n), value: n });
const pct = (rate) => (rate === null ? '–'
  : new Intl.NumberFormat(state.locale, { style: 'percent', maximumFractionDigits: 1 }).format(rate));
const rateCell = (rate) => ({ text: pct(rate), value: rate ?? '' });
const sourceName = (s) => (s ? label('leads.source_names', s) : t('analysis.no_source'));

function intakeCard(r) {
  const sources = seriesOf(r.conversion.by_source.map((s) => s.source));
  const weeks = isoWeeksBetween(r.from, r.to);
  const at = new Map(r.weeks.map((w) => [`${w.week} ${w.source}`, w.count]));
  const cols = weeks.map((week) => ({
    label: `W${week.slice(-2)}`,
    parts: sources.map((s) => ({ key: s.key, value: at.get(`${week} ${s.key}`) || 0 })),
  }));
  const table = dataTable(t('analysis.intake_caption', { from: r.from, to: r.to }),
    [t('analysis.week'), ...sources.map((s) => sourceName(s.key)), t('analysis.total')],
    cols.map((c, i) => [weeks[i], ...c.parts.map((p) => count(p.value)),
      count(c.parts.reduce((n, p) => n + p.value, 0))]));
  return chartCard('lead-intake', t('analysis.intake'),
    html`${columnsSVG(cols, sources)}${legend(sources, sourceName)}`, table, !r.weeks.length);
}

function conversionCard(name, title, rows, rowName) {
  const series = [{ key: 'converted', slot: 0 }, { key: 'rest', slot: 7 }];
  const bars = rows.map((r) => ({ label: rowName(r), text: `${r.converted}/${r.leads} · ${pct(r.rate)}`,
    parts: [{ key: 'converted', value: r.converted }, { key: 'rest', value: r.leads - r.converted }] }));
  const table = dataTable(t(`analysis.${name}_caption`),
    [t(`analysis.${name}_who`), t('analysis.leads'), t('analysis.converted'), t('analysis.rate')],
    rows.map((r) => [rowName(r), count(r.leads), count(r.converted), rateCell(r.rate)]));
  const keys = (k) => t(k === 'converted' ? 'analysis.converted' : 'analysis.not_converted');
  return chartCard(name, title, html`${barsSVG(bars, series)}${legend(series, keys)}`, table, !rows.length);
}

function productsCard(name, items) {
  const bars = items.map((i) => ({ label: i.name, text: money(i.revenue, i.currency),
    parts: [{ key: 'revenue', value: Number(i.revenue) }] }));
  const table = dataTable(t(`analysis.${name}_caption`),
    [t('analysis.product'), t('analysis.quantity'), t('analysis.revenue')],
    items.map((i) => [i.name, { text: new Intl.NumberFormat(state.locale).format(Number(i.quantity)), value: i.quantity },
      { text: money(i.revenue, i.currency), value: i.revenue }]));
  return chartCard(name, t(`analysis.${name}`), barsSVG(bars), table, !items.length);
}

function lostCard(items) {
  const bars = items.map((i) => ({ label: i.reason || t('analysis.no_reason'), text: String(i.count),
    parts: [{ key: 'count', value: i.count }] }));
  const table = dataTable(t('analysis.lost_caption'),
    [t('analysis.reason'), t('analysis.deals'), t('analysis.amount')],
    items.map((i) => [i.reason || t('analysis.no_reason'), count(i.count),
      { text: i.amounts.map((a) => money(a.amount, a.currency)).join(' + '),
        value: i.amounts.map((a) => `${a.amount} ${a.currency}`).join(' + ') }]));
  return chartCard('lost', t('analysis.lost'), barsSVG(bars), table, !items.length);
}

function stagesCard(items) {
  const days = (d) => (d === null ? '–' : t('analysis.days', { n: new Intl.NumberFormat(state.locale).format(d) }));
  const bars = items.map((i) => ({ label: i.stage, text: i.entered ? `${pct(i.win_rate)} · ${days(i.avg_days)}` : '–',
    parts: [{ key: 'rate', value: i.win_rate || 0 }] }));
  const table = dataTable(t('analysis.stages_caption'),
    [t('analysis.stage'), t('analysis.entered'), t('analysis.won'), t('analysis.lost_n'), t('analysis.rate'),
      t('analysis.avg_days')],
    items.map((i) => [i.stage, count(i.entered), count(i.won), count(i.lost), rateCell(i.win_rate),
      { text: days(i.avg_days), value: i.avg_days ?? '' }]));
  return chartCard('stages', t('analysis.stages'), barsSVG(bars, [], 1), table,
    !items.some((i) => i.entered));
}

const MAX_LINES = 8; // more lines than colours would not read; the table has everyone

/** The won amount's percent of target by month: a line per team (or, for a rep, per
 * person), a break where a month has no target; every person and team in the table. */
function trendCard(r) {
  const month = (m, options) => new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', ...options })
    .format(new Date(`${m}-01T12:00:00Z`));
  const currencies = new Set(r.items.map((i) => i.currency));
  const rowName = (i) => {
    const name = i.team_id ? t('analysis.trend_team', { name: i.name }) : i.name;
    return currencies.size > 1 && i.currency ? `${name} (${i.currency})` : name;
  };
  const teams = r.items.filter((i) => i.team_id);
  const drawn = (teams.length ? teams : r.items).slice(0, MAX_LINES);
  const series = seriesOf(drawn.map((_, i) => String(i)));
  const svg = linesSVG(r.months.map((m) => month(m, { month: 'short' })),
    drawn.map((item, i) => ({ key: String(i), values: item.points.map((p) => p.percent) })),
    series, { referenceText: t('analysis.trend_target') });
  const table = dataTable(t('analysis.trend_caption'),
    [t('analysis.trend_who'), ...r.months.map((m) => month(m, { year: '2-digit', month: 'short' }))],
    r.items.map((i) => [rowName(i), ...i.points.map((p) => ({
      text: pct(p.percent === null ? null : p.percent / 100), value: p.percent ?? '' }))]));
  const empty = !r.items.some((i) => i.points.some((p) => p.percent !== null));
  return chartCard('trend', t('analysis.trend'),
    html`${svg}${legend(series, (key) => rowName(drawn[Number(key)]))}`, table, empty && t('analysis.no_targets'));
}

function head() {
  return html`<header class="page-head row">${backLink('/settings')}<h1>${t('analysis.title')}</h1></header>
    <div class="chips period-chips" role="group" aria-label="${t('analysis.period')}">${PERIODS.map(
      (p) => html`<button class="chip-btn${p === chosen ? ' on' : ''}" type="button" data-period="${p}"
        aria-pressed="${String(p === chosen)}">${t(`analysis.period_${p}`)}</button>`,
    )}</div>`;
}

async function paint(page) {
  mount(page, html`${head()}<div class="skeleton"></div><div class="skeleton"></div>`);
  const query = periodQuery(chosen, localDate(new Date(), zone()));
  const answers = await Promise.all([...REPORTS.map((r) => api(`/reports/${r}${query}`)),
    api('/reports/attainment-trend')]);
  if (!page.isConnected) return;
  if (!answers.every((r) => r.ok)) {
    const offline = answers.some((r) => r.offline);
    mount(page, html`${head()}<p class="empty">${offline ? t('common.offline_nothing') : t('common.error')}</p>`);
    return;
  }
  const [intake, products, lost, stages, trend] = answers.map((r) => r.data);
  const owner = (r) => r.owner_name || t('analysis.pool');
  mount(page, html`${head()}${staleNote(answers[0])}
    <p class="sub">${t('analysis.period_is', { from: intake.from, to: intake.to })}</p>
    ${intakeCard(intake)}
    ${conversionCard('by_source', t('analysis.by_source'), intake.conversion.by_source, (r) => sourceName(r.source))}
    ${conversionCard('by_owner', t('analysis.by_owner'), intake.conversion.by_owner, owner)}
    ${productsCard('best', products.best)}
    ${productsCard('slowest', products.slowest)}
    ${lostCard(lost.items)}
    ${stagesCard(stages.items)}
    ${trendCard(trend)}
    <div class="fab-space"></div>`);
}

export async function show(page) {
  setTitle(t('analysis.title'));
  page.addEventListener('click', (e) => {
    const toggle = e.target.closest('[data-table-toggle]');
    if (toggle) return toggleTable(toggle);
    const chip = e.target.closest('[data-period]');
    if (chip && chip.dataset.period !== chosen) {
      chosen = chip.dataset.period;
      paint(page);
    }
  });
  await paint(page);
}
