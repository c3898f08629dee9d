// Pending changes: everything in the outbox, with the server's answer when a
// change was refused, and Edit / Retry / Discard. The rep's text is kept here
// until it is sent or the rep discards it.

import { html, mount } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { outbox, flush } from '../lib/sync.js';
import { setTitle, confirmSheet, toast } from '../lib/sheets.js';
import { backLink } from '../components/page-head.js';
import { formatDateTime, toInputValue, fromInputValue, isoWithOffset } from '../lib/time.js';
import { fieldLabel as recordFieldLabel, fieldText } from '../components/record-fields.js';
import { openConflict, resolvable } from '../components/conflict-sheet.js';

export const live = true;

// What the rep can correct in a refused change, by kind: field -> its label.
const FORM_FIELDS = {
  customer: { name: 'new.name', phone: 'new.phone', email: 'new.email', address: 'new.address', city: 'new.city' },
  lead: { name: 'leads.name', company: 'leads.company', title: 'leads.title_field', phone: 'leads.phone', email: 'leads.email', city: 'leads.city' },
  payment: { amount: 'orders.amount', reference: 'orders.reference' },
  deal_new: { name: 'leads.deal_name', amount: 'leads.amount' },
};

// Changes to a customer or its contacts made from the card (record-edit-sheets.js, pin-here.js).
const RECORD_CHANGES = ['customer_edit', 'pin', 'contact_new', 'contact_edit', 'contact_delete'];

function title(item) {
  const m = item.meta || {};
  const b = item.body || {};
  const who = m.customer?.name;
  if (m.source === 'notification') {
    // Done / Snooze / Approve tapped on a notification: its title says what it was about.
    const what = { done: 'pending.done', reschedule: 'pending.reschedule' }[m.type];
    return [what ? t(what) : t(`push.action.${m.action}`), m.title].filter(Boolean).join(' · ');
  }
  switch (m.type) {
    case 'activity':
      return [t(`kind.${b.kind}`), who].filter(Boolean).join(' · ');
    case 'customer':
      return t('pending.new_customer', { name: b.name || '' });
    case 'customer_edit':
    case 'pin':
      return t(`pending.${m.type}`, { name: m.title || '' });
    case 'contact_new':
      return t('pending.contact_new', { name: b.name || '', customer: m.title || '' });
    case 'contact_edit':
    case 'contact_delete':
      return t(`pending.${m.type}`, { name: m.contact || '', customer: m.title || '' });
    case 'lead':
      return t('pending.new_lead', { name: b.name || '' });
    case 'deal':
      return t(`pending.deal.${m.action}`, { name: m.title || '' });
    case 'deal_new':
      return t('pending.new_deal', { name: b.name || '' });
    case 'payment':
      return t('pending.payment', { number: m.title || '' });
    case 'done':
      return [t('pending.done'), t(`action.${m.action || 'task'}`), who].filter(Boolean).join(' · ');
    case 'reschedule':
      return [t('pending.reschedule'), t(`action.${m.action || 'task'}`), who].filter(Boolean).join(' · ');
    case 'plan':
      return t('pending.plan', { date: m.title || '' });
    case 'target':
      return t('pending.target', { name: m.title || '', metric: t(`targets.metric.${m.metric}`), month: m.month || '' });
    case 'locale':
      return t('pending.language', { lang: t(`lang.${b.locale}`) });
    case 'reminder-settings':
      return t('pending.reminder_settings');
    case 'expense':
    case 'expense_submit':
    case 'expense_delete':
    case 'receipt':
    case 'receipt_delete':
      return t(`expenses.pending.${m.type}`, { title: m.title || '' });
    default:
      return `${item.method} ${item.url}`;
  }
}

