// Company settings, for administrators: lead rules, lose reasons, the pipeline's stages,
// the expense rules, targets and working days, and the map. Each section saves on its
// own (settings: one PATCH per section; a stage: one PATCH, a new stage: one POST). The
// server checks everything and answers in the admin's language; its field errors are
// shown next to their fields. Saving needs the network: offline, the screen says so
// and keeps what was typed. Everyone else sees a polite "only administrators" screen
// (the API refuses their writes with 403 anyway).

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { setTitle, toast } from '../lib/sheets.js';
import { backLink, staleNote } from '../components/page-head.js';
import { saveForm, clearErrors, clearFieldError, watchTyping } from '../components/server-form.js';
import { ICON } from '../components/icons.js';
import { paintMapSettings } from '../components/map-admin.js';
import { paintCalendarSettings } from '../components/calendar-admin.js';

// A sync repaints "live" screens: this one must never lose what is being typed.
export const live = false;

// The server's EXPENSE_CATEGORIES (app/services/settings.py), in its order.
const CATEGORIES = ['travel', 'lodging', 'meals', 'fuel', 'entertainment', 'other'];

/** "12" -> 12; anything else is sent as typed, for the server to refuse in the right words. */
const whole = (text) => (/^\d{1,9}$/.test(text) ? Number(text) : text);

let shown = null; // {settings, stages}

function head() {
  return html`<header class="page-head row">${backLink('/settings')}<h1>${t('admin.title')}</h1></header>`;
}

// ---- Leads ----------------------------------------------------------------------

function paintLeads(section) {
  const s = shown.settings;
  mount(
    section,
    html`<h2>${t('admin.leads')}</h2>
      <form class="form card" data-form="leads" novalidate>
        <label class="field"><span>${t('admin.lead_cap')}</span>
          <input name="lead_cap" data-err="lead_cap" inputmode="numeric" autocomplete="off" maxlength="9" value="${s.lead_cap}" />
          <span class="meta">${t('admin.lead_cap_hint')}</span></label>
        <label class="field"><span>${t('admin.recycle_days')}</span>
          <input name="lead_recycle_days" data-err="lead_recycle_days" inputmode="numeric" autocomplete="off" maxlength="9" value="${s.lead_recycle_days}" />
          <span class="meta">${t('admin.recycle_days_hint')}</span></label>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('admin.save_leads')}</button>
      </form>`,
  );
  const form = section.querySelector('form');
  watchTyping(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      lead_cap: whole(form.elements.lead_cap.value.trim()),
      lead_recycle_days: whole(form.elements.lead_recycle_days.value.trim()),
    };
    const data = await saveForm(form, '/settings', { method: 'PATCH', body });
    if (!data) return;
    shown.settings = data;
    paintLeads(section);
    toast(t('admin.saved'));
  });
}

// ---- Lose reasons -----------------------------------------------------------------

function reasonRow(reason, n) {
  return html`<li class="reason"><div class="field">
      <input name="reason" value="${reason}" maxlength="80" autocomplete="off" aria-label="${t('admin.reason_n', { n })}" />
    </div>
    <button class="icon-btn" type="button" data-remove-reason aria-label="${t('admin.remove_reason', { reason: reason || t('admin.reason_n', { n }) })}">${ICON.close}</button></li>`;
}

/** "Each reason only once": point at the repeats (compared as the server does). */
function markRepeats(list) {
  const seen = new Set();
  for (const input of list.querySelectorAll('input')) {
    const key = input.value.trim().toLocaleLowerCase();
    if (key && seen.has(key)) input.setAttribute('aria-invalid', 'true');
    seen.add(key);
  }
}

