// Reminders: the section in Settings (this device on/off, lead time, quiet hours,
// a test push) and the gentle prompt after the rep sets their first follow-up.

import { html, mount } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { queue } from '../lib/sync.js';
import { toast, openSheet, closeSheet } from '../lib/sheets.js';
import { kv } from '../lib/db.js';
import { deviceState, turnOff, turnOn } from '../lib/push.js';

const LEAD_CHOICES = [5, 10, 15, 30, 60];
const PROMPTED = 'push-prompted';

const hhmm = (value, fallback) => (value || fallback).slice(0, 5);

function explanation(status) {
  const key = {
    unsupported: 'push.unsupported',
    'ios-install': 'push.ios_install',
    denied: 'push.denied',
    offline: 'push.offline',
    'server-off': 'push.server_off',
    error: 'push.error',
  }[status];
  return key ? html`<p class="notice-box" role="status">${t(key)}</p>` : '';
}

function toggle(status) {
  if (status === 'on') {
    return html`<div class="push-state on"><strong>${t('push.on')}</strong>
      <span class="meta">${t('push.on_hint')}</span></div>
      <div class="row-buttons">
        <button class="btn btn-small" type="button" data-push-test>${t('push.test')}</button>
        <button class="btn btn-small btn-quiet" type="button" data-push-off>${t('push.turn_off')}</button>
      </div>`;
  }
  const can = status === 'off' || status === 'offline' || status === 'server-off' || status === 'error';
  return html`${can ? html`<button class="btn btn-primary btn-block" type="button" data-push-on>${t('push.turn_on')}</button>` : ''}
    ${explanation(status)}`;
}

/** The Reminders section of Settings, drawn into `section`. */
export async function showReminders(section, status = null) {
  status = status || (await deviceState().catch(() => 'unsupported'));
  const me = state.me;
  const lead = me.reminder_lead_minutes ?? 15;
  mount(
    section,
    html`<h2>${t('push.title')}</h2>
      <div class="card reminders" data-push-status="${status}">
        ${toggle(status)}
        <label class="field"><span>${t('push.lead')}</span>
          <select name="lead">${LEAD_CHOICES.map(
            (n) => html`<option value="${n}" ${n === lead ? html`selected` : ''}>${n === 60 ? t('push.lead_hour') : t('push.lead_min', { n })}</option>`,
          )}</select></label>
        <fieldset class="quiet"><legend>${t('push.quiet')}</legend>
          <label class="field"><span>${t('push.quiet_from')}</span>
            <input type="time" name="quiet_start" value="${hhmm(me.quiet_hours_start, '21:00')}" required /></label>
          <label class="field"><span>${t('push.quiet_to')}</span>
            <input type="time" name="quiet_end" value="${hhmm(me.quiet_hours_end, '08:00')}" required /></label>
        </fieldset>
        <p class="hint">${t('push.quiet_hint')}</p>
      </div>`,
  );
  section.querySelector('[data-push-on]')?.addEventListener('click', async (e) => {
    e.target.disabled = true;
    const result = await turnOn(api).catch(() => 'error');
    if (result === 'on') toast(t('push.turned_on'));
    showReminders(section, result);
  });
  section.querySelector('[data-push-off]')?.addEventListener('click', async () => {
    await turnOff(api).catch(() => {});
    showReminders(section);
  });
  section.querySelector('[data-push-test]')?.addEventListener('click', async () => {
    const res = await api('/push/test', { method: 'POST' });
    toast(res.ok ? t('push.test_sent') : res.data?.message || t('common.error'), { alert: !res.ok });
  });
  section.querySelector('select[name=lead]').addEventListener('change', (e) => {
    saveReminderSettings({ reminder_lead_minutes: Number(e.target.value) });
  });
  for (const input of section.querySelectorAll('.quiet input')) {
    input.addEventListener('change', () => {
      const start = section.querySelector('[name=quiet_start]').value;
      const end = section.querySelector('[name=quiet_end]').value;
      if (start && end) saveReminderSettings({ quiet_hours_start: start, quiet_hours_end: end });
    });
  }
}

async function saveReminderSettings(body) {
  state.me = { ...state.me, ...body };
  await kv.set('me', state.me);
  await queue({ method: 'PATCH', url: `/api/v1/users/${state.me.id}`, body, meta: { type: 'reminder-settings' } });
  toast(t('push.saved'));
}

/**
 * After the rep sets a follow-up: offer reminders once, never on first load and
 * never again after an answer. The tap on "Turn on" is what lets the browser ask.
 */
export async function offerReminders() {
  if (await kv.get(PROMPTED)) return;
  const status = await deviceState().catch(() => 'unsupported');
  if (status !== 'off') return;
  await kv.set(PROMPTED, true);
  const dialog = openSheet(
    html`<div class="sheet-body confirm push-offer">
      <h2>${t('push.prompt_title')}</h2>
      <p>${t('push.prompt_body', { n: state.me.reminder_lead_minutes ?? 15 })}</p>
      <p class="form-error" data-error role="alert"></p>
      <div class="row-buttons">
        <button class="btn" type="button" data-later>${t('push.prompt_later')}</button>
        <button class="btn btn-primary" type="button" data-on>${t('push.turn_on')}</button>
      </div>
    </div>`,
    { label: t('push.prompt_title') },
  );
  dialog.querySelector('[data-later]').addEventListener('click', closeSheet);
  dialog.querySelector('[data-on]').addEventListener('click', async (e) => {
    e.target.disabled = true;
    const result = await turnOn(api).catch(() => 'error');
    if (result === 'on' || result === 'off') {
      closeSheet(); // 'off': the browser's own question was dismissed; ask again another day
      if (result === 'on') toast(t('push.turned_on'));
      return;
    }
    e.target.disabled = false;
    mount(dialog.querySelector('[data-error]'), html`${t(`push.${result === 'server-off' ? 'server_off' : result}`)}`);
  });
}
