// The page's side of the service worker: register it, offer "New version - Reload"
// when one is waiting, and pass on what it says about the outbox.

/**
 * Register /sw.js. showUpdate(apply): a new version waits; call apply() to take it
 * (the page reloads once it has). onMessage(data): a message from the worker.
 */
export async function registerWorker({ showUpdate, onMessage }) {
  if (!('serviceWorker' in navigator)) return;
  const sw = navigator.serviceWorker;
  let updateRequested = false;
  sw.addEventListener('controllerchange', () => {
    if (updateRequested) {
      updateRequested = false;
      location.reload();
    }
  });
  sw.addEventListener('message', (event) => onMessage(event.data || {}));
  const offer = (worker) =>
    showUpdate(() => {
      updateRequested = true;
      worker.postMessage({ type: 'skip-waiting' });
    });
  try {
    const reg = await sw.register('/sw.js', { scope: '/', type: 'module', updateViaCache: 'none' });
    const watch = (worker) =>
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && sw.controller) offer(worker);
      });
    if (reg.waiting && sw.controller) offer(reg.waiting);
    watch(reg.installing);
    reg.addEventListener('updatefound', () => watch(reg.installing));
    let lastCheck = Date.now();
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && Date.now() - lastCheck > 10 * 60 * 1000) {
        lastCheck = Date.now();
        reg.update().catch(() => {});
      }
    });
  } catch (err) {
    console.warn('Service worker not registered', err);
  }
}

/** Ask the worker to keep the app page as the server sends it now (its CSP changed);
 *  resolves whether it did. */
export function refreshPageCache(timeoutMs = 5000) {
  const worker = globalThis.navigator?.serviceWorker?.controller;
  if (!worker) return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(Boolean(event.data?.ok));
    };
    worker.postMessage({ type: 'refresh-page' }, [channel.port2]);
  });
}
