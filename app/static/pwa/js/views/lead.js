// One lead: who, how to reach them, its score and why, claim/release, and
// convert (customer + contact + deal, or onto an existing customer).

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast, setTitle, openSheet, closeSheet } from '../lib/sheets.js';
import { staleNote, backLink, mountMissing } from '../components/page-head.js';
import { go } from '../lib/router.js';
import { openFormSheet } from '../components/form-sheet.js';
import { queue, outbox } from '../lib/sync.js';
import { telLink, mailtoLink } from '../lib/place.js';
import { formatDateTime, isoWithOffset } from '../lib/time.js';
import { ICON } from '../components/icons.js';
import { claim } from '../lib/leads.js';
import { queuedLeads } from '../lib/queued.js';

export const live = true;

let shown = null; // {id, res, data}
const MANAGERS = ['lead', 'manager', 'admin'];

function breakdown(lead) {
  return html`<ul class="score-list">
    ${(lead.score_breakdown || []).map(
      (f) => html`<li>
        <span class="sb-name">${t(`leads.factor.${f.factor}`)}${f.factor === 'source' && f.detail ? html` · ${t(`leads.source_names.${f.detail}`)}` : ''}</span>
        <progress class="sb-bar" max="${f.max}" value="${f.points}" aria-hidden="true"></progress>
        <span class="sb-pts">${f.points}/${f.max}</span>
      </li>`,
    )}
  </ul>`;
}

function paint(page) {
  const { res, data: lead } = shown;
  if (!lead) return mountMissing(page, res, { back: '/leads', title: t('nav.leads'), notFound: 'leads.not_found' });
  setTitle(lead.name);
  const tel = telLink(lead.phone_e164 || lead.phone);
  const mail = mailtoLink(lead.email);
  if (lead._queued) return paintQueued(page, lead);
  const mine = lead.owner_id === state.me.id;
  const open = lead.status === 'open';
  mount(
    page,
    html`${head(lead)}
      ${staleNote(res || {})}
      <p class="tags">
        <span class="badge b-${lead.status}">${t(`leads.status.${lead.status}`)}</span>
        <span class="tag">${lead.owner_id ? t('leads.owner', { name: lead.owner_name || '' }) : t('leads.pool_owner')}</span>
      </p>
      ${!open && html`<div class="warn"><p>${t('leads.converted_note')}</p>
        <p class="row-buttons">
          ${lead.customer_id && html`<a class="btn btn-small" href="/customers/${lead.customer_id}">${t('leads.open_customer')}</a>`}
          ${lead.opportunity_id && html`<a class="btn btn-small btn-primary" href="/deals/${lead.opportunity_id}">${t('leads.open_deal')}</a>`}
        </p></div>`}
      <div class="big-actions">
        ${tel && html`<a class="big-act" href="${tel}">${ICON.call}<span>${t('act.call')}</span></a>`}
        ${mail && html`<a class="big-act" href="${mail}">${ICON.email}<span>${t('act.email')}</span></a>`}
        ${open && !lead.owner_id && html`<button class="big-act primary" type="button" data-claim>${ICON.log}<span>${t('leads.claim')}</span></button>`}
        ${open && lead.owner_id && html`<button class="big-act" type="button" data-log-lead>${ICON.note}<span>${t('act.log')}</span></button>`}
        ${open && lead.owner_id && html`<button class="big-act primary" type="button" data-convert>${ICON.log}<span>${t('leads.convert')}</span></button>`}
      </div>
      <section>
        <h2>${t('leads.score')} <span class="count">${t('leads.score_of', { n: lead.score })}</span></h2>
        <div class="card pad">${breakdown(lead)}
          <p class="meta">${t('leads.activities', { n: lead.activity_count })}${lead.last_activity_at ? html` · ${t('leads.last_activity', { when: formatDateTime(new Date(lead.last_activity_at), state.locale, zone()) })}` : ''}</p>
        </div>
      </section>
      ${facts(lead)}
      ${open && (lead.owner_id && (mine || state.me.role !== 'rep') || MANAGERS.includes(state.me.role)) &&
      html`<section class="row-buttons split">
        ${lead.owner_id && html`<button class="btn" type="button" data-release>${t('leads.release')}</button>`}
        ${MANAGERS.includes(state.me.role) && html`<button class="btn" type="button" data-assign>${t('leads.assign')}</button>`}
      </section>`}`,
  );
}

function head(lead) {
  return html`<header class="page-head row">${backLink(lead.owner_id ? '/leads' : '/leads?tab=pool')}
    <div class="head-text">
      <h1>${lead.name}</h1>
      <p class="sub">${[lead.title, lead.company].filter(Boolean).join(' · ')}</p>
    </div>
  </header>`;
}

