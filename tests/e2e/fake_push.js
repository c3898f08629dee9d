// Loaded with page.add_init_script by tests/e2e/test_push.py. pushManager.subscribe()
// needs the browser vendor's push service, which is not reachable here: the page gets a
// subscription of the right shape instead (see TOOLING.md).
(() => {
  const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const key = new Uint8Array(65); key[0] = 4; crypto.getRandomValues(key.subarray(1));
  const auth = crypto.getRandomValues(new Uint8Array(16));
  let current = null;
  const make = () => ({
    endpoint: 'https://fcm.googleapis.com/fcm/send/e2e-' + b64(crypto.getRandomValues(new Uint8Array(9))),
    expirationTime: null,
    options: { userVisibleOnly: true },
    toJSON() { return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: b64(key), auth: b64(auth) } }; },
    async unsubscribe() { current = null; return true; },
  });
  if (self.PushManager) {
    PushManager.prototype.subscribe = async function (options) {
      window.__subscribeOptions = { userVisibleOnly: options.userVisibleOnly, keyLength: new Uint8Array(options.applicationServerKey).length };
      current = current || make();
      return current;
    };
    PushManager.prototype.getSubscription = async function () { return current; };
  }
})();