/** The words the rep typed, shown so nothing is lost. */
function text(item) {
  const b = item.body || {};
  const lines = [];
  if (b.notes) lines.push(b.notes);
  if (b.next) lines.push(`${t('log.next')}: ${formatDateTime(new Date(b.next.due_at), state.locale, zone())}${b.next.note ? ` · ${b.next.note}` : ''}`);
  if (RECORD_CHANGES.includes(item.meta?.type)) {
    // A customer or contact change: each field as typed, the way the card shows it.
    const names = item.meta.names || {};
    const skip = item.meta.type === 'contact_new' ? ['id', 'customer_id', 'name'] : [];
    return Object.entries(b).filter(([f]) => !skip.includes(f))
      .map(([f, v]) => `${recordFieldLabel(f)}: ${fieldText(f, v, { names })}`);
  }
  const fields = FORM_FIELDS[item.meta?.type];
  if (fields) {
    lines.push(...Object.entries(fields).filter(([f]) => b[f] && f !== 'name').map(([f, label]) => `${t(label)}: ${b[f]}`));
  }
  if (item.meta?.type === 'target') {
    if (item.method === 'DELETE') lines.push(t('targets.removed'));
    if (b.value !== undefined) lines.push(`${t('targets.value')}: ${b.value}`);
    if (b.stretch !== undefined && b.stretch !== null) lines.push(`${t('targets.stretch')}: ${b.stretch}`);
  }
  if (item.meta?.detail) lines.push(item.meta.detail);
  if (item.meta?.type === 'payment') lines.push(t(`orders.methods.${b.method}`));
  if (b.reason) lines.push(`${t('deals.lose_reason')}: ${b.reason}`);
  if (b.note) lines.push(b.note);
  if (b.lines) lines.push(t('pending.lines', { n: b.lines.length }));
  if (b.due_at) lines.push(formatDateTime(new Date(b.due_at), state.locale, zone()));
  return lines;
}

function statusLine(item) {
  if (item.status === 'failed') {
    const e = item.error || {};
    const why =
      e.status === 412 ? t('pending.conflict') : e.status === 409 ? t('pending.conflict_409') : e.status === 404 ? t('pending.gone') : t('pending.refused');
    return html`<div class="error-box">
      <p><strong>${why}</strong></p>
      ${e.message && html`<p>${t('pending.server_said', { message: e.message })}</p>`}
      ${e.fields &&
      html`<ul>${Object.entries(e.fields).map(([f, msgs]) => html`<li>${fieldLabel(f, item.meta?.type)}: ${[].concat(msgs).join(' ')}</li>`)}</ul>`}
    </div>`;
  }
  if (outbox.sendingKey === item.key) return html`<p class="meta">${t('pending.sending')}</p>`;
  if (item.blocked_by) return html`<p class="meta">${t('pending.blocked')}</p>`;
  return html`<p class="meta">${state.online ? t('pending.waiting') : t('pending.waiting_offline')}</p>`;
}

/** A field the server complained about, in the rep's words where we have them. */
function fieldLabel(field, type) {
  const label = FORM_FIELDS[type]?.[field] || FORM_FIELDS.customer[field];
  if (label) return t(label);
  const known = { notes: 'log.notes', next: 'log.next', due_at: 'pick.custom_label', outcome: 'log.outcome' };
  return known[field] ? t(known[field]) : field;
}

function editable(item) {
  const type = item.meta?.type;
  return item.status === 'failed' && ['activity', 'reschedule', ...Object.keys(FORM_FIELDS)].includes(type);
}

function editForm(item) {
  const b = item.body || {};
  const type = item.meta?.type;
  let fields;
  if (type === 'activity') {
    fields = html`<label class="field"><span>${t('log.notes')}</span><textarea name="notes" rows="4">${b.notes || ''}</textarea></label>
      ${b.next && html`<label class="field"><span>${t('log.next_note')}</span><input name="next_note" value="${b.next.note || ''}" /></label>`}`;
  } else if (FORM_FIELDS[type]) {
    fields = Object.entries(FORM_FIELDS[type]).map(
      ([f, label]) => html`<label class="field"><span>${t(label)}</span>
        <input name="${f}" value="${b[f] || ''}" ${f === 'phone' ? html`type="tel"` : f === 'email' ? html`type="email"` : f === 'amount' ? html`inputmode="decimal"` : ''} />
        ${item.error?.fields?.[f] && html`<span class="field-error">${[].concat(item.error.fields[f]).join(' ')}</span>`}</label>`,
    );
  } else {
    fields = html`<label class="field"><span>${t('pick.custom_label')}</span>
      <input type="datetime-local" name="due_at" value="${toInputValue(new Date(b.due_at), zone())}" /></label>`;
  }
  return html`<form class="edit" data-edit="${item.key}">${fields}
    <div class="row-buttons">
      <button class="btn" type="button" data-cancel>${t('common.cancel')}</button>
      <button class="btn btn-primary" type="submit">${t('pending.save_retry')}</button>
    </div></form>`;
}

