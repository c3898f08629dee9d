import test from 'node:test';
import assert from 'node:assert/strict';
import { html, escapeHTML, mount, SafeHTML } from '../../app/static/pwa/js/lib/html.js';

test('escapes every interpolated value', () => {
  const name = `<img src=x onerror="alert('x')">&\``;
  assert.equal(
    html`<p>${name}</p>`.toString(),
    '<p>&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;&#96;</p>',
  );
});

test('a value cannot break out of a quoted attribute', () => {
  const evil = '" autofocus onfocus="alert(1)';
  const out = html`<input value="${evil}">`.toString();
  assert.equal(out, '<input value="&quot; autofocus onfocus=&quot;alert(1)">');
});

test('nested templates are not escaped twice', () => {
  const inner = html`<b>${'a&b'}</b>`;
  assert.equal(html`<p>${inner}</p>`.toString(), '<p><b>a&amp;b</b></p>');
});

test('arrays are joined, each item escaped or kept safe', () => {
  const items = ['<x>', html`<i>ok</i>`, ['deep', '&']];
  assert.equal(html`<ul>${items}</ul>`.toString(), '<ul>&lt;x&gt;<i>ok</i>deep&amp;</ul>');
});

test('null, undefined and false render nothing; 0 and true render as text', () => {
  assert.equal(html`${null}${undefined}${false}|${0}|${true}`.toString(), '|0|true');
});

test('objects are stringified and escaped, never trusted', () => {
  const sneaky = { toString: () => '<script>' };
  assert.equal(html`${sneaky}`.toString(), '&lt;script&gt;');
  assert.equal(escapeHTML(42), '42');
});

test('the result is a SafeHTML value', () => {
  assert.ok(html`x` instanceof SafeHTML);
});

test('mount only accepts html`` results', () => {
  const el = { innerHTML: '' };
  mount(el, html`<p>${'<b>'}</p>`);
  assert.equal(el.innerHTML, '<p>&lt;b&gt;</p>');
  assert.throws(() => mount(el, '<b>raw</b>'), TypeError);
});
