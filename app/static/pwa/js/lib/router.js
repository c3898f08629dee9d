// The router: which screen a path shows (the one route table, routes.json, which the
// server also reads for the paths it answers with the app page), history, and
// redrawing the current screen. Drawing a screen is main.js's (onRender): it is the
// only module that imports views.

import { sheetIsOpen } from './sheets.js';

const ID = '([0-9a-f-]{36})';

/** routes.json's entries ({path: "/customers/:id", view, tab, fn}) with a RegExp each. */
export function compileRoutes(list) {
  return list.map((r) => {
    const source = r.path.split('/').map((part) => (part.startsWith(':') ? ID : part)).join('\\/');
    // An id matches in any case, as the server's UUIDs do; the fixed words do not.
    return { ...r, fn: r.fn || 'show', re: new RegExp(`^${source}$`, r.path.includes(':') ? 'i' : '') };
  });
}

/** The route for a path: {view, tab, fn, params}; an unknown path shows Today. */
export function matchRoute(routes, path) {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { view: r.view, tab: r.tab, fn: r.fn, params: m.slice(1) };
  }
  return { view: 'today', tab: 'today', fn: 'show', params: [] };
}

/** Roles that land on Team instead of Today (admins have the tab but keep Today). */
export const LANDS_ON_TEAM = ['lead', 'manager'];
/** Roles that have the Team tab at all (GET /team/home answers them). */
export const HAS_TEAM = ['lead', 'manager', 'admin'];

/** The first screen of a role: Team for leads and managers, Today for everyone else. */
export function homeFor(role) {
  return LANDS_ON_TEAM.includes(role) ? '/team' : '/today';
}

/** Where a path leads for this user: signed out, everything is the sign-in screen;
 *  signed in (and not asked to sign in again), the sign-in screen and "/" are their home
 *  (homeFor). */
export function redirectFor(path, { signedIn, authLost, role }) {
  if (!signedIn && path !== '/signin') return '/signin';
  if (signedIn && path === '/signin' && !authLost) return homeFor(role);
  if (signedIn && path === '/') return homeFor(role);
  return path;
}

/** The screen on show: {path, module, fn, params, page}; set by main.js. */
export const current = { path: null, module: null, fn: null, params: [], page: null };

let draw = async () => {};

/** main.js hands over the function that draws the screen for location.pathname. */
export function onRender(fn) {
  draw = fn;
}

export function render() {
  return draw();
}

export function go(path, { replace = false } = {}) {
  if (path !== location.pathname + location.search) {
    history[replace ? 'replaceState' : 'pushState'](null, '', path);
  }
  return render();
}

/**
 * Re-render the current screen if it shows live data (after a sync, say). Only a
 * module's main screen (`show`): its forms (`showNew`, `showEdit`) hold what the
 * rep is typing and are never redrawn under them.
 */
export function refreshView() {
  const { module, fn, params, page } = current;
  if (!module?.live || fn !== 'show' || !page?.isConnected || sheetIsOpen()) return;
  module[fn](page, ...(params || []));
}