function card(item, editing) {
  const lines = text(item);
  return html`<li class="card pending-item${item.status === 'failed' ? ' failed' : ''}" data-key="${item.key}">
    <p class="pi-title"><strong>${title(item)}</strong></p>
    <p class="meta">${formatDateTime(new Date(item.created_at), state.locale, zone())}</p>
    ${lines.length > 0 && html`<blockquote class="typed">${lines.map((l) => html`<p>${l}</p>`)}</blockquote>`}
    ${statusLine(item)}
    ${editing
      ? editForm(item)
      : html`<div class="row-buttons">
          <button class="btn btn-small btn-quiet" type="button" data-discard>${t('pending.discard')}</button>
          ${editable(item) && html`<button class="btn btn-small" type="button" data-editbtn>${t('pending.edit')}</button>`}
          ${resolvable(item)
            ? html`<button class="btn btn-small btn-primary" type="button" data-resolve>${t('conflict.compare')}</button>`
            : html`<button class="btn btn-small btn-primary" type="button" data-retry>
            ${item.status === 'failed' && item.error?.status === 412 ? t('pending.overwrite') : item.status === 'failed' ? t('pending.retry') : t('pending.send_now')}
          </button>`}
        </div>`}
  </li>`;
}

let editingKey = null;

/** Redraw when the outbox changes (a send finished), unless the rep is editing. */
export function onQueue(page) {
  if (!editingKey) paint(page);
}

function paint(page) {
  const items = state.queued;
  mount(
    page,
    html`<header class="page-head row">
        ${backLink('/settings')}
        <h1>${t('pending.title')}</h1>
      </header>
      ${items.length
        ? html`<p class="hint">${t('pending.explain')}</p>
            <ul class="cards">${items.map((i) => card(i, i.key === editingKey))}</ul>`
        : html`<div class="empty-state"><p>${t('pending.none')}</p></div>`}`,
  );
}

export async function show(page) {
  setTitle(t('pending.title'));
  state.queued = await outbox.list();
  if (page._bound) return paint(page);
  page._bound = true;
  page.addEventListener('click', async (e) => {
    const li = e.target.closest('[data-key]');
    if (!li) return;
    const key = li.dataset.key;
    const item = state.queued.find((i) => i.key === key);
    if (!item) return;
    if (e.target.closest('[data-discard]')) {
      const ok = await confirmSheet({
        title: t('pending.discard_title'),
        body: t('pending.discard_body'),
        ok: t('pending.discard'),
        danger: true,
      });
      if (ok) {
        await outbox.discard(key);
        toast(t('pending.discarded'));
        paint(page);
        flush();
      }
    } else if (e.target.closest('[data-editbtn]')) {
      editingKey = key;
      paint(page);
      page.querySelector('[data-edit] input, [data-edit] textarea')?.focus();
    } else if (e.target.closest('[data-cancel]')) {
      editingKey = null;
      paint(page);
    } else if (e.target.closest('[data-resolve]')) {
      // Both versions side by side, field by field (conflict-sheet.js); it resends itself.
      openConflict(key, { onDone: () => page.isConnected && paint(page) });
    } else if (e.target.closest('[data-retry]')) {
      await outbox.retry(key, { dropIfMatch: item.error?.status === 412 });
      await flush();
      paint(page);
    }
  });
  page.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    const item = state.queued.find((i) => i.key === form.dataset.edit);
    if (!item) return;
    const body = structuredClone(item.body);
    const type = item.meta?.type;
    if (type === 'activity') {
      const notes = form.elements.notes.value.trim();
      if (notes) body.notes = notes;
      else delete body.notes;
      if (body.next && form.elements.next_note) {
        const note = form.elements.next_note.value.trim();
        if (note) body.next.note = note;
        else delete body.next.note;
      }
    } else if (FORM_FIELDS[type]) {
      for (const f of Object.keys(FORM_FIELDS[type])) {
        const v = form.elements[f].value.trim();
        if (v) body[f] = v;
        else delete body[f];
      }
    } else {
      const at = fromInputValue(form.elements.due_at.value, zone());
      if (at) body.due_at = isoWithOffset(at, zone());
    }
    editingKey = null;
    await outbox.retry(item.key, { body, dropIfMatch: item.error?.status === 412 });
    await flush();
    paint(page);
  });
  paint(page);
}
