// One follow-up as a card with its one-tap actions (Call, Email, Navigate, Done,
// Reschedule, Log), on Today and on the customer's page.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { queue } from '../lib/sync.js';
import { toast } from '../lib/sheets.js';
import { daysBetween, formatTime, formatDue, isoWithOffset } from '../lib/time.js';
import { telLink, mailtoLink, mapsLink, phoneFor, emailFor, platformOf } from '../lib/place.js';
import { ICON } from './icons.js';
import { customerSnapshot } from './customer-snapshot.js';
// Static, not imported on the tap: a rep who signs in and drives into a tunnel before the
// service worker has precached everything must still be able to reschedule or log.
import { openReschedule } from './reschedule-sheet.js';
import { openLog } from './log-sheet.js';

function dueText(f, section) {
  const due = new Date(f.due_at);
  const now = new Date();
  const tz = zone();
  if (section === 'overdue') {
    const days = daysBetween(due, now, tz);
    return days >= 1 ? t('due.overdue_days', { n: days }) : t('due.overdue_since', { time: formatTime(due, state.locale, tz) });
  }
  if (section === 'today') return formatTime(due, state.locale, tz);
  return formatDue(due, now, state.locale, tz);
}

/** One follow-up as a card with its one-tap actions. */
export function followupCard(f, { section = 'upcoming', showCustomer = true } = {}) {
  const c = f.customer;
  const ct = f.contact;
  const tel = telLink(phoneFor(c, ct));
  const mail = mailtoLink(emailFor(c, ct));
  const map = c ? mapsLink({ ...c, label: c.name }, platformOf(globalThis.navigator?.userAgent)) : null;
  const away = JSON.stringify({
    customer_id: c?.id || f.customer_id,
    customer_name: c?.name || '',
    contact_id: ct?.id || null,
    contact_name: ct?.name || null,
    completes_id: f.id.startsWith('pending-') ? null : f.id,
  });
  const late = section === 'overdue' || (section === 'today' && new Date(f.due_at) < new Date());
  const action = f.action || 'task';
  return html`<li class="card fu${f._queued ? ' queued' : ''}" data-id="${f.id}">
    <div class="fu-head">
      <span class="kind-icon k-${action}">${ICON[action] || ICON.task}</span>
      <div class="fu-main">
        <p class="fu-what">
          <strong>${t(`action.${action}`)}</strong>
          <time class="due${late ? ' late' : ''}" datetime="${f.due_at}">${dueText(f, section)}</time>
        </p>
        ${showCustomer && c && html`<a class="fu-customer" href="/customers/${c.id}">${c.name}</a>`}
        ${(f.notes || ct) && html`<p class="fu-note">${[f.notes, ct?.name].filter(Boolean).join(' · ')}</p>`}
      </div>
    </div>
    ${f._queued && html`<p class="queued-note">${t(f._queued === 'failed' ? 'queue.failed_note' : 'queue.waiting_note')}</p>`}
    <div class="actions">
      ${tel && html`<a class="act" href="${tel}" data-away="${away}">${ICON.call}<span>${t('act.call')}</span></a>`}
      ${mail && html`<a class="act" href="${mail}" data-away="${away}">${ICON.email}<span>${t('act.email')}</span></a>`}
      ${map &&
      html`<a class="act" href="${map}" ${map.startsWith('https:') ? html`target="_blank" rel="noopener"` : ''}
        >${ICON.navigate}<span>${t('act.navigate')}</span></a
      >`}
      ${!f.id.startsWith('pending-') &&
      html`<button class="act" type="button" data-do="done">${ICON.done}<span>${t('act.done')}</span></button>
        <button class="act" type="button" data-do="later">${ICON.later}<span>${t('act.later')}</span></button>`}
      <button class="act act-log" type="button" data-do="log">${ICON.log}<span>${t('act.log')}</span></button>
    </div>
  </li>`;
}

/**
 * Wire the card buttons in `root`. `find(id)` returns the follow-up;
 * `repaint()` redraws at once from the queue (optimistic).
 */
export function bindFollowups(root, find, repaint) {
  root.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-do]');
    if (!button) return;
    const card = button.closest('[data-id]');
    const f = find(card.dataset.id);
    if (!f) return;
    const what = button.dataset.do;
    if (what === 'done') {
      card.classList.add('leaving');
      await queue({
        method: 'PATCH',
        url: `/api/v1/activities/${f.id}`,
        body: { done_at: isoWithOffset(new Date(), zone()) },
        headers: f.version ? { 'If-Match': `"${f.version}"` } : {},
        meta: { type: 'done', action: f.action, notes: f.notes, customer: customerSnapshot(f.customer) },
      });
      toast(t('toast.done'));
      repaint();
    } else if (what === 'later') {
      openReschedule(f, repaint);
    } else if (what === 'log') {
      openLog({
        customer: f.customer,
        contact: f.contact,
        completes: f.id.startsWith('pending-') ? null : f.id,
        kind: f.action,
        onSaved: repaint,
      });
    }
  });
}
