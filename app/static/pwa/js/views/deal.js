// One deal: amount and probability, move stage, the lines editor, win (shows
// the new order), lose (reason sheet) and reopen.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { toast, setTitle, closeSheet, confirmSheet, refusal } from '../lib/sheets.js';
import { staleNote, backLink, mountMissing } from '../components/page-head.js';
import { go } from '../lib/router.js';
import { openFormSheet } from '../components/form-sheet.js';
import { send } from '../lib/sync.js';
import { formatMoney, isAmount } from '../lib/money.js';
import { queuedDeals } from '../lib/queued.js';
import { dealRoles } from '../components/decision-chain.js';

export const live = false;

let shown = null; // {id, res, data, stages, products, order, draft}


function lineRow(line, i, products, editable) {
  return html`<li class="line card pad" data-line="${i}">
    <label class="field"><span>${t('deals.product')}</span>
      <select name="product_id" ${editable ? '' : html`disabled`}>
        <option value="">${t('deals.no_product')}</option>
        ${products.map((p) => html`<option value="${p.id}" ${p.id === line.product_id ? html`selected` : ''}>${p.name}</option>`)}
      </select></label>
    <label class="field"><span>${t('deals.description')}</span>
      <input name="description" maxlength="200" value="${line.description || ''}" ${editable ? '' : html`disabled`} /></label>
    <div class="line-nums">
      <label class="field"><span>${t('deals.qty')}</span>
        <input name="quantity" inputmode="decimal" value="${line.quantity || ''}" ${editable ? '' : html`disabled`} /></label>
      <label class="field"><span>${t('deals.unit_price')}</span>
        <input name="unit_price" inputmode="decimal" placeholder="${t('deals.auto_price')}"
          value="${line.price_overridden === false ? '' : line.unit_price || ''}" ${editable ? '' : html`disabled`} /></label>
      <label class="field"><span>${t('deals.discount')}</span>
        <input name="discount_pct" inputmode="decimal" value="${line.discount_pct && line.discount_pct !== '0.00' ? line.discount_pct : ''}" ${editable ? '' : html`disabled`} /></label>
    </div>
    <p class="line-foot">
      ${line.line_total ? html`<span>${t('deals.line_total')}: <strong>${formatMoney(line.line_total, shown.data.currency, state.locale)}</strong>${line.price_overridden === false ? html` <span class="meta">(${formatMoney(line.unit_price, shown.data.currency, state.locale)} · ${t('deals.price_from_tiers')})</span>` : ''}</span>` : html`<span></span>`}
      ${editable && html`<button class="link" type="button" data-remove="${i}">${t('deals.remove_line')}</button>`}
    </p>
  </li>`;
}

