// Company settings' "Targets and working days" section: the working weekdays and
// holidays that pace is counted by, the company's timezone (its months and days), whether
// closed months are locked, and after how many quiet days a deal is stale. Saved straight
// to the server with the other sections' form scaffolding (server-form.js).

import { html, mount } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { state } from '../lib/state.js';
import { toast } from '../lib/sheets.js';
import { ICON } from './icons.js';
import { saveForm, watchTyping } from './server-form.js';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7]; // ISO: 1 = Monday

/** "Mon".."Sun" in the reader's language (2024-01-01 was a Monday). */
function weekdayName(day) {
  return new Intl.DateTimeFormat(state.locale, { timeZone: 'UTC', weekday: 'short' })
    .format(new Date(Date.UTC(2024, 0, day)));
}

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

function holidayRow(day, n) {
  return html`<li class="reason holiday"><div class="field">
      <input type="date" name="holiday" value="${day}" aria-label="${t('admin.holiday_n', { n })}" /></div>
    <button class="icon-btn" type="button" data-remove-holiday aria-label="${t('admin.remove_holiday', { day: day || t('admin.holiday_n', { n }) })}">${ICON.close}</button></li>`;
}

/** Draw the section into `section`; onSaved(settings) gets the server's answer. */
export function paintCalendarSettings(section, settings, onSaved) {
  const working = new Set(settings.working_weekdays || []);
  const stale = settings.stale_deal_days || { default: 14 };
  mount(
    section,
    html`<h2>${t('admin.calendar')}</h2>
      <form class="form card" data-form="calendar" novalidate>
        <fieldset class="group" data-err="working_weekdays"><legend>${t('admin.working_weekdays')}</legend>
          <p class="hint">${t('admin.working_weekdays_hint')}</p>
          <div class="chips small weekdays">${WEEKDAYS.map((d) => html`<label class="chip"><input type="checkbox" name="weekday" value="${d}" ${working.has(d) ? html`checked` : ''} />
            <span>${weekdayName(d)}</span></label>`)}</div>
        </fieldset>
        <fieldset class="group" data-err="holidays"><legend>${t('admin.holidays')}</legend>
          <p class="hint">${t('admin.holidays_hint')}</p>
          <ul class="reasons holidays">${(settings.holidays || []).map((d, i) => holidayRow(d, i + 1))}</ul>
          <button class="btn btn-quiet btn-small" type="button" data-add-holiday>${ICON.add}${t('admin.add_holiday')}</button>
        </fieldset>
        <label class="field"><span>${t('admin.timezone')}</span>
          <input name="timezone" data-err="timezone" list="admin-zones" autocomplete="off" spellcheck="false" maxlength="64" value="${settings.timezone}" />
          <datalist id="admin-zones">${zones().map((z) => html`<option value="${z}"></option>`)}</datalist>
          <span class="meta">${t('admin.timezone_hint')}</span></label>
        <label class="check" data-err="lock_closed_months"><input type="checkbox" name="lock_closed_months" ${settings.lock_closed_months ? html`checked` : ''} />
          <span>${t('admin.lock_closed_months')}</span></label>
        <p class="hint">${t('admin.lock_closed_months_hint')}</p>
        <label class="field"><span>${t('admin.stale_deal_days')}</span>
          <input name="stale_deal_days" data-err="stale_deal_days" inputmode="numeric" autocomplete="off" maxlength="9" value="${stale.default}" />
          <span class="meta">${t('admin.stale_deal_days_hint')}</span></label>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('admin.save_calendar')}</button>
      </form>`,
  );
  const form = section.querySelector('form');
  const list = form.querySelector('.holidays');
  watchTyping(form);
  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-add-holiday]')) {
      const holder = document.createElement('ul');
      mount(holder, holidayRow('', list.children.length + 1));
      list.append(...holder.children);
      list.lastElementChild.querySelector('input').focus();
    } else if (e.target.closest('[data-remove-holiday]')) {
      e.target.closest('li').remove();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // Empty dates are dropped; the others are numbered as sent (errors: holidays.2).
    const holidays = [];
    for (const input of list.querySelectorAll('input')) {
      input.dataset.err = input.value ? `holidays.${holidays.length}` : '';
      if (input.value) holidays.push(input.value);
    }
    const days = form.elements.stale_deal_days.value.trim();
    const body = {
      working_weekdays: [...form.querySelectorAll('[name=weekday]:checked')].map((box) => Number(box.value)),
      holidays,
      timezone: form.elements.timezone.value.trim(),
      lock_closed_months: form.elements.lock_closed_months.checked,
      // The default only; a stage's own number stays as it is.
      stale_deal_days: { ...stale, default: /^\d{1,9}$/.test(days) ? Number(days) : days },
    };
    const data = await saveForm(form, '/settings', { method: 'PATCH', body });
    if (!data) return;
    onSaved(data);
    paintCalendarSettings(section, data, onSaved);
    toast(t('admin.saved'));
  });
}