function paintReasons(section) {
  mount(
    section,
    html`<h2>${t('admin.deals')}</h2>
      <form class="form card" data-form="reasons" novalidate>
        <fieldset class="group" data-err="lose_reasons"><legend>${t('admin.lose_reasons')}</legend>
          <p class="hint">${t('admin.lose_reasons_hint')}</p>
          <ul class="reasons">${shown.settings.lose_reasons.map((r, i) => reasonRow(r, i + 1))}</ul>
          <button class="btn btn-quiet btn-small" type="button" data-add-reason>${ICON.add}${t('admin.add_reason')}</button>
        </fieldset>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('admin.save_reasons')}</button>
      </form>`,
  );
  const form = section.querySelector('form');
  const list = form.querySelector('.reasons');
  watchTyping(form);
  form.addEventListener('click', (e) => {
    if (e.target.closest('[data-add-reason]')) {
      const holder = document.createElement('ul');
      mount(holder, reasonRow('', list.children.length + 1));
      list.append(...holder.children);
      list.lastElementChild.querySelector('input').focus();
    } else if (e.target.closest('[data-remove-reason]')) {
      e.target.closest('li').remove();
      list.querySelector('input')?.focus();
    }
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    // Empty rows are dropped; the others are numbered as sent, so an error about
    // lose_reasons.2 lands next to the third reason sent.
    const reasons = [];
    for (const input of list.querySelectorAll('input')) {
      const value = input.value.trim();
      input.dataset.err = value ? `lose_reasons.${reasons.length}` : '';
      if (value) reasons.push(value);
    }
    const data = await saveForm(form, '/settings', { method: 'PATCH', body: { lose_reasons: reasons } });
    if (!data) {
      if (form.querySelector('fieldset > .field-error')) markRepeats(list);
      return;
    }
    shown.settings = data;
    paintReasons(section);
    toast(t('admin.saved'));
  });
}

// ---- Stages -------------------------------------------------------------------------

function stageForm(stage, n) {
  const fixed = stage.kind !== 'open';
  return html`<form class="form stage-form" data-stage="${stage.id}" novalidate>
      <div class="stage-row">
        <span class="rank" aria-hidden="true">${n}</span>
        <label class="field"><span>${t('admin.stage_name')}</span>
          <input name="name" data-err="name" value="${stage.name}" maxlength="80" autocomplete="off" /></label>
        ${fixed
          ? html`<div class="field"><span>${t('admin.probability')}</span><span class="fixed-prob pct">${stage.probability}</span></div>`
          : html`<label class="field"><span>${t('admin.probability')}</span><span class="pct">
              <input name="probability" data-err="probability" inputmode="numeric" maxlength="9" autocomplete="off" value="${stage.probability}" /></span></label>`}
      </div>
      <p class="form-error" data-error role="alert"></p>
      <div class="stage-foot">
        ${fixed
          ? html`<span class="badge">${t('admin.fixed')}</span>`
          : html`<label class="check"><input type="checkbox" name="active" data-err="active" ${stage.active ? html`checked` : ''} />
              <span>${t('admin.in_use')}</span></label>`}
        <button class="btn btn-small btn-primary" type="submit" data-stage-save hidden>${t('admin.save_stage')}</button>
      </div>
    </form>`;
}

function newStageForm() {
  return html`<form class="form card" data-form="new-stage" data-id="${crypto.randomUUID()}" novalidate>
      <h3>${t('admin.new_stage')}</h3>
      <p class="hint">${t('admin.new_stage_hint')}</p>
      <div class="stage-row new">
        <label class="field"><span>${t('admin.stage_name')}</span>
          <input name="name" data-err="name" maxlength="80" autocomplete="off" /></label>
        <label class="field"><span>${t('admin.probability')}</span><span class="pct">
          <input name="probability" data-err="probability" inputmode="numeric" maxlength="9" autocomplete="off" /></span></label>
      </div>
      <p class="form-error" data-error role="alert"></p>
      <button class="btn btn-block" type="submit">${ICON.add}${t('admin.add_stage')}</button>
    </form>`;
}

