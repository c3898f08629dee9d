// The frame's shared pieces every screen uses: the status strip, the bottom sheet,
// confirm dialogs, toasts and the document title. They draw into the elements
// main.js puts on the page (#status, #sheet, #toast).

import { html, mount } from './html.js';
import { state } from './state.js';
import { t } from './i18n.js';

const $ = (sel) => document.querySelector(sel);

/** The network answered (or did not): the strip shows "Offline" accordingly. */
export function setOnline(online) {
  const value = online && navigator.onLine;
  if (value === state.online) return;
  state.online = value;
  renderStatus();
}

/** The strip at the top: offline, "sign in again", and how many changes wait. */
export function renderStatus() {
  const strip = $('#status');
  if (!strip) return;
  const n = state.queued.length;
  const failed = state.queued.filter((i) => i.status === 'failed').length;
  mount(
    strip,
    html`${!state.online && html`<span class="pill pill-offline" role="status">${t('status.offline')}</span>`}
    ${state.authLost &&
    html`<a class="pill pill-alert" href="/signin">${t('status.signin_again')}</a>`}
    ${n > 0 &&
    html`<a class="pill ${failed ? 'pill-alert' : 'pill-pending'}" href="/pending"
      >${t('status.pending', { n })}</a
    >`}`,
  );
  strip.hidden = state.online && !state.authLost && n === 0;
}

let toastTimer = null;
export function toast(message, { alert = false } = {}) {
  const el = $('#toast');
  el.textContent = message;
  el.className = alert ? 'toast toast-alert show' : 'toast show';
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 3200);
}

export function setTitle(text) {
  document.title = text ? `${text} · Fieldline` : 'Fieldline';
}

/** Show a bottom sheet with the given content; resolves with the dialog element. */
export function openSheet(template, { label = '' } = {}) {
  const dialog = $('#sheet');
  mount(dialog, template);
  dialog.setAttribute('aria-label', label);
  if (!dialog.open) dialog.showModal();
  dialog.scrollTop = 0;
  return dialog;
}

export function closeSheet() {
  const dialog = $('#sheet');
  if (dialog?.open) dialog.close();
}

export function sheetIsOpen() {
  return Boolean($('#sheet')?.open);
}

/** A confirm dialog in the app's own style; resolves true or false. */
export function confirmSheet({ title, body, ok, danger = false }) {
  return new Promise((resolve) => {
    const dialog = openSheet(
      html`<form method="dialog" class="sheet-body confirm">
        <h2>${title}</h2>
        <p>${body}</p>
        <div class="row-buttons">
          <button class="btn" value="no">${t('common.cancel')}</button>
          <button class="btn ${danger ? 'btn-danger' : 'btn-primary'}" value="yes">${ok}</button>
        </div>
      </form>`,
      { label: title },
    );
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}

/** The server's words for a refused write: its field messages, else its message. */
export function refusal(error) {
  const flat = (e) => (typeof e === 'string' ? [e] : Array.isArray(e) ? e.flatMap(flat) : Object.values(e || {}).flatMap(flat));
  const fields = flat(error?.fields);
  return fields.length ? fields.join(' ') : error?.message || t('common.error');
}
