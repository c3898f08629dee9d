// A bottom sheet holding a form, and sending what it holds through the outbox.

import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { openSheet, closeSheet, sheetIsOpen, toast, refusal } from '../lib/sheets.js';
import { send } from '../lib/sync.js';
import { ICON } from './icons.js';

/** The round "x" in a sheet's head; its [data-close] closes the sheet. */
export function closeButton() {
  return html`<button class="icon-btn" type="button" data-close aria-label="${t('common.close')}">${ICON.close}</button>`;
}

/**
 * A bottom sheet holding a form: its title (with a close button if `closeable`), the
 * `fields`, a line for errors ([data-error]), then `cancel` (which closes it) beside
 * the submit button `ok`; with `cancel: null`, the submit button alone, full width.
 */
export function openFormSheet({ title, label = title, fields, ok, danger = false, className = '', closeable = false, cancel = t('common.cancel') }) {
  const submit = html`<button class="btn ${danger ? 'btn-danger' : 'btn-primary'}${cancel === null ? ' btn-block' : ''}" type="submit">${ok}</button>`;
  const dialog = openSheet(
    html`<form class="sheet-body${className ? ` ${className}` : ''}" novalidate>
      <div class="sheet-head"><h2>${title}</h2>${closeable && closeButton()}</div>
      ${fields}
      <p class="form-error" data-error role="alert"></p>
      ${cancel === null
        ? html`<div class="sheet-foot">${submit}</div>`
        : html`<div class="sheet-foot two">
            <button class="btn" type="button" data-cancel>${cancel}</button>
            ${submit}
          </div>`}
    </form>`,
    { label },
  );
  const form = dialog.querySelector('form');
  for (const b of form.querySelectorAll('[data-close], [data-cancel]')) b.addEventListener('click', closeSheet);
  return { dialog, form };
}

/**
 * Send what a sheet's form holds (see sync.send()). Refused: the reason goes in the
 * form's [data-error], the sheet stays open, resolves null. Otherwise the sheet
 * closes (a "saved on this phone" toast when it was queued) and resolves the result.
 * With `onConflict`, a 412 (the record moved on) keeps the change in the outbox and
 * hands its key to onConflict instead, to put both versions side by side.
 */
export async function sendFromSheet(form, write, { onConflict = null } = {}) {
  const submit = form.querySelector('[type=submit]');
  submit.disabled = true;
  const alive = () => sheetIsOpen() && form.isConnected;
  const result = await send(write, { alive, keep: (error) => Boolean(onConflict) && error.status === 412 });
  submit.disabled = false;
  if (result.state === 'refused' && result.kept) {
    if (onConflict && alive()) onConflict(result.key);
    return null;
  }
  if (result.state === 'refused') {
    form.querySelector('[data-error]').textContent = refusal(result.error);
    return null;
  }
  closeSheet();
  if (result.state === 'queued') toast(t('toast.saved_offline'));
  return result;
}
