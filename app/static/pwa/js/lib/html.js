// The one way Fieldline builds HTML from data.
//
// html`<p>${value}</p>` escapes every interpolated value unless it is itself the
// result of html`...` (already safe), joins arrays, and drops null, undefined
// and false so that `${cond && html`...`}` reads naturally. The static parts of
// the template are trusted: they are our source code, never user input.
// Always quote attribute values: html`<a href="${url}">`.

export class SafeHTML {
  constructor(text) {
    this.text = text;
  }

  toString() {
    return this.text;
  }
}

const ENTITIES = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHTML(value) {
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}

function piece(value) {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHTML) return value.text;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHTML(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) {
    out += piece(values[i]) + strings[i + 1];
  }
  return new SafeHTML(out);
}

/** Put a template into an element; refuses anything that did not come from html``. */
export function mount(element, template) {
  if (!(template instanceof SafeHTML)) {
    throw new TypeError('mount() takes the result of html``');
  }
  element.innerHTML = template.text;
  return element;
}