function renumber(list) {
  [...list.querySelectorAll('.rank')].forEach((el, i) => {
    el.textContent = String(i + 1);
  });
}

function paintStages(section) {
  const terminal = shown.stages.some((s) => s.kind !== 'open');
  mount(
    section,
    html`<h2>${t('admin.stages')}</h2>
      <p class="hint">${t('admin.stages_hint')}</p>
      <ol class="cards stages">${shown.stages.map((s, i) => html`<li class="card ${s.active ? '' : 'retired'}" data-kind="${s.kind}">${stageForm(s, i + 1)}</li>`)}</ol>
      <p class="hint fixed-note">${t('admin.in_use_hint')}${terminal && html` ${t('admin.fixed_hint')}`}</p>
      <div data-new-stage>${newStageForm()}</div>`,
  );
  const list = section.querySelector('.stages');
  section.addEventListener('input', (e) => {
    const form = e.target.closest('[data-stage]');
    if (form) form.querySelector('[data-stage-save]').hidden = false;
    clearFieldError(e.target.form, e.target);
  });
  section.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = e.target;
    if (form.dataset.stage) await saveStage(form);
    else await addStage(section, form, list);
  });
}

async function saveStage(form) {
  const i = shown.stages.findIndex((s) => s.id === form.dataset.stage);
  const stage = shown.stages[i];
  const body = {};
  const name = form.elements.name.value.trim();
  if (name !== stage.name) body.name = name;
  const probability = form.elements.probability?.value.trim();
  if (probability !== undefined && probability !== String(stage.probability)) body.probability = whole(probability);
  const active = form.elements.active?.checked;
  if (active !== undefined && active !== stage.active) body.active = active;
  if (!Object.keys(body).length) {
    clearErrors(form);
    form.querySelector('[data-stage-save]').hidden = true;
    toast(t('admin.no_changes'));
    return;
  }
  const data = await saveForm(form, `/stages/${stage.id}`, { method: 'PATCH', body, headers: { 'If-Match': `"${stage.version}"` } });
  if (!data) return;
  shown.stages[i] = data;
  const li = form.parentElement;
  li.classList.toggle('retired', !data.active);
  mount(li, stageForm(data, i + 1));
  toast(t('admin.stage_saved', { name: data.name }));
}

async function addStage(section, form, list) {
  const body = {
    id: form.dataset.id, // kept across retries: sending the same stage twice adds it once
    name: form.elements.name.value.trim(),
    probability: whole(form.elements.probability.value.trim()),
  };
  const data = await saveForm(form, '/stages', { method: 'POST', body });
  if (!data) return;
  if (!shown.stages.some((s) => s.id === data.id)) {
    // Where the server put it: before the first stage that comes after it.
    const after = shown.stages.findIndex((s) => s.position > data.position);
    const at = after < 0 ? shown.stages.length : after;
    shown.stages.splice(at, 0, data);
    const li = document.createElement('li');
    li.className = 'card';
    li.dataset.kind = data.kind;
    mount(li, stageForm(data, at + 1));
    list.insertBefore(li, list.children[at] || null);
    renumber(list);
  }
  mount(section.querySelector('[data-new-stage]'), newStageForm());
  toast(t('admin.stage_added', { name: data.name }));
}

// ---- Expenses -----------------------------------------------------------------------

