// Settings' "Customers on this phone": how big the offline book is, how current, and
// a button to sync it now.

import { html, mount } from '../lib/html.js';
import { state } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { relativeAgo } from '../lib/time.js';
import { toast } from '../lib/sheets.js';
import { bookSummary, syncBookNow } from '../lib/book-sync.js';

function asOfText(summary, now) {
  if (!summary.asOf) return t('book.never');
  const ago = relativeAgo(Date.parse(summary.asOf), now, state.locale);
  return ago ? t('book.as_of', { when: ago }) : t('book.just_now');
}

/** Draw the book's card into `section` (and again after a sync from its button). */
export async function showBook(section) {
  const summary = await bookSummary();
  if (!section.isConnected) return;
  const number = new Intl.NumberFormat(state.locale);
  mount(
    section,
    html`<h2>${t('book.title')}</h2>
      <div class="card facts book">
        <div><dt>${t('book.customers')}</dt><dd data-book-count>${number.format(summary.count)}</dd></div>
        <div><dt>${t('book.size')}</dt><dd>${t('book.kb', { kb: number.format(summary.kb) })}</dd></div>
        <div><dt>${t('book.updated')}</dt><dd data-book-as-of>${asOfText(summary, Date.now())}</dd></div>
        <p class="hint">${t('book.hint')}</p>
        <button class="btn btn-block" type="button" data-book-sync ${summary.syncing ? html`disabled` : ''}>
          ${t(summary.syncing ? 'book.syncing' : 'book.sync_now')}</button>
      </div>`,
  );
  const button = section.querySelector('[data-book-sync]');
  button.addEventListener('click', async () => {
    button.disabled = true;
    button.textContent = t('book.syncing');
    const result = await syncBookNow();
    if (!result?.ok) toast(t(result?.status === 0 || !navigator.onLine ? 'book.offline' : 'book.failed'), { alert: true });
    await showBook(section);
  });
}
