// The bottom sheets for logging: "Log activity", "How did the call go?" and
// "Reschedule". Every save goes through the outbox, so it works offline.

import { html, mount } from '../lib/html.js';
import { api, state, t, zone, queue, toast, openSheet, closeSheet, refreshView } from '../app.js';
import { allCustomers, getCustomer, rememberCustomers } from '../lib/db.js';
import { queuedCustomers } from '../lib/outbox.js';
import { quickPick, QUICK_PICKS, isoWithOffset, formatDateTime, formatDuration, toInputValue, fromInputValue } from '../lib/time.js';
import { customerSnapshot, ICON } from './today.js';
import { offerReminders } from './reminders.js';

const KINDS = ['visit', 'call', 'email', 'meeting', 'note'];
const OUTCOMES = ['interested', 'follow_up', 'no_answer', 'not_interested', 'order'];
const NEXT_ACTIONS = ['call', 'visit', 'email', 'task'];

const closeButton = () =>
  html`<button class="icon-btn" type="button" data-close aria-label="${t('common.close')}">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18"/></svg>
  </button>`;

function chips(name, values, labelKey, checked, { icons = false } = {}) {
  return values.map(
    (v) => html`<label class="chip">
      <input type="radio" name="${name}" value="${v}" ${v === checked ? html`checked` : ''} />
      <span>${icons && ICON[v]}${t(`${labelKey}.${v}`)}</span>
    </label>`,
  );
}

/** The "Next follow-up" block shared by the log and after-call sheets. */
function nextBlock(defaultAction = 'call') {
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

function wireNext(form) {
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
function readNext(form) {
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

// ---- Location -------------------------------------------------------------

function locator(box) {
  const loc = { state: 'off', value: null, waiting: null };
  const paint = () => {
    const msg = {
      off: '',
      asking: t('log.loc_reason'),
      locating: t('log.loc_locating'),
      denied: t('log.loc_denied'),
      unavailable: t('log.loc_unavailable'),
    }[loc.state];
    mount(
      box,
      loc.state === 'off'
        ? html`<button class="btn btn-quiet" type="button" data-locate>${ICON.visit}${t('log.loc_add')}</button>`
        : loc.state === 'ok'
          ? html`<p class="loc-ok">${ICON.visit}${t('log.loc_ok', { m: Math.round(loc.value.accuracy) })}</p>`
          : html`<p class="loc-msg loc-${loc.state}">${ICON.visit}<span>${msg}</span></p>
              ${loc.state === 'locating' && html`<p class="loc-why">${t('log.loc_reason')}</p>`}`,
    );
  };
  loc.start = async () => {
    if (loc.state === 'locating' || loc.state === 'ok') return;
    if (!navigator.geolocation) {
      loc.state = 'unavailable';
      return paint();
    }
    try {
      const perm = await navigator.permissions?.query({ name: 'geolocation' });
      if (perm?.state === 'denied') {
        loc.state = 'denied';
        return paint();
      }
    } catch {
      /* no Permissions API: just ask */
    }
    // The reason is on screen before the browser asks.
    loc.state = 'locating';
    paint();
    loc.waiting = new Promise((resolve) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          loc.value = {
            lat: Number(pos.coords.latitude.toFixed(6)),
            lng: Number(pos.coords.longitude.toFixed(6)),
            accuracy: Math.round(pos.coords.accuracy),
          };
          loc.state = 'ok';
          paint();
          resolve();
        },
        (err) => {
          loc.state = err.code === 1 ? 'denied' : 'unavailable';
          paint();
          resolve();
        },
        { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
      );
    });
  };
  /** Give a location that is on its way a few more seconds before saving without it. */
  loc.settle = () =>
    loc.state === 'locating' ? Promise.race([loc.waiting, new Promise((r) => setTimeout(r, 4000))]) : null;
  box.addEventListener('click', (e) => {
    if (e.target.closest('[data-locate]')) loc.start();
  });
  paint();
  return loc;
}

// ---- Customer picker ------------------------------------------------------

async function customerCandidates(q) {
  const seen = [...queuedCustomers(state.queued), ...(await allCustomers().catch(() => []))];
  const needle = q.trim().toLocaleLowerCase();
  const byId = new Map();
  for (const c of seen) {
    if (!byId.has(c.id)) byId.set(c.id, c);
  }
  let list = [...byId.values()];
  if (needle) list = list.filter((c) => `${c.name} ${c.city || ''}`.toLocaleLowerCase().includes(needle));
  list.sort((a, b) => (b.used_at || 0) - (a.used_at || 0) || (b.seen_at || 0) - (a.seen_at || 0));
  return list.slice(0, needle ? 8 : 6);
}

function pickerList(list, q) {
  if (!list.length) return html`<li class="pick-empty">${t(q ? 'log.no_match' : 'log.no_recent')}</li>`;
  return list.map(
    (c) => html`<li><button type="button" class="pick-row" data-pick="${c.id}">
      <strong>${c.name}</strong>${c.city && html`<span>${c.city}</span>`}
    </button></li>`,
  );
}

function wirePicker(form, onPick) {
  const input = form.querySelector('[data-q]');
  const list = form.querySelector('.pick-list');
  const found = new Map();
  let timer = null;
  const show = async () => {
    const q = input.value;
    let items = await customerCandidates(q);
    for (const c of items) found.set(c.id, c);
    mount(list, html`${pickerList(items, q)}`);
    if (q.trim() && state.online) {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const res = await api(`/customers?q=${encodeURIComponent(q.trim())}&limit=8`);
        if (!res.ok || input.value !== q) return;
        for (const c of res.data.items) found.set(c.id, c);
        const ids = new Set(items.map((c) => c.id));
        items = [...items, ...res.data.items.filter((c) => !ids.has(c.id))].slice(0, 8);
        mount(list, html`${pickerList(items, q)}`);
      }, 250);
    }
  };
  input.addEventListener('input', show);
  list.addEventListener('click', (e) => {
    const b = e.target.closest('[data-pick]');
    if (b) onPick(found.get(b.dataset.pick));
  });
  show();
}

