// The decision chain: a customer's contacts as the tree their `reports_to_id` makes.
// Pure functions (node tests).

const byName = (a, b) => String(a.name || '').localeCompare(String(b.name || ''));

/**
 * [{contact, children: [...]}] roots first: a contact is a root when it reports to
 * nobody, or to someone not among `contacts` (deleted, not loaded). Contacts caught in
 * a loop (which the server refuses, but data can come from elsewhere) are not lost:
 * the first of each loop by name becomes a root. Siblings are sorted by name.
 */
export function buildChain(contacts) {
  const ids = new Set(contacts.map((c) => c.id));
  const children = new Map();
  for (const c of contacts) {
    const boss = c.reports_to_id && ids.has(c.reports_to_id) && c.reports_to_id !== c.id ? c.reports_to_id : null;
    if (!children.has(boss)) children.set(boss, []);
    children.get(boss).push(c);
  }
  const placed = new Set();
  const grow = (c) => {
    placed.add(c.id);
    const kids = (children.get(c.id) || []).filter((k) => !placed.has(k.id)).sort(byName);
    return { contact: c, children: kids.map(grow) };
  };
  const roots = (children.get(null) || []).sort(byName).map(grow);
  for (const c of [...contacts].sort(byName)) if (!placed.has(c.id)) roots.push(grow(c));
  return roots;
}

/** The ids of everyone who reports to `id`, directly or not (they cannot be its manager). */
export function reportsOf(contacts, id) {
  const out = new Set();
  let frontier = [id];
  while (frontier.length) {
    const next = contacts.filter((c) => frontier.includes(c.reports_to_id) && !out.has(c.id) && c.id !== id);
    for (const c of next) out.add(c.id);
    frontier = next.map((c) => c.id);
  }
  return out;
}

/** Who `contact` may report to: the customer's other contacts, not those below it. */
export function managerChoices(contacts, contact) {
  if (!contact?.id) return [...contacts].sort(byName);
  const below = reportsOf(contacts, contact.id);
  return contacts.filter((c) => c.id !== contact.id && !below.has(c.id)).sort(byName);
}
