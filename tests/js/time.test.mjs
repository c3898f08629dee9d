import test from 'node:test';
import assert from 'node:assert/strict';
import {
  zonedParts, offsetMinutes, zonedToInstant, localDate, addDays, weekday, dayBounds, daysBetween,
  quickPick, isoWithOffset, toInputValue, fromInputValue, formatDue, relativeDays, formatDuration,
} from '../../app/static/pwa/js/lib/time.js';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const at = (iso) => new Date(iso);

test('local date depends on the user zone, not the machine', () => {
  assert.equal(localDate(at('2026-11-22T16:30:00Z'), SH), '2026-11-23');
  assert.equal(localDate(at('2026-11-22T16:30:00Z'), NY), '2026-11-22');
  assert.equal(localDate(at('2026-11-22T03:00:00Z'), NY), '2026-11-21');
  assert.deepEqual(zonedParts(at('2026-11-22T16:30:05Z'), SH), {
    year: 2026, month: 11, day: 23, hour: 0, minute: 30, second: 5,
  });
});

test('offsets, including half-hour zones and DST', () => {
  assert.equal(offsetMinutes(at('2026-11-22T00:00:00Z'), SH), 480);
  assert.equal(offsetMinutes(at('2026-11-22T00:00:00Z'), 'Asia/Kolkata'), 330);
  assert.equal(offsetMinutes(at('2026-07-01T12:00:00Z'), NY), -240);
  assert.equal(offsetMinutes(at('2026-12-01T12:00:00Z'), NY), -300);
});

test('wall time to instant', () => {
  assert.equal(zonedToInstant({ year: 2026, month: 11, day: 23, hour: 9 }, SH).toISOString(), '2026-11-23T01:00:00.000Z');
  assert.equal(zonedToInstant({ year: 2026, month: 7, day: 1, hour: 9 }, NY).toISOString(), '2026-07-01T13:00:00.000Z');
});

test('local day boundaries', () => {
  const { start, end } = dayBounds(at('2026-11-22T10:00:00Z'), SH); // 18:00 in Shanghai
  assert.equal(start.toISOString(), '2026-11-21T16:00:00.000Z');
  assert.equal(end.toISOString(), '2026-11-22T16:00:00.000Z');
});

test('a DST day lasts 23 or 25 hours', () => {
  const spring = dayBounds(at('2026-03-08T17:00:00Z'), NY);
  assert.equal((spring.end - spring.start) / 3600000, 23);
  const autumn = dayBounds(at('2026-11-01T17:00:00Z'), NY);
  assert.equal((autumn.end - autumn.start) / 3600000, 25);
  assert.equal(autumn.start.toISOString(), '2026-11-01T04:00:00.000Z');
});

test('calendar arithmetic', () => {
  assert.equal(addDays('2026-12-30', 3), '2027-01-02');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(weekday('2026-11-22'), 0); // a Sunday
  assert.equal(daysBetween(at('2026-11-20T02:00:00Z'), at('2026-11-22T15:00:00Z'), SH), 2);
  // 23:30 and 00:30 in Shanghai are one calendar day apart, one hour in time.
  assert.equal(daysBetween(at('2026-11-22T15:30:00Z'), at('2026-11-22T16:30:00Z'), SH), 1);
});

test('quick pick "tomorrow 9:00" uses the user zone', () => {
  // 23:00 Sunday in Shanghai: tomorrow is Monday the 23rd.
  assert.equal(quickPick('tomorrow', at('2026-11-22T15:00:00Z'), SH).toISOString(), '2026-11-23T01:00:00.000Z');
  // 01:00 Monday in Shanghai (still Sunday in UTC): tomorrow is Tuesday the 24th.
  assert.equal(quickPick('tomorrow', at('2026-11-22T17:00:00Z'), SH).toISOString(), '2026-11-24T01:00:00.000Z');
});

test('quick pick "in 3 days" lands at 9:00 local, across a DST change', () => {
  assert.equal(quickPick('in3days', at('2026-11-22T03:00:00Z'), SH).toISOString(), '2026-11-25T01:00:00.000Z');
  // Friday 30 Oct 2026 in New York (EDT); three days later is Monday 2 Nov (EST).
  assert.equal(quickPick('in3days', at('2026-10-30T16:00:00Z'), NY).toISOString(), '2026-11-02T14:00:00.000Z');
});

test('quick pick "next week" is the coming Monday at 9:00', () => {
  const tue = at('2026-11-24T04:00:00Z'); // Tuesday noon in Shanghai
  assert.equal(quickPick('nextweek', tue, SH).toISOString(), '2026-11-30T01:00:00.000Z');
  const mon = at('2026-11-23T04:00:00Z'); // Monday: a week later, not today
  assert.equal(quickPick('nextweek', mon, SH).toISOString(), '2026-11-30T01:00:00.000Z');
  const sun = at('2026-11-22T04:00:00Z'); // Sunday closes the week: tomorrow
  assert.equal(quickPick('nextweek', sun, SH).toISOString(), '2026-11-23T01:00:00.000Z');
  assert.throws(() => quickPick('someday', sun, SH), RangeError);
});

test('ISO strings carry the user offset', () => {
  assert.equal(isoWithOffset(at('2026-11-25T01:00:00Z'), SH), '2026-11-25T09:00:00+08:00');
  assert.equal(isoWithOffset(at('2026-11-25T14:00:00Z'), NY), '2026-11-25T09:00:00-05:00');
  assert.equal(isoWithOffset(at('2026-11-25T03:30:00Z'), 'Asia/Kolkata'), '2026-11-25T09:00:00+05:30');
  assert.equal(Date.parse(isoWithOffset(at('2026-11-25T01:00:00Z'), SH)), Date.parse('2026-11-25T01:00:00Z'));
});

test('datetime-local values round-trip in the user zone', () => {
  const d = at('2026-11-25T01:00:00Z');
  assert.equal(toInputValue(d, SH), '2026-11-25T09:00');
  assert.equal(fromInputValue('2026-11-25T09:00', SH).toISOString(), d.toISOString());
  assert.equal(fromInputValue('', SH), null);
  assert.equal(fromInputValue('soon', SH), null);
});

test('relative days and due labels in both languages', () => {
  assert.equal(relativeDays(1, 'en'), 'tomorrow');
  assert.equal(relativeDays(3, 'en'), 'in 3 days');
  assert.equal(relativeDays(1, 'zh-CN'), '明天');
  assert.equal(relativeDays(3, 'zh-CN'), '3天后');
  const now = at('2026-11-22T02:00:00Z'); // 10:00 Sunday in Shanghai
  assert.match(formatDue(at('2026-11-23T01:00:00Z'), now, 'en', SH), /^Tomorrow 9:00\sAM$/);
  assert.equal(formatDue(at('2026-11-23T01:00:00Z'), now, 'zh-CN', SH), '明天9:00');
  assert.match(formatDue(at('2026-11-27T01:00:00Z'), now, 'en', SH), /Fri, Nov 27/);
});

test('call durations', () => {
  assert.equal(formatDuration(200, 'en'), '3 min 20 sec');
  assert.equal(formatDuration(45, 'en'), '45 sec');
  assert.equal(formatDuration(3720, 'en'), '1 hr 2 min');
  assert.equal(formatDuration(200, 'zh-CN'), '3分钟20秒');
});
