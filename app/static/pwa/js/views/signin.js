// Sign in. Errors in plain words; a throttled account is told to wait.

import { html, mount } from '../lib/html.js';
import { api } from '../lib/api.js';
import { state } from '../lib/state.js';
import { t, loadLocale } from '../lib/i18n.js';
import { setTitle } from '../lib/sheets.js';
import { signedIn } from '../lib/account.js';
import { go, homeFor } from '../lib/router.js';

const MARK = html`<svg class="mark" viewBox="0 0 64 64" aria-hidden="true"><rect width="64" height="64" rx="15" fill="#0b6b57"/><path fill="#fff" d="M19 14h27v9H29v7h14v9H29v11H19z"/><circle cx="46.5" cy="34.5" r="5" fill="#ffc53d"/></svg>`;

export async function show(page) {
  setTitle(t('signin.title'));
  const again = state.authLost && state.me;
  mount(
    page,
    html`<div class="signin">
      <div class="brand">${MARK}<h1>Fieldline</h1><p>${t('signin.tagline')}</p></div>
      <form class="card form" novalidate>
        ${again && html`<p class="warn">${t('signin.again', { n: state.queued.length })}</p>`}
        <label class="field"><span>${t('signin.email')}</span>
          <input name="email" type="email" inputmode="email" autocomplete="username" required
            value="${again ? state.me.email : ''}" /></label>
        <label class="field"><span>${t('signin.password')}</span>
          <input name="password" type="password" autocomplete="current-password" required /></label>
        <p class="form-error" data-error role="alert"></p>
        <button class="btn btn-primary btn-block" type="submit">${t('signin.submit')}</button>
      </form>
      <p class="lang-switch">
        ${['en', 'zh-CN'].map(
          (l) => html`<button type="button" class="link${state.locale === l ? ' current' : ''}" data-lang="${l}" lang="${l}">${t(`lang.${l}`)}</button>`,
        )}
      </p>
    </div>`,
  );
  const form = page.querySelector('form');
  const error = page.querySelector('[data-error]');
  page.querySelector('.lang-switch').addEventListener('click', async (e) => {
    const b = e.target.closest('[data-lang]');
    if (!b) return;
    await loadLocale(b.dataset.lang);
    show(page);
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
    if (!email || !password) {
      error.textContent = t('signin.missing');
      return;
    }
    const button = form.querySelector('[type=submit]');
    button.disabled = true;
    const res = await api('/auth/login', { method: 'POST', body: { email, password } });
    button.disabled = false;
    if (res.ok && res.data?.user) {
      await signedIn(res.data.user, res.data.csrf_token);
      go(homeFor(res.data.user.role), { replace: true });
      return;
    }
    error.textContent =
      res.status === 401 || res.status === 422 || res.status === 400
        ? t('signin.wrong')
        : res.status === 429
          ? t('signin.throttled')
          : res.status === 403
            ? t('signin.inactive')
            : res.offline
              ? t('signin.offline')
              : t('common.error');
    form.elements.password.select();
  });
}