function facts(lead) {
  return html`<dl class="facts card">
    ${lead.phone && html`<div><dt>${t('leads.phone')}</dt><dd>${lead.phone}</dd></div>`}
    ${lead.email && html`<div><dt>${t('leads.email')}</dt><dd>${lead.email}</dd></div>`}
    ${lead.city && html`<div><dt>${t('leads.city')}</dt><dd>${lead.city}</dd></div>`}
    ${lead.source && html`<div><dt>${t('leads.source')}</dt><dd>${t(`leads.source_names.${lead.source}`)}</dd></div>`}
  </dl>`;
}

/** A lead typed on this phone and not sent yet: what was typed, and one-tap call/email. */
function paintQueued(page, lead) {
  const tel = telLink(lead.phone);
  const mail = mailtoLink(lead.email);
  mount(
    page,
    html`${head(lead)}
      <p class="queued-note">${lead._queued === 'failed' ? html`<a href="/pending">${t('queue.failed_note')}</a>` : t('queue.waiting_note')}</p>
      <div class="big-actions">
        ${tel && html`<a class="big-act" href="${tel}">${ICON.call}<span>${t('act.call')}</span></a>`}
        ${mail && html`<a class="big-act" href="${mail}">${ICON.email}<span>${t('act.email')}</span></a>`}
      </div>
      ${facts(lead)}
      <p class="hint">${t('leads.queued_hint')}</p>`,
  );
}

/** Give the lead to a colleague (team lead: the team; manager, admin: anyone). */
async function openAssign(page, lead) {
  if (!state.online) return toast(t('leads.need_network'), { alert: true });
  const query = state.me.role === 'lead' && state.me.team_id ? `&team_id=${state.me.team_id}` : '';
  const res = await api(`/users?limit=200${query}`);
  const people = (res.ok ? res.data.items : []).filter((u) => u.active && ['rep', 'lead'].includes(u.role) && u.id !== lead.owner_id);
  const dialog = openSheet(
    html`<div class="sheet-body">
      <div class="sheet-head"><h2>${t('leads.assign_title')}</h2></div>
      ${people.length
        ? html`<ul class="pick-list">${people.map((u) => html`<li><button class="pick-row" type="button" data-to="${u.id}" data-name="${u.name}">
            <strong>${u.name}</strong><span>${t(`user_role.${u.role}`)}</span></button></li>`)}</ul>`
        : html`<p class="pick-empty">${t('leads.nobody')}</p>`}
      <div class="sheet-foot"><button class="btn btn-block" type="button" data-cancel>${t('common.cancel')}</button></div>
    </div>`,
    { label: t('leads.assign_title') },
  );
  dialog.querySelector('[data-cancel]').addEventListener('click', closeSheet);
  dialog.querySelectorAll('[data-to]').forEach((button) =>
    button.addEventListener('click', async () => {
      const done = await api(`/leads/${lead.id}/assign`, {
        method: 'POST',
        body: { owner_id: button.dataset.to },
        headers: { 'If-Match': `"${lead.version}"` },
      });
      closeSheet();
      if (!done.ok) return toast(done.data?.message || t('common.error'), { alert: true });
      toast(t('leads.assigned', { name: button.dataset.name }));
      shown = { ...shown, data: done.data };
      paint(page);
    }),
  );
}

const LOG_KINDS = ['call', 'email', 'visit', 'meeting', 'note'];

/** Log a touch with the lead (offline too: an ordinary write, queued with its own id). */
function openLeadLog(page, lead) {
  const { form } = openFormSheet({
    title: html`${t('log.title')} · ${lead.name}`,
    label: t('log.title'),
    fields: html`<fieldset class="group"><legend>${t('log.kind')}</legend>
        <div class="chips small">${LOG_KINDS.map((k, i) => html`<label class="chip"><input type="radio" name="kind" value="${k}" ${i === 0 ? html`checked` : ''} /><span>${t(`kind.${k}`)}</span></label>`)}</div>
      </fieldset>
      <label class="field"><span>${t('log.notes')}</span><textarea name="notes" rows="3" maxlength="10000"></textarea></label>`,
    ok: t('common.save'),
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      id: crypto.randomUUID(),
      kind: form.querySelector('[name=kind]:checked').value,
      lead_id: lead.id,
      occurred_at: isoWithOffset(new Date(), zone()),
    };
    const notes = form.elements.notes.value.trim();
    if (notes) body.notes = notes;
    closeSheet();
    const { item, sending } = await queue({ method: 'POST', url: '/api/v1/activities', body,
      meta: { type: 'activity', customer: { name: lead.company ? `${lead.name} · ${lead.company}` : lead.name } } });
    await sending;
    const after = await outbox.store.get(item.key);
    if (after && after.status === 'failed') {
      toast(after.error?.message || t('common.error'), { alert: true });
      return;
    }
    toast(after ? t('toast.saved_offline') : t('toast.saved'));
    if (!after) {
      const res = await api(`/leads/${lead.id}`);
      if (res.ok && page.isConnected && shown?.id === lead.id) {
        shown = { ...shown, res, data: res.data };
        paint(page);
      }
    }
  });
}

