// The analysis charts: bar and column geometry, labels that fit a phone, the SVG and the
// table the component draws from the same numbers, ISO weeks, the period chips.
import test from 'node:test';
import assert from 'node:assert/strict';
import { barRows, columns, fitLabel, lines, seriesOf, CHART_WIDTH, ROW_HEIGHT } from '../../app/static/pwa/js/lib/chart.js';
import { barsSVG, columnsSVG, dataTable, linesSVG } from '../../app/static/pwa/js/components/bar-chart.js';
import { isoWeek, isoWeeksBetween } from '../../app/static/pwa/js/lib/time.js';
import { periodQuery } from '../../app/static/pwa/js/views/analysis.js';

test('horizontal bars: the largest row fills the width, parts stack left to right', () => {
  const g = barRows([
    { label: 'Referral', text: '1/4', parts: [{ key: 'converted', value: 1 }, { key: 'rest', value: 3 }] },
    { label: 'Website', text: '2/2', parts: [{ key: 'converted', value: 2 }, { key: 'rest', value: 0 }] },
    { label: 'Partner', text: '0', parts: [{ key: 'converted', value: 0 }] },
  ]);
  assert.equal(g.width, CHART_WIDTH);
  assert.equal(g.height, 3 * ROW_HEIGHT);
  const [referral, website, partner] = g.rows;
  assert.deepEqual(referral.segments.map((s) => [s.key, s.x, s.w]), [['converted', 0, 80], ['rest', 80, 240]]);
  assert.deepEqual(website.segments.map((s) => [s.key, s.x, s.w]), [['converted', 0, 160]]); // a 0 part draws nothing
  assert.deepEqual(partner.segments, []);
  // each row below the last, the label and value on the line above the bar, value at the right edge
  assert.ok(website.segments[0].y === referral.segments[0].y + ROW_HEIGHT);
  assert.ok(referral.labelY < referral.segments[0].y);
  assert.equal(partner.barY, 2 * ROW_HEIGHT + referral.barY); // an empty row keeps its track
  assert.equal(referral.textX, CHART_WIDTH);
});

test('bars against a fixed maximum (rates): 50% is half the width; tiny values stay visible', () => {
  const g = barRows([{ label: 'Proposal', text: '50%', parts: [{ key: 'rate', value: 0.5 }] },
    { label: 'Big', text: '', parts: [{ key: 'rate', value: 0.001 }] }], { max: 1 });
  assert.equal(g.rows[0].segments[0].w, 160);
  assert.equal(g.rows[1].segments[0].w, 1);
  assert.deepEqual(barRows([{ label: 'x', text: '', parts: [{ key: 'a', value: 0 }] }]).rows[0].segments, []);
});

test('columns: stacked bottom up from the baseline, the tallest reaches the top room', () => {
  const g = columns([
    { label: 'W45', parts: [{ key: 'referral', value: 2 }, { key: 'website', value: 0 }] },
    { label: 'W46', parts: [{ key: 'referral', value: 1 }, { key: 'website', value: 1 }] },
    { label: 'W47', parts: [{ key: 'referral', value: 0 }, { key: 'website', value: 0 }] },
    { label: 'W48', parts: [{ key: 'referral', value: 1 }, { key: 'website', value: 3 }] },
  ]);
  const [w45, w46, w47, w48] = g.columns;
  assert.deepEqual([w45.total, w46.total, w47.total, w48.total], [2, 2, 0, 4]);
  const plot = g.baseline - 16;
  assert.equal(w48.segments[0].h + w48.segments[1].h, plot);
  assert.equal(w48.segments[0].y + w48.segments[0].h, g.baseline); // the first part sits on the axis
  assert.equal(w48.segments[1].y + w48.segments[1].h, w48.segments[0].y); // the next on top of it
  assert.equal(w45.segments.length, 1);
  assert.deepEqual(w47.segments, []);
  assert.deepEqual(g.columns.map((c) => c.label), ['W45', 'W46', 'W47', 'W48']);
  // 12 weeks on a 320-unit chart: each column is inside its slot and centred in it; every
  // second one labelled (ending with this week), so the labels never touch
  const twelve = columns(Array.from({ length: 12 }, (_, i) => ({ label: `W${i}`, parts: [{ key: 'a', value: i }] })));
  assert.deepEqual(twelve.columns.map((c) => c.label),
    ['', 'W1', '', 'W3', '', 'W5', '', 'W7', '', 'W9', '', 'W11']);
  for (const [i, c] of twelve.columns.entries()) {
    assert.equal(c.center, Math.round((CHART_WIDTH / 12) * (i + 0.5) * 10) / 10);
    for (const s of c.segments) assert.ok(s.x >= (CHART_WIDTH / 12) * i && s.x + s.w <= (CHART_WIDTH / 12) * (i + 1) + 0.1);
  }
});