function paint(page) {
  const { res, data: d } = shown;
  if (!d) return mountMissing(page, res, { back: '/deals', title: t('deals.title'), notFound: 'deals.not_found' });
  if (d._queued) return paintQueued(page, d);
  setTitle(d.name);
  const open = d.status === 'open';
  const stages = (shown.stages || []).filter((s) => s.kind === 'open' && s.active !== false);
  const canReopen = d.status === 'lost' && ['lead', 'manager', 'admin'].includes(state.me.role);
  mount(
    page,
    html`<header class="page-head row">${backLink(`/deals${open ? '' : `?status=${d.status}`}`)}
        <div class="head-text">
          <h1>${d.name}</h1>
          <p class="sub"><a href="/customers/${d.customer_id}">${d.customer_name}</a>${d.owner_id !== state.me.id ? html` · ${d.owner_name}` : ''}</p>
        </div>
      </header>
      ${staleNote(res || {})}
      ${queuedNote()}
      <div class="deal-head card pad">
        <div><span class="meta">${t('deals.amount')}</span><strong class="big-num">${formatMoney(d.amount, d.currency, state.locale)}</strong></div>
        <div><span class="meta">${d.stage_name}</span><strong class="big-num">${t('deals.probability', { n: d.probability })}</strong></div>
      </div>
      ${open && dealRoles(d.roles)}
      ${d.status === 'lost' && html`<p class="warn">${t('deals.lost_because', { reason: d.lost_reason })}${d.lost_note ? html` — ${d.lost_note}` : ''}</p>`}
      ${shown.order && html`<a class="btn btn-primary btn-block" href="/orders/${shown.order.id}">${t('deals.view_order', { number: shown.order.number })}</a>`}
      ${open && html`<section>
        <h2>${t('deals.move_stage')}</h2>
        <div class="chips small stage-chips">
          ${stages.map((s) => html`<button class="chip-btn ${s.id === d.stage_id ? 'on' : ''}" type="button" data-stage="${s.id}" ${s.id === d.stage_id ? html`aria-pressed="true"` : html`aria-pressed="false"`}>${s.name} · ${s.probability}%</button>`)}
        </div>
      </section>`}
      <section>
        <h2>${t('deals.lines')} <span class="count">${shown.draft.length}</span></h2>
        ${shown.draft.length ? '' : html`<p class="empty">${t('deals.no_lines')}</p>`}
        <ul class="cards" data-lines>${shown.draft.map((line, i) => lineRow(line, i, shown.products || [], open))}</ul>
        ${open && html`<div class="row-buttons">
          <button class="btn" type="button" data-add>${t('deals.add_line')}</button>
          <button class="btn btn-primary" type="button" data-save>${t('deals.save_lines')}</button>
        </div>`}
        <p class="form-error" data-error role="alert"></p>
      </section>
      ${open && html`<section class="deal-close">
        <button class="btn btn-danger" type="button" data-lose>${t('deals.lose')}</button>
        <button class="btn btn-primary" type="button" data-win>${t('deals.win')}</button>
      </section>`}
      ${!open && html`<p class="hint">${t('deals.closed_note')}</p>`}
      ${canReopen && html`<button class="btn btn-block" type="button" data-reopen>${t('deals.reopen')}</button>`}`,
  );
}

/** The draft lines as typed (kept across repaints). */
function readDraft(page) {
  return [...page.querySelectorAll('[data-line]')].map((li) => {
    const v = (n) => li.querySelector(`[name=${n}]`).value.trim();
    const i = Number(li.dataset.line);
    return { ...shown.draft[i], product_id: v('product_id') || null, description: v('description'), quantity: v('quantity'),
      unit_price: v('unit_price'), discount_pct: v('discount_pct'), price_overridden: v('unit_price') ? true : false,
      line_total: null };
  });
}

/**
 * Send a change to this deal through the outbox, so that nothing is lost offline.
 * Resolves the deal as the server now has it, 'queued' (offline: it goes later)
 * or null (refused: the toast says why and the screen keeps what was typed).
 * Only the first change waiting for this deal carries If-Match; the ones queued
 * behind it are the same rep's next steps and wait for it (the outbox holds them
 * if it is refused).
 */
async function write(path, { method = 'POST', body = null, action, detail = null } = {}) {
  const d = shown.data;
  const behind = state.queued.some((i) => (i.targets || []).includes(d.id));
  shown.busy = true; // one change at a time: a second tap waits for the first
  let result;
  try {
    result = await send({
      method,
      url: `/api/v1${path}`,
      body,
      headers: behind ? {} : { 'If-Match': `"${d.version}"` },
      meta: { type: 'deal', action, title: d.name, detail },
    }, { alive: () => shown?.id === d.id && shown.page?.isConnected });
  } finally {
    shown.busy = false;
  }
  if (result.state === 'refused') {
    toast(refusal(result.error), { alert: true });
    return null;
  }
  if (result.state === 'queued') {
    toast(t('toast.saved_offline'));
    return 'queued';
  }
  if (result.data?.id) return result.data;
  const res = await api(`/opportunities/${d.id}`);
  return res.ok ? res.data : null;
}

/** Changes to this deal still waiting in the outbox. */
function waiting() {
  return state.queued.filter((i) => (i.targets || []).includes(shown?.id));
}

function queuedNote() {
  const items = waiting();
  if (!items.length) return '';
  const failed = items.some((i) => i.status === 'failed');
  return html`<p class="queued-note">${failed ? html`<a href="/pending">${t('queue.failed_note')}</a>` : t('queue.waiting_note')}</p>`;
}

