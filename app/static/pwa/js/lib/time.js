// Dates and times in the user's own timezone (an IANA name such as
// "Asia/Shanghai"), whatever zone the phone itself is set to. Pure functions:
// every one takes the zone (and "now" where it matters) as an argument.

const partFormatters = new Map();

function partFormatter(tz) {
  let f = partFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(tz, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a zone: {year, month, day, hour, minute, second}. */
export function zonedParts(date, tz) {
  const out = {};
  for (const { type, value } of partFormatter(tz).formatToParts(date)) {
    if (type !== 'literal') out[type] = Number(value);
  }
  if (out.hour === 24) out.hour = 0;
  return out;
}

/** Minutes the zone is ahead of UTC at that instant (+480 for Shanghai). */
export function offsetMinutes(date, tz) {
  const p = zonedParts(date, tz);
  const asUTC = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUTC - Math.floor(date.getTime() / 1000) * 1000) / 60000);
}

/** The instant at which the zone's clocks show the given wall time. */
export function zonedToInstant({ year, month, day, hour = 0, minute = 0 }, tz) {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = offsetMinutes(new Date(wall), tz);
  let t = wall - first * 60000;
  const second = offsetMinutes(new Date(t), tz);
  if (second !== first) t = wall - second * 60000; // a DST change lies in between
  return new Date(t);
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "YYYY-MM-DD" of the instant as seen in the zone. */
export function localDate(date, tz) {
  const p = zonedParts(date, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

export function parseDate(ymd) {
  const [year, month, day] = ymd.split('-').map(Number);
  return { year, month, day };
}

/** Calendar arithmetic on "YYYY-MM-DD" strings. */
export function addDays(ymd, n) {
  const { year, month, day } = parseDate(ymd);
  const d = new Date(Date.UTC(year, month - 1, day + n));
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(ymd) {
  const { year, month, day } = parseDate(ymd);
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

/** The ISO week of a "YYYY-MM-DD" day, as the server labels it: "2026-W48". */
export function isoWeek(ymd) {
  const thursday = addDays(ymd, 3 - ((weekday(ymd) + 6) % 7)); // its week's Thursday
  const { year, month, day } = parseDate(thursday);
  const dayOfYear = (Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86400000;
  return `${pad(year, 4)}-W${pad(Math.floor(dayOfYear / 7) + 1)}`;
}

/** The ISO weeks from the week of `from` to the week of `to`, in order. */
export function isoWeeksBetween(from, to) {
  const weeks = [];
  for (let day = addDays(from, -((weekday(from) + 6) % 7)); day <= to; day = addDays(day, 7)) {
    weeks.push(isoWeek(day));
  }
  return weeks;
}

/** The local day containing `date`: [start, end) as instants; a day may last 23 or 25 hours. */
export function dayBounds(date, tz) {
  const today = localDate(date, tz);
  return {
    start: zonedToInstant({ ...parseDate(today) }, tz),
    end: zonedToInstant({ ...parseDate(addDays(today, 1)) }, tz),
  };
}

/** Whole local calendar days from `from` to `to` (1 = `to` is tomorrow). */
export function daysBetween(from, to, tz) {
  const a = parseDate(localDate(from, tz));
  const b = parseDate(localDate(to, tz));
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86400000,
  );
}

/** Where a due time belongs on Today, as the server's agenda puts it: overdue, today,
 *  upcoming (the next seven days) or null (later). */
export function agendaSection(due, now, tz) {
  const { start, end } = dayBounds(now, tz);
  if (due < start) return 'overdue';
  if (due < end) return 'today';
  const horizon = zonedToInstant(parseDate(addDays(localDate(now, tz), 8)), tz);
  return due < horizon ? 'upcoming' : null;
}

export const QUICK_PICKS = ['tomorrow', 'in3days', 'nextweek'];
const PICK_HOUR = 9;

/**
 * When a quick pick lands, at 9:00 local time: tomorrow, in three days, or
 * next week (the Monday of the coming week).
 */
export function quickPick(name, now, tz) {
  const today = localDate(now, tz);
  let days;
  if (name === 'tomorrow') days = 1;
  else if (name === 'in3days') days = 3;
  else if (name === 'nextweek') days = (8 - weekday(today)) % 7 || 7;
  else throw new RangeError(`unknown quick pick: ${name}`);
  return zonedToInstant({ ...parseDate(addDays(today, days)), hour: PICK_HOUR }, tz);
}

/** ISO 8601 with the zone's offset: "2026-11-25T09:00:00+08:00". */
export function isoWithOffset(date, tz) {
  const p = zonedParts(date, tz);
  const off = offsetMinutes(date, tz);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return (
    `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Value for <input type="datetime-local"> showing the instant in the zone. */
export function toInputValue(date, tz) {
  const p = zonedParts(date, tz);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

/** Read a datetime-local value as wall time in the zone; null when empty or malformed. */
export function fromInputValue(value, tz) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || '');
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  return zonedToInstant({ year, month, day, hour, minute }, tz);
}

const formatters = new Map();

function fmt(locale, tz, options) {
  const key = `${locale}|${tz}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: tz, ...options });
    formatters.set(key, f);
  }
  return f;
}

export function formatTime(date, locale, tz) {
  return fmt(locale, tz, { hour: 'numeric', minute: '2-digit' }).format(date);
}

export function formatDateTime(date, locale, tz) {
  return fmt(locale, tz, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
}

/** "tomorrow", "in 3 days", "yesterday" (or 明天, 3天后) for a day difference. */
export function relativeDays(days, locale) {
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(days, 'day');
}

/** "5 minutes ago", "2 hours ago", "3 days ago" (5分钟前) for a past instant; null under
 * 45 seconds, which the caller says its own way ("just now"). */
export function relativeAgo(date, now, locale) {
  const seconds = Math.max(0, Math.round((now - date) / 1000));
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (seconds < 45) return null;
  if (seconds < 3600) return rtf.format(-Math.max(1, Math.round(seconds / 60)), 'minute');
  if (seconds < 86400) return rtf.format(-Math.round(seconds / 3600), 'hour');
  return rtf.format(-Math.round(seconds / 86400), 'day');
}

/**
 * "Tomorrow 9:00 AM", "Today 2:30 PM", "Thu, Nov 26, 9:00 AM": how a due time
 * reads in a list. Days within a week are relative; the rest are dates.
 */
export function formatDue(due, now, locale, tz) {
  const days = daysBetween(now, due, tz);
  const time = formatTime(due, locale, tz);
  if (days >= -1 && days <= 2) {
    const day = relativeDays(days, locale);
    const label = day.charAt(0).toLocaleUpperCase(locale) + day.slice(1);
    return locale.startsWith('zh') ? `${label}${time}` : `${label} ${time}`;
  }
  return formatDateTime(due, locale, tz);
}

/** "3 min 20 sec" / "3分钟20秒" for a call's length. */
export function formatDuration(seconds, locale) {
  const s = Math.max(0, Math.round(seconds));
  const unit = (n, u) =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = [];
  if (h) parts.push(unit(h, 'hour'));
  if (m) parts.push(unit(m, 'minute'));
  if (sec && !h) parts.push(unit(sec, 'second'));
  if (!parts.length) parts.push(unit(0, 'second'));
  return parts.join(locale.startsWith('zh') ? '' : ' ');
}
