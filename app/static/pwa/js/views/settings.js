// Settings: language, timezone, reminders, the customers on this phone, pending changes,
// sign out.

import { html, mount } from '../lib/html.js';
import { state, zone } from '../lib/state.js';
import { t } from '../lib/i18n.js';
import { queue } from '../lib/sync.js';
import { setTitle, confirmSheet } from '../lib/sheets.js';
import { applyLocale, signOut } from '../lib/account.js';
import { kv } from '../lib/db.js';
import { showReminders } from '../components/reminders.js';
import { showBook } from '../components/book-card.js';
import { isApprover, waitingCount } from '../components/claim.js';
import { PLAN_READERS } from '../lib/plan.js';

export const live = true;

export async function show(page) {
  setTitle(t('nav.settings'));
  const me = state.me;
  const tz = zone();
  const device = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const n = state.queued.length;
  const now = new Intl.DateTimeFormat(state.locale, { timeZone: tz, hour: 'numeric', minute: '2-digit', weekday: 'short' }).format(new Date());
  mount(
    page,
    html`<header class="page-head"><h1>${t('nav.settings')}</h1></header>
      <section class="card profile">
        <span class="avatar big" aria-hidden="true">${(me.name || me.email || '?').charAt(0).toLocaleUpperCase()}</span>
        <div><strong>${me.name || me.email}</strong><span class="meta">${me.email}</span>
          <span class="meta">${t(`user_role.${me.role}`)}</span></div>
      </section>
      <section class="work">
        <h2>${t('expenses.work')}</h2>
        <div class="list">
          <a class="row-link" href="/expenses"><span class="row-main"><strong>${t('expenses.title')}</strong>
            <span class="meta">${t('expenses.work_hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>
          ${isApprover() &&
          html`<a class="row-link" href="/approvals"><span class="row-main"><strong>${t('approvals.title')}</strong>
            <span class="meta">${t('approvals.hint')}</span></span>
            <span class="count" data-waiting hidden></span><span class="chev" aria-hidden="true">›</span></a>`}
          <a class="row-link" href="/reports/expenses"><span class="row-main"><strong>${t('expenses.report_title')}</strong>
            <span class="meta">${t('expenses.report_hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>
          ${!['finance', 'cashier'].includes(state.me.role) &&
          html`<a class="row-link" href="/reports/sales"><span class="row-main"><strong>${t('sales_report.title')}</strong>
            <span class="meta">${t('sales_report.hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>
          <a class="row-link" href="/reports/analysis"><span class="row-main"><strong>${t('analysis.title')}</strong>
            <span class="meta">${t('analysis.hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>`}
          ${PLAN_READERS.includes(state.me.role) &&
          html`<a class="row-link" href="/targets?from=settings" data-targets-link><span class="row-main"><strong>${t('targets.title')}</strong>
            <span class="meta">${t('targets.hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>`}
          ${PLAN_READERS.includes(state.me.role) &&
          html`<a class="row-link" href="/team-plans"><span class="row-main"><strong>${t('team_plans.title')}</strong>
            <span class="meta">${t('team_plans.hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>`}
          ${state.me.role === 'admin' &&
          html`<a class="row-link" href="/admin"><span class="row-main"><strong>${t('admin.entry')}</strong>
            <span class="meta">${t('admin.entry_hint')}</span></span><span class="chev" aria-hidden="true">›</span></a>`}
        </div>
      </section>
      <section>
        <h2>${t('settings.language')}</h2>
        <div class="segmented" role="radiogroup" aria-label="${t('settings.language')}">
          ${['en', 'zh-CN'].map(
            (l) => html`<label class="seg"><input type="radio" name="locale" value="${l}" ${state.locale === l ? html`checked` : ''} />
              <span lang="${l}">${t(`lang.${l}`)}</span></label>`,
          )}
        </div>
      </section>
      <section>
        <h2>${t('settings.timezone')}</h2>
        <div class="card facts">
          <div><dt>${t('settings.your_zone')}</dt><dd>${tz}</dd></div>
          <div><dt>${t('settings.local_time')}</dt><dd>${now}</dd></div>
          ${device && device !== tz && html`<p class="hint">${t('settings.device_zone', { zone: device })}</p>`}
        </div>
      </section>
      <section data-reminders></section>
      <section data-book></section>
      <section>
        <h2>${t('settings.sync')}</h2>
        <a class="row-link card" href="/pending">
          <span class="row-main"><strong>${t('pending.title')}</strong>
            <span class="meta">${n ? t('settings.pending_n', { n }) : t('settings.pending_none')}</span></span>
          <span class="chev" aria-hidden="true">›</span>
        </a>
      </section>
      <section>
        <button class="btn btn-danger btn-block" type="button" data-signout>${t('settings.signout')}</button>
        <p class="version">Fieldline · ${state.version.slice(0, 8)}</p>
      </section>`,
  );
  showReminders(page.querySelector('[data-reminders]'));
  showBook(page.querySelector('[data-book]'));
  const badge = page.querySelector('[data-waiting]');
  if (badge) {
    waitingCount().then((n) => {
      if (!badge.isConnected || !n) return;
      badge.textContent = String(n);
      badge.setAttribute('aria-label', t('approvals.waiting_n', { n }));
      badge.hidden = false;
    });
  }
  page.querySelector('.segmented').addEventListener('change', async (e) => {
    const locale = e.target.value;
    state.me = { ...state.me, locale };
    await kv.set('me', state.me);
    await queue({
      method: 'PATCH',
      url: `/api/v1/users/${state.me.id}`,
      body: { locale },
      meta: { type: 'locale' },
    });
    await applyLocale(locale);
  });
  page.querySelector('[data-signout]').addEventListener('click', async () => {
    const unsent = state.queued.length;
    const ok = await confirmSheet(
      unsent
        ? { title: t('settings.signout_unsent_title', { n: unsent }), body: t('settings.signout_unsent_body', { n: unsent }), ok: t('settings.signout_anyway'), danger: true }
        : { title: t('settings.signout_title'), body: t('settings.signout_body'), ok: t('settings.signout') },
    );
    if (ok) await signOut();
  });
}