/** The outbox moved: once nothing waits for this deal any more, show it as the server has it. */
export async function onQueue(page) {
  // While a change is being sent from this screen, write() deals with its answer.
  if (!shown?.data || shown.busy) return;
  const now = waiting().length;
  const before = shown.waiting || 0;
  shown.waiting = now;
  if (now === before && !now) return;
  const editing = shown.data.status === 'open' && !shown.data._queued && page.querySelector('[data-lines]');
  if (now) {
    if (editing) shown.draft = readDraft(page);
    paint(page);
    return;
  }
  const id = shown.id;
  const res = await api(`/opportunities/${id}`);
  if (!res.ok || !page.isConnected || shown.id !== id) return;
  // Lines being typed and not saved yet stay as typed.
  const draft = editing && shown.dirty ? readDraft(page) : null;
  shown.res = res;
  setData(res.data);
  if (draft) shown.draft = draft;
  paint(page);
}

/** A deal made on this phone and not sent yet: what was typed, and that it waits. */
function paintQueued(page, d) {
  setTitle(d.name);
  mount(
    page,
    html`<header class="page-head row">${backLink(`/customers/${d.customer_id}`)}<div class="head-text"><h1>${d.name}</h1></div></header>
      ${queuedNote()}
      <div class="deal-head card pad">
        <div><span class="meta">${t('deals.amount')}</span><strong class="big-num">${d.amount ? formatMoney(d.amount, d.currency || 'CNY', state.locale) : '—'}</strong></div>
      </div>
      <p class="hint">${t('deals.queued_hint')}</p>`,
  );
}

function setData(data) {
  shown.data = data;
  shown.draft = (data.lines || []).map((l) => ({ ...l }));
  shown.dirty = false;
}

export async function show(page, id) {
  id = id.toLowerCase();
  page.addEventListener('input', (e) => {
    if (shown && e.target.closest('[data-lines]')) shown.dirty = true;
  });
  page.addEventListener('click', async (e) => {
    if (!shown?.data) return;
    const stage = e.target.closest('[data-stage]');
    if (stage && stage.dataset.stage !== shown.data.stage_id && !shown.busy) {
      const to = (shown.stages || []).find((s) => s.id === stage.dataset.stage);
      const data = await write(`/opportunities/${shown.data.id}`, { method: 'PATCH', body: { stage_id: stage.dataset.stage }, action: 'stage', detail: `${to.name} · ${to.probability}%` });
      if (data === 'queued') {
        // Shown as it will be; the server works out the rest when it gets it.
        const d = shown.data;
        shown.data = { ...d, stage_id: to.id, stage_name: to.name, probability: d.probability_override ?? to.probability };
        shown.draft = readDraft(page);
        paint(page);
      } else if (data) {
        setData(data);
        toast(t('deals.moved', { stage: data.stage_name }));
        paint(page);
      }
    } else if (e.target.closest('[data-add]')) {
      shown.draft = [...readDraft(page), { quantity: '1', price_overridden: false }];
      shown.dirty = true;
      paint(page);
      page.querySelector(`[data-line="${shown.draft.length - 1}"] select`)?.focus();
    } else if (e.target.closest('[data-remove]')) {
      const i = Number(e.target.closest('[data-remove]').dataset.remove);
      shown.draft = readDraft(page).filter((_, j) => j !== i);
      shown.dirty = true;
      paint(page);
    } else if (e.target.closest('[data-save]')) {
      const draft = readDraft(page);
      shown.draft = draft;
      const bad = draft.find((l) => !isAmount(l.quantity) || (l.unit_price && !isAmount(l.unit_price)) || (l.discount_pct && !isAmount(l.discount_pct)));
      if (bad) {
        paint(page);
        page.querySelector('[data-error]').textContent = t('deals.bad_number');
        return;
      }
      const lines = draft.map((l) => ({
        product_id: l.product_id,
        description: l.description || null,
        quantity: l.quantity,
        unit_price: l.unit_price || null,
        discount_pct: l.discount_pct || null,
      }));
      const data = await write(`/opportunities/${shown.data.id}`, { method: 'PATCH', body: { lines }, action: 'lines' });
      if (data === 'queued') {
        shown.dirty = false; // what is typed is what waits to be sent
        paint(page);
      } else if (data) {
        setData(data);
        toast(t('deals.saved'));
        paint(page);
      }
    } else if (e.target.closest('[data-win]')) {
      // Winning makes the order and its number: it needs the network, never queued.
      if (!state.online) return toast(t('leads.need_network'), { alert: true });
      if (waiting().length) return toast(t('deals.wait_for_changes'), { alert: true });
      const ok = await confirmSheet({ title: t('deals.win_confirm_title'), body: t('deals.win_confirm_body'), ok: t('deals.win') });
      if (!ok) return;
      const res = await api(`/opportunities/${shown.data.id}/win`, { method: 'POST', headers: { 'If-Match': `"${shown.data.version}"` } });
      const data = res.ok ? res.data : null;
      if (!res.ok) toast(res.offline ? t('leads.need_network') : refusal({ message: res.data?.message, fields: res.data?.errors?.json }), { alert: true });
      if (data) {
        setData(data.opportunity);
        shown.order = data.order;
        toast(t('deals.won_order', { number: data.order.number }));
        go(`/orders/${data.order.id}`);
      }
    } else if (e.target.closest('[data-lose]')) {
      openLose(page);
    } else if (e.target.closest('[data-reopen]')) {
      const data = await write(`/opportunities/${shown.data.id}/reopen`, { body: {}, action: 'reopen' });
      if (data === 'queued') {
        shown.data = { ...shown.data, status: 'open' };
        paint(page);
      } else if (data) {
        setData(data);
        toast(t('deals.reopened'));
        paint(page);
      }
    }
  });
  shown = { id, page, res: null, data: null, draft: [], order: null };
  mount(page, html`<div class="skeleton tall"></div><div class="skeleton"></div>`);
  const [res, stages, products] = await Promise.all([
    api(`/opportunities/${id}`),
    api('/stages?limit=200'),
    api('/products?limit=200'),
  ]);
  if (res.status === 401 || !page.isConnected || shown.id !== id) return;
  shown.res = res;
  shown.stages = stages.ok ? stages.data.items : [];
  shown.products = products.ok ? products.data.items : [];
  if (!res.ok) {
    shown.data = queuedDeals(state.queued).find((d) => d.id === id) || null;
  } else {
    setData(res.data);
    if (res.data.status === 'won') {
      const orders = await api(`/orders?opportunity_id=${id}&limit=1`);
      shown.order = orders.ok ? orders.data.items[0] || null : null;
    }
  }
  shown.waiting = waiting().length;
  paint(page);
}

