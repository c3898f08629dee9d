// The bottom sheets for logging: "Log activity" and "How did the call go?". Every
// save goes through the outbox, so it works offline; the sheet says whether it was
// sent or waits on this phone.

import { html, mount } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { getCustomer, rememberCustomers } from '../lib/db.js';
import { isoWithOffset, formatDuration } from '../lib/time.js';
import { toast } from '../lib/sheets.js';
import { refreshView } from '../lib/router.js';
import { customerSnapshot } from './customer-snapshot.js';
import { openFormSheet, sendFromSheet } from './form-sheet.js';
import { chips, nextBlock, wireNext, readNext } from './next-followup.js';
import { locator } from './locator.js';
import { wirePicker } from './customer-picker.js';
import { offerReminders } from './reminders.js';

const KINDS = ['visit', 'call', 'email', 'meeting', 'note'];
const OUTCOMES = ['interested', 'follow_up', 'no_answer', 'not_interested', 'order'];

/**
 * Open the log sheet. customer: object (or null to pick one); contact;
 * completes: id of the follow-up this activity completes; kind: preselected.
 */
export function openLog({ customer = null, contact = null, completes = null, kind = 'visit', onSaved = null } = {}) {
  if (!KINDS.includes(kind)) kind = kind === 'task' ? 'call' : 'visit';
  const { form } = openFormSheet({
    title: t('log.title'),
    className: 'log-form',
    closeable: true,
    cancel: null,
    ok: t('common.save'),
    fields: html`<div class="group customer-pick" data-customer></div>
      <fieldset class="group"><legend>${t('log.kind')}</legend>
        <div class="chips">${chips('kind', KINDS, 'kind', kind, { icons: true })}</div></fieldset>
      <fieldset class="group"><legend>${t('log.outcome')}</legend>
        <div class="chips">${chips('outcome', OUTCOMES, 'outcome', null)}</div></fieldset>
      <label class="field"><span>${t('log.notes')}</span>
        <textarea name="notes" rows="3" maxlength="5000" placeholder="${t('log.notes_hint')}"></textarea></label>
      <div class="group loc" data-loc></div>
      ${completes &&
      html`<label class="check"><input type="checkbox" name="completes" checked /><span>${t('log.completes')}</span></label>`}
      ${nextBlock(kind === 'visit' ? 'call' : 'visit')}`,
  });
  const box = form.querySelector('[data-customer]');
  const loc = locator(form.querySelector('[data-loc]'));

  const paintCustomer = () => {
    if (customer) {
      mount(
        box,
        html`<div class="picked"><span class="picked-label">${t('log.customer')}</span>
          <strong>${customer.name}</strong>${contact && html`<span>${contact.name}</span>`}
          ${!completes && html`<button class="btn btn-small btn-quiet" type="button" data-change>${t('log.change')}</button>`}
        </div>`,
      );
    } else {
      mount(
        box,
        html`<label class="field"><span>${t('log.customer')}</span>
            <input type="search" data-q placeholder="${t('log.search_customer')}" autocomplete="off" enterkeyhint="search" /></label>
          <ul class="pick-list"></ul>`,
      );
      wirePicker(form, (c) => {
        customer = c;
        contact = null;
        paintCustomer();
      });
    }
  };
  box.addEventListener('click', (e) => {
    if (e.target.closest('[data-change]')) {
      customer = null;
      paintCustomer();
      box.querySelector('[data-q]')?.focus();
    }
  });
  paintCustomer();
  wireNext(form);

  const kindChanged = () => {
    if (form.elements.kind.value === 'visit') requestAnimationFrame(() => loc.start());
  };
  form.addEventListener('change', (e) => {
    if (e.target.name === 'kind') kindChanged();
  });
  kindChanged();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('[data-error]');
    if (!customer) {
      error.textContent = t('log.error_customer');
      return;
    }
    const { next, error: nextError } = readNext(form);
    if (nextError) {
      error.textContent = t(nextError);
      return;
    }
    form.querySelector('[type=submit]').disabled = true;
    await loc.settle();
    const body = {
      id: crypto.randomUUID(),
      kind: form.elements.kind.value,
      customer_id: customer.id,
      occurred_at: isoWithOffset(new Date(), zone()),
    };
    if (contact) body.contact_id = contact.id;
    if (form.elements.outcome.value) body.outcome = form.elements.outcome.value;
    const notes = form.elements.notes.value.trim();
    if (notes) body.notes = notes;
    if (loc.value) body.location = loc.value;
    if (next) body.next = next;
    if (completes && form.elements.completes?.checked) body.completes_id = completes;
    if (!(await save(form, body, customer, contact))) return;
    if (onSaved) onSaved();
    else refreshView();
    if (next) offerReminders();
  });
}

/**
 * Send the activity from the sheet's form: refused, the sheet stays open and says why
 * (resolves null); sent, "Saved"; no network, "saved on this phone, sent later".
 */
async function save(form, body, customer, contact) {
  const result = await sendFromSheet(form, {
    method: 'POST',
    url: '/api/v1/activities',
    body,
    meta: {
      type: 'activity',
      customer: customerSnapshot(customer),
      contact: contact ? { id: contact.id, name: contact.name } : null,
    },
  });
  if (!result) return null;
  rememberCustomers([customerSnapshot(customer)], { used: true }).catch(() => {});
  if (result.state === 'sent') toast(t('toast.saved'));
  return result;
}

// ---- After a call or email ------------------------------------------------

/** "How did the call with 王伟 go?" — away: what main.js noted when the rep tapped Call/Email. */
export async function openAfterCall(away) {
  const customer = (await getCustomer(away.customer_id).catch(() => null)) || {
    id: away.customer_id,
    name: away.customer_name,
  };
  const name = away.contact_name || away.customer_name || customer.name;
  const call = away.kind === 'call';
  const { form } = openFormSheet({
    title: t(call ? 'after.call_title' : 'after.email_title', { name }),
    label: t('log.title'),
    className: 'log-form after',
    closeable: true,
    cancel: t('after.dismiss'),
    ok: t('common.save'),
    fields: html`${call && html`<p class="sub">${t('after.duration', { d: formatDuration(away.seconds, state.locale) })}</p>`}
      <fieldset class="group"><legend>${t('log.outcome')}</legend>
        <div class="chips">${chips('outcome', OUTCOMES, 'outcome', null)}</div></fieldset>
      <label class="field"><span>${t('log.notes')}</span>
        <textarea name="notes" rows="2" maxlength="5000" placeholder="${t('log.notes_hint')}"></textarea></label>
      ${away.completes_id &&
      html`<label class="check"><input type="checkbox" name="completes" checked /><span>${t('log.completes')}</span></label>`}
      ${nextBlock(call ? 'call' : 'email')}`,
  });
  wireNext(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const { next, error } = readNext(form);
    if (error) {
      form.querySelector('[data-error]').textContent = t(error);
      return;
    }
    const body = {
      id: crypto.randomUUID(),
      kind: call ? 'call' : 'email',
      customer_id: customer.id,
      occurred_at: isoWithOffset(new Date(away.started_at), zone()),
    };
    if (away.contact_id) body.contact_id = away.contact_id;
    if (call) body.duration_seconds = away.seconds;
    if (form.elements.outcome.value) body.outcome = form.elements.outcome.value;
    const notes = form.elements.notes.value.trim();
    if (notes) body.notes = notes;
    if (next) body.next = next;
    if (away.completes_id && form.elements.completes?.checked) body.completes_id = away.completes_id;
    if (await save(form, body, customer, away.contact_id ? { id: away.contact_id, name: away.contact_name } : null)) refreshView();
  });
}
