// The live duplicate check while a new customer or lead is typed in: after a pause, ask
// the server with what has been filled in, draw the answer, never ask the same twice.

import { html, mount } from './html.js';

/**
 * The question for the values typed so far: the first of `names` with at least two
 * characters (company before name for a lead), a phone with five digits or more, an
 * email with an @. Empty when nothing is worth asking yet.
 */
export function duplicateQuery(values, names) {
  const params = new URLSearchParams();
  const name = names.find((n) => (values[n] || '').trim().length >= 2);
  if (name) params.set(name, values[name].trim());
  const phone = (values.phone || '').trim();
  if (phone.replace(/\D/g, '').length >= 5) params.set('phone', phone);
  const email = (values.email || '').trim();
  if (email.includes('@')) params.set('email', email);
  return params.toString();
}

/** Watch `form`; answers from `path` (e.g. '/customers/duplicates') go through `render`
 *  into `target`. `ask(path)` is lib/api.js's api(); `online()` says whether to ask at all. */
export function watchDuplicates(form, target, { path, names, render, ask, online }) {
  const fields = [...names, 'phone', 'email'];
  let timer = null;
  let asked = '';
  form.addEventListener('input', (e) => {
    if (!fields.includes(e.target.name)) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const values = Object.fromEntries(fields.map((f) => [f, form.elements[f].value]));
      const query = duplicateQuery(values, names);
      if (query === asked) return;
      asked = query;
      if (!query || !online()) return mount(target, html``);
      const res = await ask(`${path}?${query}`);
      if (asked === query && res.ok) mount(target, render(res.data.items || []));
    }, 350);
  });
}
