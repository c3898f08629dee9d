// An analysis chart as a card: a title, a "Table" toggle, the chart in plain SVG (geometry
// from lib/chart.js) and the same numbers as an HTML table with a caption. The table is
// always in the page: visually hidden under the chart (the SVG is aria-hidden, so a screen
// reader reads the table), shown instead of the chart by the toggle.

import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { BAR_HEIGHT, barRows, columns, lines } from '../lib/chart.js';

/** Horizontal bars: rows [{label, parts: [{key, value}], text}], series [{key, slot}]. */
export function barsSVG(rows, series = [], max = null) {
  const g = barRows(rows, { max });
  const slot = slotOf(series);
  return html`<svg class="chart-svg" viewBox="0 0 ${g.width} ${Math.max(g.height, 1)}" aria-hidden="true" focusable="false">
    ${g.rows.map((r) => html`<g>
      <text class="chart-label" x="0" y="${r.labelY}">${r.label}</text>
      <rect class="chart-track" x="0" y="${r.barY}" width="${g.width}" height="${BAR_HEIGHT}" rx="2"></rect>
      ${r.segments.map((s) => html`<rect class="s${slot(s.key)}" x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}" rx="2"></rect>`)}
      <text class="chart-value" x="${r.textX}" y="${r.labelY}" text-anchor="end">${r.text}</text></g>`)}
  </svg>`;
}

/** Stacked columns: cols [{label, parts: [{key, value}]}], series [{key, slot}]. */
export function columnsSVG(cols, series = []) {
  const g = columns(cols);
  const slot = slotOf(series);
  return html`<svg class="chart-svg" viewBox="0 0 ${g.width} ${g.height}" aria-hidden="true" focusable="false">
    <line class="chart-axis" x1="0" x2="${g.width}" y1="${g.baseline}" y2="${g.baseline}"></line>
    ${g.columns.map((c) => html`<g>
      ${c.segments.map((s) => html`<rect class="s${slot(s.key)}" x="${s.x}" y="${s.y}" width="${s.w}" height="${s.h}"></rect>`)}
      ${c.total > 0 && html`<text class="chart-value" x="${c.center}" y="${c.totalY}" text-anchor="middle">${c.total}</text>`}
      ${c.label && html`<text class="chart-label" x="${c.center}" y="${c.labelY}" text-anchor="middle">${c.label}</text>`}</g>`)}
  </svg>`;
}

/** Lines: labels [texts], rows [{key, values: [number|null]}], series [{key, slot}]; a
 * dashed line at ``reference`` (the target, 100 %) labelled ``referenceText``. */
export function linesSVG(labels, rows, series = [], { reference = 100, referenceText = '' } = {}) {
  const g = lines(labels, rows, { reference });
  const slot = slotOf(series);
  return html`<svg class="chart-svg" viewBox="0 0 ${g.width} ${g.height}" aria-hidden="true" focusable="false">
    <line class="chart-axis" x1="0" x2="${g.width}" y1="${g.baseline}" y2="${g.baseline}"></line>
    ${g.referenceY !== null && html`<line class="chart-reference" x1="0" x2="${g.width}" y1="${g.referenceY}" y2="${g.referenceY}"></line>
      <text class="chart-value" x="${g.width}" y="${g.referenceY - 4}" text-anchor="end">${referenceText}</text>`}
    ${g.series.map((s) => html`<g class="s${slot(s.key)}">
      <path class="chart-line s${slot(s.key)}" d="${s.path}"></path>
      ${s.points.map((p) => html`<circle class="s${slot(s.key)}" cx="${p.x}" cy="${p.y}" r="3.5"></circle>`)}</g>`)}
    ${g.labels.map((l) => html`<text class="chart-label" x="${l.x}" y="${l.y}" text-anchor="middle">${l.label}</text>`)}
  </svg>`;
}

function slotOf(series) {
  const slots = new Map(series.map((s) => [s.key, s.slot]));
  return (key) => slots.get(key) ?? 0;
}

/** The colour key of a stacked chart, as text (colour is never the only cue: the table
 * has every number). */
export function legend(series, name) {
  return html`<ul class="chart-legend" aria-hidden="true">${series.map(
    (s) => html`<li><span class="swatch s${s.slot}"></span>${name(s.key)}</li>`,
  )}</ul>`;
}

/**
 * The same numbers as a table: head [texts], rows [[header cell, ...cells]]; a cell is
 * text or {text, value} (value: the API's own number, kept in data-value so a test can
 * compare the two).
 */
export function dataTable(caption, head, rows) {
  const cell = (c) => (c !== null && typeof c === 'object' && 'text' in c
    ? html`<td data-value="${c.value}">${c.text}</td>` : html`<td>${c}</td>`);
  return html`<table class="x-table">
    <caption>${caption}</caption>
    <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>${rows.map(([first, ...rest]) => html`<tr><th scope="row">${first}</th>${rest.map(cell)}</tr>`)}</tbody>
  </table>`;
}

/** The card: ``name`` identifies it (data-chart), ``figure`` is the SVG (and legend);
 * ``empty``: true ("Nothing in this period.") or the text to say instead of a chart. */
export function chartCard(name, title, figure, table, empty = false) {
  if (empty) {
    return html`<section class="chart-card card" data-chart="${name}"><h2>${title}</h2>
      <p class="empty">${empty === true ? t('analysis.nothing') : empty}</p></section>`;
  }
  return html`<section class="chart-card card" data-chart="${name}">
    <div class="chart-head"><h2>${title}</h2>
      <button class="chip-btn" type="button" data-table-toggle aria-pressed="false">${t('analysis.table')}</button></div>
    <div class="chart-figure">${figure}</div>
    <div class="chart-table table-wrap sr-only">${table}</div>
  </section>`;
}

/** The toggle's click: table shown instead of the chart, or back. */
export function toggleTable(button) {
  const card = button.closest('[data-chart]');
  const showing = button.getAttribute('aria-pressed') !== 'true';
  button.setAttribute('aria-pressed', String(showing));
  button.classList.toggle('on', showing);
  card.querySelector('.chart-figure').hidden = showing;
  card.querySelector('.chart-table').classList.toggle('sr-only', !showing);
}
