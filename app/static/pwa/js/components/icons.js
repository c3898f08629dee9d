// Every line icon the app draws (24x24, stroked by the CSS), by name.

import { html } from '../lib/html.js';

const svg = (paths) => html`<svg viewBox="0 0 24 24" aria-hidden="true">${paths}</svg>`;

export const ICON = {
  // kinds of activity and follow-up, and the one-tap actions on a card
  call: svg(html`<path d="M5 3.5h3.2l1.6 4.3-2.2 1.4a11 11 0 0 0 5.2 5.2l1.4-2.2 4.3 1.6V17a3 3 0 0 1-3 3A15.5 15.5 0 0 1 2 6.5a3 3 0 0 1 3-3Z"/>`),
  email: svg(html`<path d="M3.5 5.5h17v13h-17zM3.5 6l8.5 7 8.5-7"/>`),
  visit: svg(html`<path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21Z"/><circle cx="12" cy="9.5" r="2.5"/>`),
  meeting: svg(html`<circle cx="8" cy="8" r="3"/><circle cx="16.5" cy="9" r="2.5"/><path d="M2.5 19.5a5.5 5.5 0 0 1 11 0M14 19.5a4 4 0 0 1 7.5-1.5"/>`),
  note: svg(html`<path d="M5 3.5h10l4 4v13H5zM14.5 3.5v4.5H19M8 12h8M8 16h6"/>`),
  task: svg(html`<rect x="4" y="4" width="16" height="16" rx="3"/><path d="m8 12 3 3 5-6"/>`),
  navigate: svg(html`<path d="M3 11 21 3l-8 18-2-8-8-2Z"/>`),
  done: svg(html`<path d="m4.5 12.5 5 5 10-11"/>`),
  later: svg(html`<circle cx="12" cy="12" r="8.5"/><path d="M12 7v5l3.5 2"/>`),
  log: svg(html`<path d="M4 20h4L19 9l-4-4L4 16v4ZM13.5 6.5l4 4"/>`),
  // the frame: tab bar, the Log button, back, close, add
  today: svg(html`<path d="M7 2v3M17 2v3M3.5 9h17M5 4.5h14a1.5 1.5 0 0 1 1.5 1.5v13A1.5 1.5 0 0 1 19 20.5H5A1.5 1.5 0 0 1 3.5 19V6A1.5 1.5 0 0 1 5 4.5Z"/><path d="m8.5 14.5 2.2 2.2 4.8-4.8"/>`),
  customers: svg(html`<path d="M4 20.5V8.5l5-3 5 3v12M14 20.5v-9h6v9M2.5 20.5h19M7 11h4M7 14.5h4"/>`),
  leads: svg(html`<path d="M3.5 4.5h17l-6.5 8v6l-4 2v-8l-6.5-8Z"/>`),
  deals: svg(html`<path d="M4 19.5V13M9.3 19.5V9M14.6 19.5v-5M20 19.5V5M2.5 19.5h19"/>`),
  team: svg(html`<circle cx="9" cy="8" r="3.2"/><circle cx="17" cy="9.5" r="2.5"/><path d="M3 19.5a6 6 0 0 1 12 0M15 14.6a4.5 4.5 0 0 1 6.5 4.9"/>`),
  settings: svg(html`<circle cx="12" cy="12" r="3"/><path d="M12 2.5v3M12 18.5v3M21.5 12h-3M5.5 12h-3M18.7 5.3l-2.1 2.1M7.4 16.6l-2.1 2.1M18.7 18.7l-2.1-2.1M7.4 7.4 5.3 5.3"/>`),
  add: svg(html`<path d="M12 5v14M5 12h14"/>`),
  edit: svg(html`<path d="M4 20h4L19 9l-4-4L4 16v4Z"/>`),
  pin: svg(html`<path d="M12 21s-7-6.2-7-11.5a7 7 0 0 1 14 0C19 14.8 12 21 12 21Z"/><circle cx="12" cy="9.5" r="2.5"/><path d="M12 2v2M12 15v2"/>`),
  back: svg(html`<path d="M15 5l-7 7 7 7"/>`),
  close: svg(html`<path d="M6 6l12 12M18 6 6 18"/>`),
  lock: svg(html`<rect x="5" y="10.5" width="14" height="10" rx="2"/><path d="M8 10.5V7.5a4 4 0 0 1 8 0v3"/>`),
  target: svg(html`<circle cx="12" cy="12" r="8.5"/><circle cx="12" cy="12" r="4.5"/><circle cx="12" cy="12" r="0.8"/>`),
  retry: svg(html`<path d="M20 11a8 8 0 1 0-2.3 5.7M20 4v7h-7"/>`),
};
