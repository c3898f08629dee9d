// The "Next follow-up" block of the log and after-call sheets: none, a quick pick
// (tomorrow, in 3 days, next week at 9:00) or a custom time, what to do and a note.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { quickPick, QUICK_PICKS, isoWithOffset, formatDateTime, toInputValue, fromInputValue } from '../lib/time.js';
import { ICON } from './icons.js';

const NEXT_ACTIONS = ['call', 'visit', 'email', 'task'];

/** Radio chips for `values`, worded by `${labelKey}.${value}`. */
export function chips(name, values, labelKey, checked, { icons = false } = {}) {
  return values.map(
    (v) => html`<label class="chip">
      <input type="radio" name="${name}" value="${v}" ${v === checked ? html`checked` : ''} />
      <span>${icons && ICON[v]}${t(`${labelKey}.${v}`)}</span>
    </label>`,
  );
}

/** The "Next follow-up" block shared by the log and after-call sheets. */
export function nextBlock(defaultAction = 'call') {
  const now = new Date();
  const tz = zone();
  return html`<fieldset class="group next">
    <legend>${t('log.next')}</legend>
    <div class="chips">
      <label class="chip"><input type="radio" name="pick" value="" checked /><span>${t('pick.none')}</span></label>
      ${QUICK_PICKS.map(
        (p) => html`<label class="chip"
          ><input type="radio" name="pick" value="${p}" /><span
            >${t(`pick.${p}`, { time: new Intl.DateTimeFormat(state.locale, { timeZone: tz, hour: 'numeric', minute: '2-digit' }).format(quickPick(p, now, tz)) })}</span
          ></label
        >`,
      )}
      <label class="chip"><input type="radio" name="pick" value="custom" /><span>${t('pick.custom')}</span></label>
    </div>
    <div class="next-details" hidden>
      <p class="next-when" data-when></p>
      <label class="field custom-when" hidden>
        <span>${t('pick.custom_label')}</span>
        <input type="datetime-local" name="custom_at" value="${toInputValue(quickPick('tomorrow', now, tz), tz)}" />
      </label>
      <div class="chips small">${chips('next_action', NEXT_ACTIONS, 'action', defaultAction)}</div>
      <label class="field"><span>${t('log.next_note')}</span>
        <input type="text" name="next_note" maxlength="500" autocomplete="off" enterkeyhint="done" /></label>
    </div>
  </fieldset>`;
}

export function wireNext(form) {
  const details = form.querySelector('.next-details');
  const custom = form.querySelector('.custom-when');
  const when = form.querySelector('[data-when]');
  const update = () => {
    const pick = form.elements.pick.value;
    details.hidden = !pick;
    custom.hidden = pick !== 'custom';
    const due = nextDue(form);
    when.textContent = due ? formatDateTime(due, state.locale, zone()) : '';
  };
  form.addEventListener('change', (e) => {
    if (e.target.name === 'pick' || e.target.name === 'custom_at') update();
  });
  update();
}

function nextDue(form) {
  const pick = form.elements.pick.value;
  if (!pick) return null;
  if (pick === 'custom') return fromInputValue(form.elements.custom_at.value, zone());
  return quickPick(pick, new Date(), zone());
}

/** {next} for the activity body, or an error key when "Custom" has no valid time. */
export function readNext(form) {
  if (!form.elements.pick.value) return {};
  const due = nextDue(form);
  if (!due) return { error: 'log.error_when' };
  // A client-chosen id lets the rep complete or move the follow-up while still offline.
  const next = {
    id: crypto.randomUUID(),
    kind: form.elements.next_action.value || 'call',
    due_at: isoWithOffset(due, zone()),
  };
  const note = form.elements.next_note.value.trim();
  if (note) next.note = note;
  return { next };
}