// ---- Log activity ---------------------------------------------------------

/**
 * Open the log sheet. customer: object (or null to pick one); contact;
 * completes: id of the follow-up this activity completes; kind: preselected.
 */
export function openLog({ customer = null, contact = null, completes = null, kind = 'visit', onSaved = null } = {}) {
  if (!KINDS.includes(kind)) kind = kind === 'task' ? 'call' : 'visit';
  const dialog = openSheet(
    html`<form class="sheet-body log-form" novalidate>
      <header class="sheet-head"><h2>${t('log.title')}</h2>${closeButton()}</header>
      <div class="group customer-pick" data-customer></div>
      <fieldset class="group"><legend>${t('log.kind')}</legend>
        <div class="chips">${chips('kind', KINDS, 'kind', kind, { icons: true })}</div></fieldset>
      <fieldset class="group"><legend>${t('log.outcome')}</legend>
        <div class="chips">${chips('outcome', OUTCOMES, 'outcome', null)}</div></fieldset>
      <label class="field"><span>${t('log.notes')}</span>
        <textarea name="notes" rows="3" maxlength="5000" placeholder="${t('log.notes_hint')}"></textarea></label>
      <div class="group loc" data-loc></div>
      ${completes &&
      html`<label class="check"><input type="checkbox" name="completes" checked /><span>${t('log.completes')}</span></label>`}
      ${nextBlock(kind === 'visit' ? 'call' : 'visit')}
      <p class="form-error" data-error role="alert"></p>
      <div class="sheet-foot"><button class="btn btn-primary btn-block" type="submit">${t('common.save')}</button></div>
    </form>`,
    { label: t('log.title') },
  );
  const form = dialog.querySelector('form');
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
  dialog.querySelector('[data-close]').addEventListener('click', closeSheet);

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
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
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
    await save(body, customer, contact);
    closeSheet();
    if (onSaved) onSaved();
    else refreshView();
    if (next) offerReminders();
  });
}

