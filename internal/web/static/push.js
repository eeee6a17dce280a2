// notifyd web inbox: the "allow browser notifications" control. inbox.js announces the
// signed-in user's auth headers with a 'notifyd:auth' event; this subscribes the browser
// to web push with the server's VAPID key and posts the subscription as that user's.
(() => {
  'use strict';

  const button = document.getElementById('push-allow');
  const status = document.getElementById('push-status');
  let headers = null;

  // The server says whether it has VAPID keys (data-push), so a page without web push never
  // asks for the key.
  const supported = document.body.dataset.push === 'on' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

  function b64urlToBytes(s) {
    const pad = '='.repeat((4 - (s.length % 4)) % 4);
    const raw = atob((s + pad).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }

  async function call(method, path, body) {
    const res = await fetch(path, {
      method, credentials: 'same-origin', cache: 'no-store',
      headers: Object.assign({ Accept: 'application/json', 'Content-Type': 'application/json' }, headers || {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(res.status + ' ' + res.statusText);
    return res.status === 204 ? null : res.json();
  }

  function show(text, on) {
    status.textContent = text;
    button.hidden = on;
  }

  async function refresh() {
    if (!supported || !headers) { button.hidden = true; status.textContent = ''; return; }
    let key;
    try { key = (await call('GET', '/v1/push/vapid-public-key')).publicKey; } catch (_) { button.hidden = true; return; }
    const reg = await navigator.serviceWorker.register('/sw.js');
    const sub = await reg.pushManager.getSubscription();
    if (sub && Notification.permission === 'granted') {
      await call('POST', '/v1/push/subscriptions', sub.toJSON()); // this user's, on this browser
      show('Browser notifications on', true);
      return;
    }
    if (Notification.permission === 'denied') { show('Browser notifications are blocked in this browser', true); return; }
    button.dataset.key = key;
    show('', false);
  }

  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (await Notification.requestPermission() !== 'granted') { show('Browser notifications were not allowed', true); return; }
      const reg = await navigator.serviceWorker.register('/sw.js');
      await navigator.serviceWorker.ready;
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64urlToBytes(button.dataset.key) });
      await call('POST', '/v1/push/subscriptions', sub.toJSON());
      show('Browser notifications on', true);
    } catch (err) {
      status.textContent = 'Could not turn on browser notifications: ' + err.message;
    } finally {
      button.disabled = false;
    }
  });

  document.addEventListener('notifyd:auth', (ev) => {
    headers = ev.detail && ev.detail.headers;
    refresh().catch(() => { button.hidden = true; });
  });
})();
