// "Call, then log": when the rep taps Call or Email on a card, what they were about
// is noted; back in the app, they are asked how it went.

export const AWAY_KEY = 'fieldline.away';

/** What to keep when the rep leaves for the dialer or the mail app from `href`. */
export function awayNote(info, href, now = Date.now()) {
  const kind = href.startsWith('mailto:') ? 'email' : 'call';
  return { ...info, kind, started_at: now, left: false };
}

/**
 * What to do with a note when the page's visibility changes:
 *   {keep: note}     the page went away (note that it did) or the dialer never took
 *                    over yet (keep listening, unchanged)
 *   {ask: away}      back after a real call or email: ask about it (with its seconds)
 *   {}               drop it: too short to be a call (< 5 s) or too long ago (> 4 h)
 */
export function afterAway(away, { hidden, now = Date.now() }) {
  if (hidden) return { keep: { ...away, left: true } };
  const seconds = Math.round((now - away.started_at) / 1000);
  if (!away.left && seconds < 60) return { keep: away };
  if (seconds < 5 || seconds > 4 * 3600) return {};
  return { ask: { ...away, seconds } };
}

export function noteAway(info, href) {
  localStorage.setItem(AWAY_KEY, JSON.stringify(awayNote(info, href)));
}

/** The call or email to ask about now, or null; keeps localStorage up to date. */
export function takeAway(hidden) {
  const raw = localStorage.getItem(AWAY_KEY);
  if (!raw) return null;
  let away;
  try {
    away = JSON.parse(raw);
  } catch {
    localStorage.removeItem(AWAY_KEY);
    return null;
  }
  const next = afterAway(away, { hidden });
  if (next.keep) {
    if (next.keep !== away) localStorage.setItem(AWAY_KEY, JSON.stringify(next.keep));
    return null;
  }
  localStorage.removeItem(AWAY_KEY);
  return next.ask || null;
}