async function save(body, customer, contact) {
  await queue({
    method: 'POST',
    url: '/api/v1/activities',
    body,
    meta: {
      type: 'activity',
      customer: customerSnapshot(customer),
      contact: contact ? { id: contact.id, name: contact.name } : null,
    },
  });
  rememberCustomers([customerSnapshot(customer)], { used: true }).catch(() => {});
  toast(state.online ? t('toast.saved') : t('toast.saved_offline'));
}

// ---- After a call or email ------------------------------------------------

/** "How did the call with 王伟 go?" — away: what app.js noted when the rep tapped Call/Email. */
export async function openAfterCall(away) {
  const customer = (await getCustomer(away.customer_id).catch(() => null)) || {
    id: away.customer_id,
    name: away.customer_name,
  };
  const name = away.contact_name || away.customer_name || customer.name;
  const call = away.kind === 'call';
  const dialog = openSheet(
    html`<form class="sheet-body log-form after" novalidate>
      <header class="sheet-head"><h2>${t(call ? 'after.call_title' : 'after.email_title', { name })}</h2>${closeButton()}</header>
      ${call && html`<p class="sub">${t('after.duration', { d: formatDuration(away.seconds, state.locale) })}</p>`}
      <fieldset class="group"><legend>${t('log.outcome')}</legend>
        <div class="chips">${chips('outcome', OUTCOMES, 'outcome', null)}</div></fieldset>
      <label class="field"><span>${t('log.notes')}</span>
        <textarea name="notes" rows="2" maxlength="5000" placeholder="${t('log.notes_hint')}"></textarea></label>
      ${away.completes_id &&
      html`<label class="check"><input type="checkbox" name="completes" checked /><span>${t('log.completes')}</span></label>`}
      ${nextBlock(call ? 'call' : 'email')}
      <p class="form-error" data-error role="alert"></p>
      <div class="sheet-foot two">
        <button class="btn" type="button" data-close>${t('after.dismiss')}</button>
        <button class="btn btn-primary" type="submit">${t('common.save')}</button>
      </div>
    </form>`,
    { label: t('log.title') },
  );
  const form = dialog.querySelector('form');
  wireNext(form);
  for (const b of dialog.querySelectorAll('[data-close]')) b.addEventListener('click', closeSheet);
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
    await save(body, customer, away.contact_id ? { id: away.contact_id, name: away.contact_name } : null);
    closeSheet();
    refreshView();
  });
}

// ---- Reschedule -----------------------------------------------------------

/** Move a follow-up: one tap on a quick pick, or a custom time and Save. */
export function openReschedule(f, onDone) {
  const tz = zone();
  const now = new Date();
  const dialog = openSheet(
    html`<form class="sheet-body" novalidate>
      <header class="sheet-head"><h2>${t('later.title')}</h2>${closeButton()}</header>
      <p class="sub">${t(`action.${f.action || 'task'}`)}${f.customer && html` · ${f.customer.name}`}</p>
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
        <input type="datetime-local" name="custom_at" value="${toInputValue(new Date(f.due_at), tz)}" /></label>
      <p class="form-error" data-error role="alert"></p>
      <div class="sheet-foot"><button class="btn btn-primary btn-block" type="submit">${t('common.save')}</button></div>
    </form>`,
    { label: t('later.title') },
  );
  const form = dialog.querySelector('form');
  dialog.querySelector('[data-close]').addEventListener('click', closeSheet);
  const move = async (at) => {
    await queue({
      method: 'PATCH',
      url: `/api/v1/activities/${f.id}`,
      body: { due_at: isoWithOffset(at, tz) },
      headers: f.version ? { 'If-Match': `"${f.version}"` } : {},
      meta: { type: 'reschedule', action: f.action, notes: f.notes, customer: customerSnapshot(f.customer) },
    });
    closeSheet();
    toast(t('toast.moved', { when: formatDateTime(at, state.locale, tz) }));
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
