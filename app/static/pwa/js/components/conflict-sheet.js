// A change the server refused with 412 (someone changed the record since the rep saw
// it): the rep's value and the server's side by side, only for the fields that differ;
// the rep keeps theirs or takes the server's, field by field, and the change goes again
// with If-Match of the server's current version. Until then it stays in the outbox
// (Pending changes), so nothing typed is lost.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { api } from '../lib/api.js';
import { outbox, flush } from '../lib/sync.js';
import { toast, closeSheet } from '../lib/sheets.js';
import { formatDateTime } from '../lib/time.js';
import { conflictFields, resolvedBody, versionTag } from '../lib/record-edit.js';
import { openFormSheet } from './form-sheet.js';
import { fieldLabel, fieldText } from './record-fields.js';

const RECORD_URL = /^\/api\/v1\/(customers|contacts)\/([0-9a-f-]{36})$/i;

/** Whether the conflict view can resolve this outbox item. */
export function resolvable(item) {
  return item?.status === 'failed' && item.error?.status === 412 && RECORD_URL.test(item.url || '');
}

function versionsRow(row, names) {
  const name = `pick_${row.field}`;
  const side = (value, which, caption) => html`<label class="version-pick">
      <input type="radio" name="${name}" value="${which}" ${which === 'mine' ? html`checked` : ''} />
      <span><small>${caption}</small><strong>${fieldText(row.field, value, { names })}</strong></span>
    </label>`;
  return html`<fieldset class="conflict-field" data-field="${row.field}">
    <legend>${fieldLabel(row.field)}</legend>
    <div class="versions">${side(row.mine, 'mine', t('conflict.yours'))}${side(row.theirs, 'theirs', t('conflict.theirs'))}</div>
  </fieldset>`;
}

/**
 * Open the view for the outbox item `key`. onDone() once the rep chose (the change
 * went again, or was dropped because the server already has everything).
 */
export async function openConflict(key, { onDone } = {}) {
  const item = await outbox.store.get(key);
  const m = RECORD_URL.exec(item?.url || '');
  if (!item || !m) return;
  const res = await api(`/${m[1]}/${m[2]}`);
  // A copy the service worker kept is not the server's current version: no comparing with it.
  if (!res.ok || res.offline) {
    toast(res.status === 404 ? t('pending.gone') : res.offline ? t('conflict.offline') : t('common.error'), { alert: true });
    return;
  }
  const theirs = res.data;
  const names = { ...(item.meta?.names || {}), ...Object.fromEntries((theirs.contacts || []).map((c) => [c.id, c.name])) };
  const removing = item.method === 'DELETE';
  // Removing: what changed since the rep saw it. Editing: where their change and the server differ.
  const rows = removing
    ? conflictFields(item.meta?.seen || {}, theirs, { ignore: ['id', 'version', 'created_at', 'updated_at', 'customer_id', 'phone_e164', 'mobile_e164', 'last_activity_at'] })
    : conflictFields(item.body, theirs, { ignore: ['location_accuracy'] });
  const who = item.meta?.contact || theirs.name;
  const when = theirs.updated_at ? formatDateTime(new Date(theirs.updated_at), state.locale, zone()) : '';
  const { form } = openFormSheet({
    title: t('conflict.title'),
    className: 'conflict-sheet',
    closeable: true,
    cancel: t('conflict.later'),
    ok: removing ? t('conflict.remove_anyway') : t('conflict.send'),
    danger: removing,
    fields: html`<p class="sub">${t(removing ? 'conflict.explain_remove' : 'conflict.explain', { name: who })}${when && html` <span class="meta">${t('conflict.changed_at', { when })}</span>`}</p>
      ${rows.length
        ? html`${!removing && rows.length > 1 && html`<div class="all-picks">
              <button class="btn btn-small" type="button" data-all="mine">${t('conflict.all_mine')}</button>
              <button class="btn btn-small" type="button" data-all="theirs">${t('conflict.all_theirs')}</button></div>`}
            ${removing
              ? html`<dl class="facts card">${rows.map((r) => html`<div><dt>${fieldLabel(r.field)}</dt><dd><s>${fieldText(r.field, r.mine, { names })}</s> → ${fieldText(r.field, r.theirs, { names })}</dd></div>`)}</dl>`
              : rows.map((r) => versionsRow(r, names))}`
        : html`<p class="hint">${t('conflict.no_clash')}</p>`}
      ${removing && html`<button class="btn btn-block" type="button" data-keep>${t('conflict.keep_contact')}</button>`}`,
  });
  form.addEventListener('click', (e) => {
    const all = e.target.closest('[data-all]');
    if (all) for (const r of form.querySelectorAll(`input[value="${all.dataset.all}"]`)) r.checked = true;
  });
  form.querySelector('[data-keep]')?.addEventListener('click', async () => {
    await outbox.discard(key);
    closeSheet();
    toast(t('conflict.kept_contact'));
    flush();
    onDone?.();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const choices = Object.fromEntries(rows.map((r) => [r.field, form.elements[`pick_${r.field}`]?.value || 'mine']));
    if ('lat' in choices) choices.location_accuracy = choices.lat; // a pin's accuracy goes with its position
    const body = removing ? null : resolvedBody(item.body, theirs, choices);
    if (!removing && !Object.keys(body).length) {
      await outbox.discard(key);
      toast(t('conflict.took_theirs'));
    } else {
      await outbox.retry(key, { body: removing ? undefined : body, ifMatch: versionTag(theirs.version) });
    }
    closeSheet();
    await flush();
    onDone?.();
  });
}