async function openConvert(page, lead) {
  if (!state.online) {
    toast(t('leads.need_network'), { alert: true });
    return;
  }
  const params = new URLSearchParams();
  params.set(lead.company ? 'company' : 'name', lead.company || lead.name);
  if (lead.phone) params.set('phone', lead.phone);
  if (lead.email) params.set('email', lead.email);
  const dups = await api(`/leads/duplicates?${params}`);
  const found = (dups.ok ? dups.data.items : []).filter((d) => d.kind === 'customer');
  // A deal goes on a customer its owner works with; others' customers are named, not offered.
  const customers = found.filter((c) => c.owner_id === lead.owner_id);
  const elsewhere = found.filter((c) => c.owner_id !== lead.owner_id);
  const newName = lead.company || lead.name;
  const { form } = openFormSheet({
    title: t('leads.convert_title'),
    fields: html`<p class="hint">${t('leads.convert_hint')}</p>
      <fieldset class="group"><legend>${t('deals.customer')}</legend>
        <div class="choices">
          <label class="choice"><input type="radio" name="customer" value="" checked /> <span>${t('leads.new_customer', { name: newName })}</span></label>
          ${customers.map((c) => html`<label class="choice"><input type="radio" name="customer" value="${c.id}" />
            <span>${t('leads.attach_to', { name: t('leads.attach_owner', { name: c.name, owner: c.owner_name || '—' }) })}</span></label>`)}
        </div>
        ${elsewhere.map((c) => html`<p class="hint">${t('leads.customer_of_other', { name: c.name, owner: c.owner_name || '—' })}</p>`)}
      </fieldset>
      <label class="field"><span>${t('leads.deal_name')}</span><input name="opportunity_name" maxlength="200" value="${newName}" /></label>
      <label class="field"><span>${t('leads.amount')}</span><input name="amount" inputmode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" placeholder="0.00" /></label>`,
    ok: t('leads.convert'),
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const error = form.querySelector('[data-error]');
    const body = {};
    const customer = form.elements.customer.value;
    if (customer) body.customer_id = customer;
    const name = form.elements.opportunity_name.value.trim();
    if (name) body.opportunity_name = name;
    const amount = form.elements.amount.value.trim();
    if (amount) body.amount = amount;
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    submit.textContent = t('leads.converting');
    const res = await api(`/leads/${lead.id}/convert`, {
      method: 'POST',
      body,
      headers: { 'If-Match': `"${lead.version}"` },
    });
    submit.disabled = false;
    submit.textContent = t('leads.convert');
    if (!res.ok) {
      const fields = res.data?.errors?.json;
      error.textContent = res.offline
        ? t('leads.need_network')
        : fields
          ? Object.values(fields).flat().join(' ')
          : res.data?.message || t('common.error');
      return;
    }
    closeSheet();
    toast(t('leads.done_convert'));
    go(`/deals/${res.data.opportunity.id}`);
  });
}

export async function show(page, id) {
  id = id.toLowerCase();
  page.addEventListener('click', async (e) => {
    if (!shown?.data) return;
    if (e.target.closest('[data-claim]')) {
      const lead = await claim(shown.data.id);
      if (lead) {
        shown = { ...shown, data: lead };
        paint(page);
      }
    } else if (e.target.closest('[data-release]')) {
      if (!state.online) return toast(t('leads.need_network'), { alert: true });
      const res = await api(`/leads/${shown.data.id}/release`, { method: 'POST' });
      if (res.ok) {
        toast(t('leads.released'));
        shown = { ...shown, data: res.data };
        paint(page);
      } else {
        toast(res.data?.message || t('common.error'), { alert: true });
      }
    } else if (e.target.closest('[data-assign]')) {
      openAssign(page, shown.data);
    } else if (e.target.closest('[data-log-lead]')) {
      openLeadLog(page, shown.data);
    } else if (e.target.closest('[data-convert]')) {
      openConvert(page, shown.data);
    }
  });
  if (shown?.id !== id) {
    shown = { id, res: null, data: null };
    mount(page, html`<div class="skeleton tall"></div><div class="skeleton"></div>`);
  } else {
    paint(page);
  }
  const res = await api(`/leads/${id}`);
  if (res.status === 401 || !page.isConnected || shown.id !== id) return;
  const queued = res.ok ? null : queuedLeads(state.queued, state.me).find((l) => l.id === id);
  shown = res.ok ? { id, res, data: res.data } : { ...shown, res, data: queued || null };
  paint(page);
}