function paintExpenses(section) {
  const s = shown.settings;
  const limits = s.expense_limits || {};
  mount(
    section,
    html`<h2>${t('admin.expenses')}</h2>
      <form class="form card" data-form="expenses" novalidate>
        <label class="field"><span>${t('admin.currency')}</span>
          <input name="currency" data-err="currency" class="code" maxlength="3" autocapitalize="characters" autocomplete="off" spellcheck="false" value="${s.currency}" />
          <span class="meta">${t('admin.currency_hint')}</span></label>
        <label class="field"><span>${t('admin.threshold')}</span>
          <input name="threshold" data-err="expense_manager_threshold" inputmode="decimal" autocomplete="off" maxlength="20" value="${s.expense_manager_threshold}" />
          <span class="meta">${t('admin.threshold_hint')}</span></label>
        <fieldset class="group" data-err="expense_limits"><legend>${t('admin.limits')}</legend>
          <p class="hint">${t('admin.limits_hint')}</p>
          <div class="limits">${CATEGORIES.map((c) => {
            const limit = limits[c];
            const category = t(`expenses.category.${c}`);
            return html`<div class="limit-row" data-err="expense_limits.${c}">
              <span class="limit-cat">${category}</span>
              <div class="field"><input name="amount_${c}" data-err="expense_limits.${c}.value.amount" inputmode="decimal" autocomplete="off" maxlength="20"
                placeholder="${t('admin.no_limit')}" aria-label="${t('admin.limit_amount', { category })}" value="${limit?.amount || ''}" /></div>
              <div class="field"><select name="per_${c}" data-err="expense_limits.${c}.value.per" aria-label="${t('admin.limit_per', { category })}">
                ${['day', 'item'].map((p) => html`<option value="${p}" ${(limit?.per || 'day') === p ? html`selected` : ''}>${t(`admin.per_${p}`)}</option>`)}
              </select></div>
            </div>`;
          })}</div>
        </fieldset>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('admin.save_expenses')}</button>
      </form>`,
  );
  const form = section.querySelector('form');
  watchTyping(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (name) => form.elements[name].value.trim();
    const expense_limits = {};
    for (const c of CATEGORIES) {
      if (value(`amount_${c}`)) expense_limits[c] = { amount: value(`amount_${c}`), per: value(`per_${c}`) };
    }
    const body = {
      currency: value('currency').toUpperCase(),
      expense_manager_threshold: value('threshold'),
      expense_limits,
    };
    const data = await saveForm(form, '/settings', { method: 'PATCH', body });
    if (!data) return;
    shown.settings = data;
    paintExpenses(section);
    toast(t('admin.saved'));
  });
}

// ---- The screen ---------------------------------------------------------------------

export async function show(page) {
  setTitle(t('admin.title'));
  if (state.me.role !== 'admin') {
    mount(
      page,
      html`${head()}<div class="empty-state admin-only">
        ${ICON.lock}
        <p><strong>${t('admin.only_admins')}</strong></p>
        <p>${t('admin.only_admins_hint')}</p>
        <a class="btn" href="/settings">${t('nav.settings')}</a>
      </div>`,
    );
    return;
  }
  mount(page, html`${head()}<div class="skeleton"></div><div class="skeleton tall"></div>`);
  const [settings, stages] = await Promise.all([api('/settings'), api('/stages?limit=200')]);
  if (!page.isConnected) return;
  if (!settings.ok || !stages.ok) {
    const offline = settings.offline || stages.offline;
    mount(page, html`${head()}<p class="empty">${offline ? t('common.offline_nothing') : settings.data?.message || t('common.error')}</p>`);
    return;
  }
  shown = { settings: settings.data, stages: stages.data.items };
  mount(
    page,
    html`${head()}${staleNote(settings)}
      <p class="sub">${t('admin.sub')}</p>
      <section data-leads></section>
      <section data-reasons></section>
      <section data-stages></section>
      <section data-expenses></section>
      <section data-calendar></section>
      <section data-map></section>`,
  );
  paintLeads(page.querySelector('[data-leads]'));
  paintReasons(page.querySelector('[data-reasons]'));
  paintStages(page.querySelector('[data-stages]'));
  paintExpenses(page.querySelector('[data-expenses]'));
  const saved = (data) => {
    shown.settings = data;
  };
  paintCalendarSettings(page.querySelector('[data-calendar]'), shown.settings, saved);
  paintMapSettings(page.querySelector('[data-map]'), shown.settings, saved);
}
