// Choosing the customer in the log sheet: the ones seen on this phone first (recently
// used, then recently seen, customers still in the outbox too), the server's matches
// added when online.

import { html, mount } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { allCustomers } from '../lib/db.js';
import { queuedCustomers } from '../lib/queued.js';

/** The customers to offer for what was typed (`q`), from those `seen` on this phone:
 *  each once, matching name or city, recently used first, then recently seen. */
export function pickCandidates(seen, q) {
  const needle = q.trim().toLocaleLowerCase();
  const byId = new Map();
  for (const c of seen) {
    if (!byId.has(c.id)) byId.set(c.id, c);
  }
  let list = [...byId.values()];
  if (needle) list = list.filter((c) => `${c.name} ${c.city || ''}`.toLocaleLowerCase().includes(needle));
  list.sort((a, b) => (b.used_at || 0) - (a.used_at || 0) || (b.seen_at || 0) - (a.seen_at || 0));
  return list.slice(0, needle ? 8 : 6);
}

async function customerCandidates(q) {
  return pickCandidates([...queuedCustomers(state.queued), ...(await allCustomers().catch(() => []))], q);
}

function pickerList(list, q) {
  if (!list.length) return html`<li class="pick-empty">${t(q ? 'log.no_match' : 'log.no_recent')}</li>`;
  return list.map(
    (c) => html`<li><button type="button" class="pick-row" data-pick="${c.id}">
      <strong>${c.name}</strong>${c.city && html`<span>${c.city}</span>`}
    </button></li>`,
  );
}

export function wirePicker(form, onPick) {
  const input = form.querySelector('[data-q]');
  const list = form.querySelector('.pick-list');
  const found = new Map();
  let timer = null;
  const show = async () => {
    const q = input.value;
    let items = await customerCandidates(q);
    for (const c of items) found.set(c.id, c);
    mount(list, html`${pickerList(items, q)}`);
    if (q.trim() && state.online) {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const res = await api(`/customers?q=${encodeURIComponent(q.trim())}&limit=8`);
        if (!res.ok || input.value !== q) return;
        for (const c of res.data.items) found.set(c.id, c);
        const ids = new Set(items.map((c) => c.id));
        items = [...items, ...res.data.items.filter((c) => !ids.has(c.id))].slice(0, 8);
        mount(list, html`${pickerList(items, q)}`);
      }, 250);
    }
  };
  input.addEventListener('input', show);
  list.addEventListener('click', (e) => {
    const b = e.target.closest('[data-pick]');
    if (b) onPick(found.get(b.dataset.pick));
  });
  show();
}
