// Editing a record through the outbox: the change to send (only the fields the rep
// changed), and, when the server answers 412 because the record moved on, the
// fields where the rep's change and the server's version disagree and the body to
// send again once the rep has picked, field by field. Pure functions (node tests).

/** A field's value as compared: blank text is "no value", tags ignore order and case of space. */
function comparable(value) {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.length ? JSON.stringify(value.map((v) => String(v).trim()).sort()) : null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value;
}

export function sameValue(a, b) {
  return comparable(a) === comparable(b);
}

/**
 * The PATCH body for what the rep typed: each of `fields` whose typed value differs
 * from what the rep saw (blank text sends null, to clear the field).
 */
export function changedFields(seen, typed, fields) {
  const body = {};
  for (const f of fields) {
    if (!(f in typed) || sameValue(seen?.[f], typed[f])) continue;
    body[f] = typeof typed[f] === 'string' && typed[f].trim() === '' ? null : typed[f];
  }
  return body;
}

/**
 * The fields of a refused change (`mine`, the queued body) that the server's current
 * record (`theirs`) holds differently: [{field, mine, theirs}], in the body's order.
 * Fields the server already holds as the rep typed them are not a conflict.
 */
export function conflictFields(mine, theirs, { ignore = [] } = {}) {
  return Object.keys(mine || {})
    .filter((f) => !ignore.includes(f) && !sameValue(mine[f], theirs?.[f]))
    .map((f) => ({ field: f, mine: mine[f], theirs: theirs?.[f] ?? null }));
}

/**
 * The body to send again: the rep's change without the fields where they chose the
 * server's value (`choices[field] === 'theirs'`) and without those the server already
 * holds as typed. Empty: nothing left to send.
 */
export function resolvedBody(mine, theirs, choices = {}, { keep = [] } = {}) {
  const body = {};
  for (const [f, v] of Object.entries(mine || {})) {
    if (choices[f] === 'theirs') continue;
    if (sameValue(v, theirs?.[f]) && !keep.includes(f)) continue;
    body[f] = v;
  }
  return body;
}

/** "3", the If-Match value for a record version. */
export function versionTag(version) {
  return `"${version}"`;
}

/** Tags as typed in one box: "vip, 华东，key account" -> ['vip', '华东', 'key account'], each once. */
export function parseTags(text) {
  const out = [];
  for (const part of String(text || '').split(/[,，;；\n]/)) {
    const tag = part.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}
