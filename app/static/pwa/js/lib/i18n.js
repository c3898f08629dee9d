// Translations: i18n/{en,zh-CN}.json, loaded into state.messages.

import { state } from './state.js';

export const LOCALES = ['en', 'zh-CN'];

/** The language saved on this phone, else the browser's (any Chinese -> zh-CN), else English. */
export function guessLocale(saved = localStorage.getItem('fieldline.locale'), languages = navigator.languages || [navigator.language]) {
  if (LOCALES.includes(saved)) return saved;
  return languages.some((l) => /^zh/i.test(l)) ? 'zh-CN' : 'en';
}

/** Fetch a small JSON shell file; without it there is no screen, so try a few times
 *  (a server restarting, a flaky link). */
export async function fetchShellJSON(url) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await fetch(url);
      if (res.ok) return await res.json();
    } catch {
      // retried below
    }
    if (attempt === 3) throw new Error(`${url} unavailable`);
    await new Promise((resolve) => setTimeout(resolve, 700 * attempt));
  }
}

export async function loadLocale(locale) {
  const lang = LOCALES.includes(locale) ? locale : 'en';
  if (lang === state.locale && Object.keys(state.messages).length) return;
  state.messages = await fetchShellJSON(`/pwa/i18n/${lang}.json`);
  state.locale = lang;
  document.documentElement.lang = lang;
  localStorage.setItem('fieldline.locale', lang);
}

/** t('today.title'), t('due.overdue_days', {n: 2}): plural forms are objects keyed by Intl.PluralRules. */
export function t(key, params = {}) {
  let value = key.split('.').reduce((node, part) => (node ? node[part] : undefined), state.messages);
  if (value && typeof value === 'object' && 'n' in params) {
    value = value[new Intl.PluralRules(state.locale).select(params.n)] ?? value.other;
  }
  if (typeof value !== 'string') return key;
  return value.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** The word for a code ('outcome', 'order'); an unknown code (from an integration, say) shows as is. */
export function label(group, code) {
  const key = `${group}.${code}`;
  const word = t(key);
  return word === key ? code : word;
}