test('labels are cut to fit beside their value, counting Chinese characters as wider', () => {
  assert.equal(fitLabel('Referral', '1/4 · 25%'), 'Referral');
  const long = fitLabel('An extremely long product name that no phone line can hold at all', 'CN¥12,345.00');
  assert.ok(long.endsWith('…') && long.length < 40, long);
  const chinese = fitLabel('非常非常长的产品名称非常非常长的产品名称非常非常长的产品名称', '¥1,000.00');
  assert.ok(chinese.endsWith('…') && [...chinese].length <= 20, chinese);
  assert.equal(fitLabel(null), '');
});

test('series keep the first-seen order and share the last colour past eight', () => {
  const s = seriesOf(['b', 'a', 'b', null, 'c', 'd', 'e', 'f', 'g', 'h']);
  assert.deepEqual(s.map((x) => x.key), ['b', 'a', null, 'c', 'd', 'e', 'f', 'g', 'h']);
  assert.deepEqual(s.map((x) => x.slot), [0, 1, 2, 3, 4, 5, 6, 7, 7]);
});

test('the SVG and the table carry the same numbers; the SVG is hidden from screen readers', () => {
  const rows = [{ label: 'Price <b>', text: '2', parts: [{ key: 'count', value: 2 }] }];
  const svg = barsSVG(rows).text;
  assert.match(svg, /aria-hidden="true"/);
  assert.match(svg, /Price &lt;b&gt;/); // escaped like everything built from data
  assert.match(svg, /<rect class="chart-track" x="0" y="\d+" width="320" height="14"/); // the empty bar
  assert.match(svg, /<rect class="s0" x="0" y="\d+" width="320" height="14"/);
  const cols = columnsSVG([{ label: 'W48', parts: [{ key: 'a', value: 3 }] }], [{ key: 'a', slot: 2 }]).text;
  assert.match(cols, /class="s2"/);
  assert.match(cols, />3<\/text>/);
  assert.match(cols, />W48<\/text>/);
  const table = dataTable('Lost deals', ['Reason', 'Deals'], [['Price', { text: '2', value: 2 }]]).text;
  assert.match(table, /<caption>Lost deals<\/caption>/);
  assert.match(table, /<th scope="col">Reason<\/th>/);
  assert.match(table, /<th scope="row">Price<\/th><td data-value="2">2<\/td>/);
});

test('ISO weeks as the server labels them, across a year end', () => {
  assert.equal(isoWeek('2026-11-02'), '2026-W45');
  assert.equal(isoWeek('2026-11-29'), '2026-W48'); // a Sunday: still its Monday's week
  assert.equal(isoWeek('2027-01-01'), '2026-W53');
  assert.equal(isoWeek('2021-01-03'), '2020-W53');
  assert.equal(isoWeek('2024-12-30'), '2025-W01');
  assert.deepEqual(isoWeeksBetween('2026-11-04', '2026-11-29'), ['2026-W45', '2026-W46', '2026-W47', '2026-W48']);
  assert.deepEqual(isoWeeksBetween('2026-12-28', '2027-01-05'), ['2026-W53', '2027-W01']);
});

test('period chips: the server default, this quarter, this year', () => {
  assert.equal(periodQuery('weeks', '2026-12-02'), '');
  assert.equal(periodQuery('quarter', '2026-12-02'), '?from=2026-10-01&to=2026-12-02');
  assert.equal(periodQuery('quarter', '2026-02-15'), '?from=2026-01-01&to=2026-02-15');
  assert.equal(periodQuery('year', '2026-12-02'), '?from=2026-01-01&to=2026-12-02');
});

test('lines over months: the reference (100%) or the largest value is the top; a null breaks the line', () => {
  const g = lines(['Jan', 'Feb', 'Mar', 'Apr'], [
    { key: 'east', values: [50, 100, null, 150] },
    { key: 'west', values: [null, null, null, null] },
  ]);
  assert.equal(g.width, CHART_WIDTH);
  assert.deepEqual(g.labels.map((l) => l.x), [40, 120, 200, 280]);
  const [east, west] = g.series;
  assert.equal(east.points.length, 3);
  assert.equal(east.points[2].y, g.baseline - 142); // 150, the top: the whole plot height
  assert.equal(g.referenceY, Math.round((g.baseline - 142 * 100 / 150) * 10) / 10);
  assert.match(east.path, /^M40 \S+ L120 \S+ M280 \S+$/); // March has no target: a gap
  assert.deepEqual(west.points, []);
  assert.equal(west.path, '');
  // below target everywhere: 100% stays the top, so a line at 50% sits half way up
  const low = lines(['Jan'], [{ key: 'a', values: [50] }]);
  assert.equal(low.series[0].points[0].y, low.baseline - 71);
  assert.equal(low.referenceY, low.baseline - 142);
});

test('the lines SVG: a path and dots per series in its colour slot, the target line labelled', () => {
  const svg = String(linesSVG(['Jan', 'Feb'], [{ key: 'k', values: [10, 20] }], [{ key: 'k', slot: 3 }],
    { referenceText: '100% = target' }));
  assert.match(svg, /<path class="chart-line s3" d="M80 \S+ L240 \S+"/);
  assert.equal((svg.match(/<circle class="s3"/g) || []).length, 2);
  assert.match(svg, /class="chart-reference"/);
  assert.match(svg, /100% = target/);
  assert.match(svg, /aria-hidden="true"/);
});
