// notifyd service worker: shows a web push notification and opens its link on click.
// The payload is the JSON notifyd encrypts for this browser:
// {"message", "url", "type", "eventId", "deliveryId"}.
'use strict';

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (_) { data = { message: event.data ? event.data.text() : '' }; }
  const title = /[\uac00-\ud7af]/.test(data.message || '') ? '새 알림' : 'New notification';
  event.waitUntil(self.registration.showNotification(title, {
    body: data.message || '',
    tag: data.eventId || undefined, // the same event twice replaces, not stacks
    data: { url: data.url || '' },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  let url = '/';
  try {
    const u = new URL(event.notification.data && event.notification.data.url, self.location.origin);
    if (u.protocol === 'https:' || u.protocol === 'http:') url = u.href; // never javascript: or data:
  } catch (_) { /* no link: open the inbox */ }
  event.waitUntil(self.clients.openWindow(url));
});
