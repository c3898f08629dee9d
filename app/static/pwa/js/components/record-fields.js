// The editable fields of a customer and of a contact, as lists: the edit sheets draw
// and read their forms from these, and the conflict view and Pending changes name and
// show values with them. A new field is one more entry here (and its words).

import { html } from '../lib/html.js';
import { t, label } from '../lib/i18n.js';
import { parseTags } from '../lib/record-edit.js';

export const CUSTOMER_STATUSES = ['prospect', 'active', 'inactive'];
export const CONTACT_ROLES = ['decision_maker', 'influencer', 'champion', 'user', 'gatekeeper', 'other'];

/**
 * kind: 'text' (default), 'tel', 'email', 'number' (`min`, `max`; blank is null),
 * 'choice' (chips; `choices`, words in `words.<code>`), 'select' (a drop-down; its
 * options come with the form), 'tags'. `hintParams(record)`: the hint's parameters.
 */
export const CUSTOMER_FIELDS = [
  { name: 'name', label: 'new.name', required: true, max: 200, autocomplete: 'organization' },
  { name: 'phone', label: 'new.phone', kind: 'tel', max: 40 },
  { name: 'email', label: 'new.email', kind: 'email', max: 254 },
  { name: 'address', label: 'new.address', max: 300, autocomplete: 'street-address' },
  { name: 'city', label: 'new.city', max: 100, autocomplete: 'address-level2' },
  { name: 'industry', label: 'edit.industry', max: 100 },
  { name: 'status', label: 'edit.status', kind: 'choice', choices: CUSTOMER_STATUSES, words: 'customer_status' },
  { name: 'tags', label: 'edit.tags', kind: 'tags', hint: 'edit.tags_hint' },
  { name: 'visit_interval_days', label: 'edit.visit_interval', kind: 'number', min: 1, max: 365,
    hint: 'edit.visit_interval_hint', hintParams: (c) => ({ n: c.effective_visit_interval_days ?? '–' }) },
];

export const CONTACT_FIELDS = [
  { name: 'name', label: 'contact.name', required: true, max: 200, autocomplete: 'name' },
  { name: 'title', label: 'contact.title', max: 120, autocomplete: 'organization-title' },
  { name: 'role', label: 'contact.role', kind: 'choice', choices: CONTACT_ROLES, words: 'role', blank: true },
  { name: 'reports_to_id', label: 'contact.reports_to', kind: 'select' },
  { name: 'mobile', label: 'customer.mobile', kind: 'tel', max: 40 },
  { name: 'phone', label: 'customer.phone', kind: 'tel', max: 40 },
  { name: 'email', label: 'new.email', kind: 'email', max: 254 },
];

// Fields a change can carry that are not typed in a form: the pin.
const OTHER_LABELS = { lat: 'pin.lat', lng: 'pin.lng', location_accuracy: 'pin.accuracy' };

/** The rep's word for a field of a customer or contact change. */
export function fieldLabel(name) {
  const spec = [...CUSTOMER_FIELDS, ...CONTACT_FIELDS].find((f) => f.name === name);
  const key = spec?.label || OTHER_LABELS[name];
  return key ? t(key) : name;
}

/** A value as the rep reads it; `names` maps contact ids to names (a manager). */
export function fieldText(name, value, { names = {} } = {}) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && !value.length)) return t('edit.empty');
  if (Array.isArray(value)) return value.join(', ');
  if (name === 'status') return label('customer_status', value);
  if (name === 'role') return label('role', value);
  if (name === 'reports_to_id') return names[value] || t('contact.someone');
  if (name === 'location_accuracy') return t('pin.within', { m: Math.round(value) });
  if (typeof value === 'number') return String(Math.round(value * 1e5) / 1e5);
  return String(value);
}

function input(spec, value, options) {
  const v = value ?? '';
  switch (spec.kind) {
    case 'tel':
      return html`<input name="${spec.name}" type="tel" inputmode="tel" autocomplete="tel" maxlength="${spec.max}" value="${v}" />`;
    case 'email':
      return html`<input name="${spec.name}" type="email" inputmode="email" autocomplete="email" maxlength="${spec.max}" value="${v}" />`;
    case 'number':
      return html`<input name="${spec.name}" type="number" inputmode="numeric" min="${spec.min}" max="${spec.max}" step="1" value="${v}" />`;
    case 'tags':
      return html`<input name="${spec.name}" value="${(value || []).join(', ')}" autocapitalize="off" />`;
    case 'select':
      return html`<select name="${spec.name}">
        <option value="">${t('contact.nobody')}</option>
        ${(options || []).map((o) => html`<option value="${o.value}" ${o.value === value ? html`selected` : ''}>${o.text}</option>`)}
      </select>`;
    default:
      return html`<input name="${spec.name}" maxlength="${spec.max}" value="${v}" ${spec.required ? html`required` : ''} ${spec.autocomplete ? html`autocomplete="${spec.autocomplete}"` : ''} />`;
  }
}

/** The form's fields for `record` (blank for a new one); `options[name]` for selects. */
export function fieldInputs(specs, record = {}, options = {}) {
  return specs.map((spec) => {
    if (spec.kind === 'choice') {
      return html`<fieldset class="group" data-field="${spec.name}"><legend>${t(spec.label)}</legend>
        <div class="chips small">
          ${spec.blank && html`<label class="chip"><input type="radio" name="${spec.name}" value="" ${record[spec.name] ? '' : html`checked`} /><span>${t('edit.none')}</span></label>`}
          ${spec.choices.map((c) => html`<label class="chip"><input type="radio" name="${spec.name}" value="${c}" ${record[spec.name] === c ? html`checked` : ''} /><span>${label(spec.words, c)}</span></label>`)}
        </div></fieldset>`;
    }
    // No one to pick: no drop-down, unless it must offer to clear a manager who left
    // (the server refuses any change to a contact that reports to a removed one).
    if (spec.kind === 'select' && !options[spec.name]?.length && !record[spec.name]) return '';
    return html`<label class="field"><span>${t(spec.label)}${spec.required ? ' *' : ''}</span>
      ${input(spec, record[spec.name], options[spec.name])}
      ${spec.hint && html`<span class="hint">${t(spec.hint, spec.hintParams?.(record))}</span>`}</label>`;
  });
}

/** What the form holds, by field name (only the fields it shows). */
export function readFields(form, specs) {
  const out = {};
  for (const spec of specs) {
    const el = form.elements[spec.name];
    if (!el) continue;
    if (spec.kind === 'choice') out[spec.name] = el.value || null;
    else if (spec.kind === 'tags') out[spec.name] = parseTags(el.value);
    else if (spec.kind === 'select') out[spec.name] = el.value || null;
    else if (spec.kind === 'number') out[spec.name] = el.value.trim() === '' ? null : Number(el.value);
    else out[spec.name] = el.value.trim();
  }
  return out;
}
