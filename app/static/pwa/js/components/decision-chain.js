// The customer's contacts drawn as their decision chain: who reports to whom, each
// with role, when the rep last had contact with them, one-tap call and email, and a
// tap on the name to edit.

import { html } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t, label } from '../lib/i18n.js';
import { buildChain } from '../lib/chain.js';
import { daysBetween, relativeDays } from '../lib/time.js';
import { telLink, mailtoLink } from '../lib/place.js';
import { ICON } from './icons.js';

/** What the call-then-log note keeps of a tap on Call or Email (data-away). */
export function awayInfo(c, contact) {
  return JSON.stringify({
    customer_id: c.id,
    customer_name: c.name,
    contact_id: contact?.id || null,
    contact_name: contact?.name || null,
    completes_id: null,
  });
}

/** "last contact 3 days ago", or nothing when the contact does not say. */
export function lastContact(at, now = new Date()) {
  if (!at || Number.isNaN(Date.parse(at))) return '';
  const days = Math.min(0, daysBetween(now, new Date(at), zone()));
  return t('chain.last_contact', { when: relativeDays(days, state.locale) });
}

function person(c, ct) {
  const mobile = telLink(ct.mobile_e164 || ct.mobile);
  const phone = telLink(ct.phone_e164 || ct.phone);
  const mail = mailtoLink(ct.email);
  const away = awayInfo(c, ct);
  const last = lastContact(ct.last_activity_at);
  return html`<div class="contact">
    <button class="contact-main" type="button" data-edit-contact="${ct.id}" aria-label="${t('contact.edit_name', { name: ct.name })}">
      <strong>${ct.name}</strong>
      ${ct.title && html`<span class="meta">${ct.title}</span>`}
      <span class="chain-facts">
        ${ct.role && html`<span class="badge role role-${ct.role}">${label('role', ct.role)}</span>`}
        ${last && html`<span class="meta last-contact">${last}</span>`}
        ${ct._queued && html`<span class="meta queued-text">${t(ct._queued === 'failed' ? 'queue.failed_short' : 'queue.waiting_short')}</span>`}
      </span>
    </button>
    <div class="contact-acts">
      ${mobile && html`<a class="icon-act" href="${mobile}" data-away="${away}" aria-label="${t('customer.call_mobile', { name: ct.name })}">${ICON.call}<span>${t('customer.mobile')}</span></a>`}
      ${phone && phone !== mobile && html`<a class="icon-act" href="${phone}" data-away="${away}" aria-label="${t('customer.call_phone', { name: ct.name })}">${ICON.call}<span>${t('customer.phone')}</span></a>`}
      ${mail && html`<a class="icon-act" href="${mail}" data-away="${away}" aria-label="${t('customer.email_to', { name: ct.name })}">${ICON.email}<span>${t('act.email')}</span></a>`}
    </div>
  </div>`;
}

function branch(c, node) {
  return html`<li class="chain-node${node.contact._queued ? ' queued' : ''}" data-contact="${node.contact.id}">
    ${person(c, node.contact)}
    ${node.children.length > 0 && html`<ul class="chain-children">${node.children.map((n) => branch(c, n))}</ul>`}
  </li>`;
}

/** The section: title, count, Add, and the tree (or "no contacts yet"). */
export function decisionChain(c) {
  const contacts = c.contacts || [];
  return html`<section class="chain-section">
    <div class="section-head">
      <h2>${t('chain.title')} <span class="count">${contacts.length}</span></h2>
      <button class="btn btn-small" type="button" data-add-contact>${ICON.add}<span>${t('contact.add_short')}</span></button>
    </div>
    ${contacts.length
      ? html`<ul class="chain card">${buildChain(contacts).map((n) => branch(c, n))}</ul>`
      : html`<p class="empty">${t('customer.no_contacts')}</p>`}
  </section>`;
}

/**
 * A deal's reach into the decision chain: the roles its customer's contacts have had
 * contact since the deal began (`roles.touched`), and the ones nobody has reached yet
 * (`roles.missing`), said in words and marks, not only in colour.
 */
export function dealRoles(roles) {
  if (!roles || (!roles.touched?.length && !roles.missing?.length)) return '';
  const item = (code, touched) => html`<li class="${touched ? 'touched' : 'missing'}">
    <span class="mark" aria-hidden="true">${touched ? '✓' : '–'}</span>
    <span>${label('role', code)}</span><span class="sub">${t(touched ? 'chain.touched' : 'chain.missing')}</span></li>`;
  return html`<section class="deal-roles">
    <h2>${t('chain.deal_roles')}</h2>
    <ul class="card role-list">${roles.touched.map((r) => item(r, true))}${roles.missing.map((r) => item(r, false))}</ul>
    ${roles.missing.length ? html`<p class="hint">${t('chain.missing_hint', { n: roles.missing.length })}</p>` : ''}
  </section>`;
}
