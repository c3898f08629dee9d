// Edit a customer, and add, edit or remove its contacts, from the customer card: bottom
// sheets whose forms come from the field lists (record-fields.js), sent through the
// outbox with If-Match of the version the rep saw. Offline the change waits in the
// outbox and the card shows it at once; a 412 keeps it there and opens the conflict view.

import { html } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast, confirmSheet, refusal } from '../lib/sheets.js';
import { send } from '../lib/sync.js';
import { rememberCustomers } from '../lib/db.js';
import { changedFields, versionTag } from '../lib/record-edit.js';
import { managerChoices } from '../lib/chain.js';
import { openFormSheet, sendFromSheet } from './form-sheet.js';
import { CUSTOMER_FIELDS, CONTACT_FIELDS, fieldInputs, readFields } from './record-fields.js';
import { openConflict } from './conflict-sheet.js';

/**
 * If-Match for a change to `record`: the version the rep saw, unless another change to
 * it already waits in the outbox (that one carries it; this one waits behind it) or the
 * record is not on the server yet.
 */
export function guardOf(record) {
  const behind = state.queued.some((i) => (i.targets || []).includes(record.id));
  return !behind && record.version ? { 'If-Match': versionTag(record.version) } : {};
}

/** What the rep saw of the fields a change touches, for Pending changes and the conflict view. */
function seenOf(record, body) {
  return Object.fromEntries(Object.keys(body).map((f) => [f, record[f] ?? null]));
}

function namesOf(contacts) {
  return Object.fromEntries(contacts.map((c) => [c.id, c.name]));
}

/**
 * Send a change to a customer or contact (see sync.send()). Resolves the outcome:
 * 'sent' (with the server's record), 'queued', 'conflict' (kept, the view opened),
 * or null when refused (`form` shows why, else a toast does).
 */
export async function sendEdit(write, { form = null, onDone }) {
  const onConflict = (key) => openConflict(key, { onDone });
  if (form) {
    const result = await sendFromSheet(form, write, { onConflict });
    if (result) onDone?.(result);
    return result;
  }
  const keep = (e) => e.status === 412;
  const result = await send(write, { keep });
  if (result.state === 'refused' && result.kept) {
    if (result.error.status === 412) onConflict(result.key);
    return null;
  }
  if (result.state === 'refused') toast(refusal(result.error), { alert: true });
  else {
    if (result.state === 'queued') toast(t('toast.saved_offline'));
    onDone?.(result);
  }
  return result;
}

/** The customer's details, editable. onDone(result) after it was sent or queued. */
export function openCustomerEdit(customer, { onDone } = {}) {
  const { form } = openFormSheet({
    title: t('edit.title'),
    label: t('edit.title'),
    className: 'edit-sheet',
    closeable: true,
    ok: t('common.save'),
    fields: fieldInputs(CUSTOMER_FIELDS, customer),
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = readFields(form, CUSTOMER_FIELDS);
    const error = form.querySelector('[data-error]');
    if (!typed.name) {
      error.textContent = t('new.name_required');
      form.elements.name.focus();
      return;
    }
    const body = changedFields(customer, typed, CUSTOMER_FIELDS.map((f) => f.name));
    if (!Object.keys(body).length) {
      error.textContent = t('edit.nothing_changed');
      return;
    }
    const result = await sendEdit({
      method: 'PATCH',
      url: `/api/v1/customers/${customer.id}`,
      body,
      headers: guardOf(customer),
      meta: { type: 'customer_edit', title: customer.name, seen: seenOf(customer, body) },
    }, { form, onDone });
    // The phone's own copy (the list, offline search) shows the change while it waits.
    if (result?.state === 'queued') rememberCustomers([{ id: customer.id, ...body }]).catch(() => {});
  });
}

/** Add a contact (`contact` null) or edit one; an existing one can be removed from here. */
export function openContactEdit(customer, contact, { onDone } = {}) {
  const contacts = customer.contacts || [];
  const managers = managerChoices(contacts, contact).map((c) => ({ value: c.id, text: c.title ? `${c.name} · ${c.title}` : c.name }));
  const title = contact ? t('contact.edit_title') : t('contact.add_title');
  const { form } = openFormSheet({
    title,
    className: 'edit-sheet',
    closeable: true,
    ok: contact ? t('common.save') : t('contact.add'),
    fields: html`<p class="sub">${customer.name}</p>
      ${fieldInputs(CONTACT_FIELDS, contact || {}, { reports_to_id: managers })}
      ${contact && html`<button class="btn btn-quiet btn-danger-text" type="button" data-remove>${t('contact.remove')}</button>`}`,
  });
  form.querySelector('[data-remove]')?.addEventListener('click', () => removeContact(customer, contact, { onDone }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = readFields(form, CONTACT_FIELDS);
    if (!typed.name) {
      form.querySelector('[data-error]').textContent = t('contact.name_required');
      form.elements.name.focus();
      return;
    }
    const meta = { title: customer.name, names: namesOf(contacts), customer_id: customer.id };
    if (!contact) {
      const body = { id: crypto.randomUUID(), customer_id: customer.id };
      for (const [f, v] of Object.entries(typed)) if (v) body[f] = v;
      await sendEdit({ method: 'POST', url: '/api/v1/contacts', body, meta: { ...meta, type: 'contact_new' } }, { form, onDone });
      return;
    }
    const body = changedFields(contact, typed, CONTACT_FIELDS.map((f) => f.name));
    if (!Object.keys(body).length) {
      form.querySelector('[data-error]').textContent = t('edit.nothing_changed');
      return;
    }
    await sendEdit({
      method: 'PATCH',
      url: `/api/v1/contacts/${contact.id}`,
      body,
      headers: guardOf(contact),
      meta: { ...meta, type: 'contact_edit', contact: contact.name, seen: seenOf(contact, body) },
    }, { form, onDone });
  });
}

async function removeContact(customer, contact, { onDone }) {
  const ok = await confirmSheet({
    title: t('contact.remove_title', { name: contact.name }),
    body: t('contact.remove_body'),
    ok: t('contact.remove'),
    danger: true,
  });
  if (!ok) return;
  const { _queued, ...seen } = contact;
  await sendEdit({
    method: 'DELETE',
    url: `/api/v1/contacts/${contact.id}`,
    headers: guardOf(contact),
    meta: { type: 'contact_delete', title: customer.name, contact: contact.name, seen, names: namesOf(customer.contacts || []) },
  }, { onDone });
}
