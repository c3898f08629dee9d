// "Reschedule" a follow-up: one tap on a quick pick, or a custom time and Save.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { quickPick, QUICK_PICKS, isoWithOffset, formatDateTime, toInputValue, fromInputValue } from '../lib/time.js';
import { toast } from '../lib/sheets.js';
import { customerSnapshot } from './customer-snapshot.js';
import { openFormSheet, sendFromSheet } from './form-sheet.js';

/** Move a follow-up: one tap on a quick pick, or a custom time and Save. */
export function openReschedule(f, onDone) {
  const tz = zone();
  const now = new Date();
  const { form } = openFormSheet({
    title: t('later.title'),
    closeable: true,
    cancel: null,
    ok: t('common.save'),
    fields: html`<p class="sub">${t(`action.${f.action || 'task'}`)}${f.customer && html` · ${f.customer.name}`}</p>
      <div class="pick-grid">
        ${QUICK_PICKS.map((p) => {
          const at = quickPick(p, now, tz);
          return html`<button class="pick-big" type="button" data-at="${at.toISOString()}">
            <strong>${t(`pick.${p}`, { time: new Intl.DateTimeFormat(state.locale, { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(at) })}</strong>
            <span>${formatDateTime(at, state.locale, tz)}</span>
          </button>`;
        })}
      </div>
      <label class="field"><span>${t('pick.custom_label')}</span>
        <input type="datetime-local" name="custom_at" value="${toInputValue(new Date(f.due_at), tz)}" /></label>`,
  });
  // Sent: "Moved to ..."; no network: the sheet's "saved on this phone"; refused: the
  // sheet stays open and says why.
  const move = async (at) => {
    const result = await sendFromSheet(form, {
      method: 'PATCH',
      url: `/api/v1/activities/${f.id}`,
      body: { due_at: isoWithOffset(at, tz) },
      headers: f.version ? { 'If-Match': `"${f.version}"` } : {},
      meta: { type: 'reschedule', action: f.action, notes: f.notes, customer: customerSnapshot(f.customer) },
    });
    if (!result) return;
    if (result.state === 'sent') toast(t('toast.moved', { when: formatDateTime(at, state.locale, tz) }));
    onDone?.();
  };
  form.addEventListener('click', (e) => {
    const b = e.target.closest('[data-at]');
    if (b) move(new Date(b.dataset.at));
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const at = fromInputValue(form.elements.custom_at.value, tz);
    if (!at) form.querySelector('[data-error]').textContent = t('log.error_when');
    else move(at);
  });
}
