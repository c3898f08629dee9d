// A form that saves straight to the server (it needs the network, never queued): one
// write, and the server's field errors (422) shown next to the fields they are about.
// Fields name their error path with data-err="lose_reasons.1".

import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast } from '../lib/sheets.js';
import { flattenErrors, nearestPath } from '../lib/field-errors.js';

export function clearErrors(form) {
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  form.querySelector('[data-error]').textContent = '';
}

/**
 * The message right under its input (above the field's hint); under the whole row for
 * inputs side by side (too narrow for a sentence), named by the field's label; at the
 * end of a group for the group's own errors.
 */
function fieldError(el, messages) {
  const span = document.createElement('span');
  span.className = 'field-error';
  span.textContent = messages.join(' ');
  if (!el.matches('input, select, textarea')) {
    el.append(span);
    return;
  }
  el.setAttribute('aria-invalid', 'true');
  span.dataset.for = el.name;
  const row = el.closest('.stage-row, .limit-row');
  if (!row) {
    (el.closest('.pct') || el).after(span);
    return;
  }
  const label = row.classList.contains('stage-row') && el.closest('.field')?.querySelector('span')?.textContent;
  if (label) span.textContent = `${label}: ${span.textContent}`;
  let last = row;
  while (last.nextElementSibling?.matches('.field-error[data-for]')) last = last.nextElementSibling;
  last.after(span);
}

/** Typing into a field clears its error. */
export function clearFieldError(form, input) {
  input.removeAttribute('aria-invalid');
  for (const el of form.querySelectorAll('.field-error[data-for]')) {
    if (el.dataset.for === input.name) el.remove();
  }
}

/** Put each of the server's field errors next to its field (or its nearest group). */
function showFieldErrors(form, errors) {
  const known = new Map([...form.querySelectorAll('[data-err]')].filter((el) => el.dataset.err).map((el) => [el.dataset.err, el]));
  const rest = [];
  for (const [path, messages] of flattenErrors(errors)) {
    const at = nearestPath(path, known);
    if (at) fieldError(known.get(at), messages);
    else rest.push(...messages);
  }
  form.querySelector('[aria-invalid]')?.focus();
  return rest;
}

/** Send one write for `form`; resolves the saved data, or null (the form says why). */
export async function saveForm(form, path, { method, body, headers }) {
  clearErrors(form);
  const error = form.querySelector('[data-error]');
  const offline = () => {
    error.textContent = t('admin.need_network');
    toast(t('leads.need_network'), { alert: true });
    return null;
  };
  if (!state.online) return offline();
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  const res = await api(path, { method, body, headers });
  button.disabled = false;
  if (res.ok) return res.data;
  if (res.offline) return offline();
  const fields = res.status === 422 && res.data?.errors?.json;
  if (fields) {
    const rest = showFieldErrors(form, fields);
    error.textContent = rest.length ? rest.join(' ') : t('admin.fix_fields');
  } else {
    error.textContent = res.status === 412 ? t('admin.stale') : res.data?.message || t('common.error');
    toast(error.textContent, { alert: true });
  }
  return null;
}

export function watchTyping(form) {
  form.addEventListener('input', (e) => clearFieldError(form, e.target));
}
