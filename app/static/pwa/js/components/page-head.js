// Pieces of a screen's head: the back link, the "offline, as of 10:32" note, and the
// page of a record that could not be shown.

import { html, mount } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { ICON } from './icons.js';

/** The "<" in a screen's header, back to ``href``. */
export function backLink(href) {
  return html`<a class="back" href="${href}" aria-label="${t('common.back')}"
    >${ICON.back}</a>`;
}

/** "Offline, as of 10:32" note for data the service worker served from its cache. */
export function staleNote(res) {
  if (!res.cachedAt) return html``;
  const time = new Intl.DateTimeFormat(state.locale, {
    timeZone: zone(),
    hour: 'numeric',
    minute: '2-digit',
  }).format(res.cachedAt);
  return html`<p class="stale" role="status">${t('status.offline_as_of', { time })}</p>`;
}

/**
 * The page of a record that could not be shown: not found (or not yours), not
 * seen before while offline, or another error; with a way back.
 */
export function mountMissing(page, res, { back, title, notFound }) {
  const why = res?.status === 404 ? notFound : res?.offline ? 'common.offline_nothing' : 'common.error';
  mount(
    page,
    html`<header class="page-head row">${backLink(back)}<h1>${title}</h1></header>
      <div class="empty-state"><p>${t(why)}</p></div>`,
  );
}