async function openLose(page) {
  const settings = await api('/settings'); // the pick list; from the cache when offline
  if (!settings.ok) return toast(t(settings.offline ? 'leads.need_network' : 'common.error'), { alert: true });
  const reasons = settings.ok ? settings.data.lose_reasons || [] : [];
  const { form } = openFormSheet({
    title: t('deals.lose_title'),
    fields: html`<fieldset class="group"><legend>${t('deals.lose_reason')}</legend>
        <div class="chips small">${reasons.map((r) => html`<label class="chip"><input type="radio" name="reason" value="${r}" /><span>${r}</span></label>`)}</div>
      </fieldset>
      <label class="field"><span>${t('deals.lose_note')}</span><textarea name="note" rows="3" maxlength="2000"></textarea></label>`,
    ok: t('deals.lose_save'),
    danger: true,
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const reason = form.querySelector('[name=reason]:checked')?.value;
    if (!reason) {
      form.querySelector('[data-error]').textContent = t('deals.pick_reason');
      return;
    }
    const note = form.elements.note.value.trim();
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    const data = await write(`/opportunities/${shown.data.id}/lose`, { body: { reason, note: note || null }, action: 'lose' });
    submit.disabled = false;
    if (data === 'queued') {
      closeSheet();
      const lost = (shown.stages || []).find((s) => s.kind === 'lost');
      shown.data = { ...shown.data, status: 'lost', lost_reason: reason, lost_note: note || null,
        ...(lost ? { stage_id: lost.id, stage_name: lost.name, probability: 0 } : {}) };
      paint(page);
    } else if (data) {
      closeSheet();
      setData(data);
      toast(t('deals.lost_done'));
      paint(page);
    }
  });
}
