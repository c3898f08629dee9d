// The API client for reads and for writes that need an answer now.

import { state } from './state.js';
import { setOnline } from './sheets.js';
import { lostSession } from './session.js';

/**
 * Read from the API. Resolves {ok, status, data, cachedAt, offline}; never
 * throws for network trouble. cachedAt is set when the service worker answered
 * from its cache because the network did not.
 */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Accept-Language': state.locale,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(method !== 'GET' && state.csrf ? { 'X-CSRF-Token': state.csrf } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    setOnline(false);
    return { ok: false, status: 0, data: null, cachedAt: null, offline: true };
  }
  const cached = res.headers.get('X-Fieldline-Cached-At');
  const swOffline = res.headers.get('X-Fieldline-Offline');
  let data = null;
  if (res.status !== 204) {
    try {
      data = await res.json();
    } catch {
      data = null;
    }
  }
  setOnline(!cached && !swOffline);
  if (res.status === 401 && state.me && !path.startsWith('/auth/')) lostSession();
  return {
    ok: res.ok,
    status: res.status,
    data,
    cachedAt: cached ? new Date(cached) : null,
    offline: Boolean(cached || swOffline),
  };
}
