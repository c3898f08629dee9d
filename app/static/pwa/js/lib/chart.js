// The geometry of the analysis charts, in SVG user units (no DOM here, so node tests it).
// A chart is CHART_WIDTH units wide and keeps its aspect ratio, so on a 360 px phone a unit
// is about a pixel and 13-unit text reads as 13 px.
//
// Two shapes: horizontal bars (one row per thing, its label and value above its bar) and
// columns (one per week, stacked by series, the total on top). Every
// value is split into parts ({key, value}) so both can stack; a part of 0 draws nothing.

export const CHART_WIDTH = 320;
export const ROW_HEIGHT = 44; // label line + bar, and a tap-sized row
export const BAR_HEIGHT = 14;
export const COLUMN_HEIGHT = 180;
const LABEL_GAP = 6;
const AXIS_BOTTOM = 22; // under the columns: their labels
const TOTAL_ROOM = 16; // above the tallest column: its total
const MIN_VISIBLE = 1; // a non-zero part is never thinner than this
const MAX_COLUMN_LABELS = 8; // more would touch each other on a phone

const round1 = (n) => Math.round(n * 10) / 10;

function total(parts) {
  return parts.reduce((sum, p) => sum + (Number(p.value) || 0), 0);
}

function lengths(parts, scale) {
  return parts.map((p) => {
    const v = Number(p.value) || 0;
    return v > 0 ? Math.max(round1(v * scale), MIN_VISIBLE) : 0;
  });
}

/** Rows of horizontal bars: [{label, parts: [{key, value}], text}] -> where each label,
 * value text and bar segment goes: the label left and the value right on the top line,
 * the bar under them. The largest row (or ``max``, e.g. 1 for rates) fills the width. */
export function barRows(rows, { width = CHART_WIDTH, max = null } = {}) {
  const top = max ?? Math.max(0, ...rows.map((r) => total(r.parts)));
  const scale = top ? width / top : 0;
  return {
    width,
    height: rows.length * ROW_HEIGHT,
    rows: rows.map((row, i) => {
      const barY = i * ROW_HEIGHT + ROW_HEIGHT - BAR_HEIGHT - LABEL_GAP;
      let x = 0;
      const segments = lengths(row.parts, scale).map((w, j) => {
        const segment = { key: row.parts[j].key, x: round1(x), y: barY, w: round1(Math.min(w, width - x)), h: BAR_HEIGHT };
        x += w;
        return segment;
      }).filter((s) => s.w > 0);
      return { label: fitLabel(row.label, row.text), text: row.text, labelY: barY - LABEL_GAP,
        textX: width, barY, segments };
    }),
  };
}

/** A label cut with "…" so that it and the value text fit on one 320-unit line at 13
 * units (about 7 units a Latin character, 13 a Chinese one). */
export function fitLabel(label, text = '', width = CHART_WIDTH) {
  const units = (ch) => (/[\u2E80-\uFFEF]/.test(ch) ? 13 : 7);
  const room = width - [...String(text)].reduce((n, ch) => n + units(ch), 0) - 12;
  let used = 0;
  const kept = [];
  for (const ch of String(label ?? '')) {
    used += units(ch);
    if (used > room) return `${kept.join('').trimEnd()}…`;
    kept.push(ch);
  }
  return kept.join('');
}

/** Stacked columns: [{label, parts: [{key, value}]}] -> each column's segments (bottom up,
 * in the parts' order), its label under the axis (or '' where labels would crowd) and its
 * total above. */
export function columns(cols, { width = CHART_WIDTH, height = COLUMN_HEIGHT } = {}) {
  const baseline = height - AXIS_BOTTOM;
  const plot = baseline - TOTAL_ROOM;
  const max = Math.max(0, ...cols.map((c) => total(c.parts)));
  const scale = max ? plot / max : 0;
  const slot = cols.length ? width / cols.length : width;
  const barWidth = round1(Math.min(slot * 0.7, 40));
  // every column labelled up to eight; past that every second (third...), ending with the last
  const every = Math.ceil(cols.length / MAX_COLUMN_LABELS) || 1;
  return {
    width,
    height,
    baseline,
    columns: cols.map((col, i) => {
      const center = round1(slot * i + slot / 2);
      let y = baseline;
      const segments = lengths(col.parts, scale).map((h, j) => {
        y -= h;
        return { key: col.parts[j].key, x: round1(center - barWidth / 2), y: round1(y), w: barWidth, h };
      }).filter((s) => s.h > 0);
      return { label: (cols.length - 1 - i) % every === 0 ? col.label : '', center,
        total: total(col.parts), totalY: round1(y - 4), labelY: height - 6, segments };
    }),
  };
}

/** The series' keys in a stable order (first seen first), each with its colour slot
 * (CSS classes s0..s7; a ninth and later series share the last). */
export function seriesOf(keysSeen) {
  const keys = [...new Set(keysSeen)];
  return keys.map((key, i) => ({ key, slot: Math.min(i, 7) }));
}

/** Lines over a few columns (months): labels [texts], series [{key, values: [number|null]}]
 * -> each label's x under the axis, each series' points and SVG path (a null, e.g. a month
 * without a target, breaks the line) and the y of ``reference`` (100 for percentages,
 * drawn as the target line). The top is the largest value or the reference. */
export function lines(labels, series, { width = CHART_WIDTH, height = COLUMN_HEIGHT, reference = 100 } = {}) {
  const baseline = height - AXIS_BOTTOM;
  const plot = baseline - TOTAL_ROOM;
  const values = series.flatMap((s) => s.values.filter((v) => v !== null && v !== undefined).map(Number));
  const top = Math.max(reference || 0, ...values);
  const scale = top ? plot / top : 0;
  const slot = labels.length ? width / labels.length : width;
  const x = (i) => round1(slot * i + slot / 2);
  const y = (v) => round1(baseline - v * scale);
  return {
    width,
    height,
    baseline,
    referenceY: reference ? y(reference) : null,
    labels: labels.map((label, i) => ({ label, x: x(i), y: height - 6 })),
    series: series.map((s) => {
      const points = s.values.map((v, i) => (v === null || v === undefined ? null : { x: x(i), y: y(Number(v)) }));
      const path = points.map((p, i) => (p ? `${points[i - 1] ? 'L' : 'M'}${p.x} ${p.y}` : '')).filter(Boolean).join(' ');
      return { key: s.key, points: points.filter(Boolean), path };
    }),
  };
}
