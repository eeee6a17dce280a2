// Event: one event's timeline (accepted, notifications, each delivery attempt with the
// provider's answer, reads, cancels) and a cancel for what has not gone out.
import { t, time } from './i18n.js';
import { api, h, chip, section, announce, errorText } from './api.js';

function describe(e) {
  switch (e.kind) {
    case 'accepted': return t('k_accepted', e.source);
    case 'notification': return t('k_notification', e.userId, e.notificationId);
    case 'scheduled': return t('k_scheduled', e.userId, t('s_' + e.status));
    case 'read': return t('k_read', e.userId);
    case 'delivery': return t('k_delivery', e.channel, e.userId);
    case 'attempt': return t('k_attempt', e.channel, e.attempt);
    case 'report': return t('k_report', e.channel);
    default: return e.kind;
  }
}

function entry(e) {
  const details = [];
  if (e.provider) details.push(t('provider') + ': ' + e.provider);
  if (e.providerMessageId) details.push(t('messageId') + ': ' + e.providerMessageId);
  if (e.reason) details.push(t('reason') + ': ' + e.reason);
  if (e.error) details.push(e.error);
  return h('li', { class: 'tl tl-' + e.kind, 'data-kind': e.kind },
    h('time', { datetime: e.at }, time(e.at)),
    h('div', {}, h('span', {}, describe(e)), e.status && e.kind !== 'scheduled' ? chip('', e.status) : '',
      e.fallback ? h('span', { class: 'chip warn', 'data-fallback': e.fallback }, t('fallback', e.fallback.toUpperCase())) : '',
      details.length ? h('div', { class: 'sub' }, details.join(' · ')) : ''));
}

export async function render(id) {
  let doc;
  try {
    doc = await api('GET', '/v1/events/' + encodeURIComponent(id) + '/timeline');
  } catch (err) {
    const msg = err.status === 404 ? t('notFound', id) : errorText(err);
    return { el: h('div', { class: 'screen' }, h('h1', { tabindex: '-1' }, t('event')), h('p', { class: 'error', role: 'alert' }, msg),
      h('p', {}, h('a', { href: '#/activity' }, t('back')))) };
  }
  const ev = doc.event;
  const result = h('p', { role: 'status' });
  const cancel = doc.cancellable && h('button', { type: 'button', class: 'danger', onclick: async () => {
    cancel.disabled = true;
    try {
      const r = await api('DELETE', '/v1/events/' + encodeURIComponent(id));
      result.textContent = t('cancelled', r.cancelled.deliveries.length, r.cancelled.notifications.length);
      announce(result.textContent);
      location.hash = '#/event/' + encodeURIComponent(id) + '?' + Date.now();
    } catch (err) {
      result.textContent = errorText(err);
      cancel.disabled = false;
    }
  } }, t('cancel'));
  const recipients = h('table', { class: 'plain' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('user')), h('th', { scope: 'col' }, t('outcomes')))),
    h('tbody', {}, ev.recipients.map((r) => h('tr', {},
      h('td', {}, h('a', { href: '#/user/' + encodeURIComponent(r.userId) }, r.userId), ' ', h('span', { class: 'sub' }, r.role)),
      h('td', {}, h('span', { class: 'chips' }, r.channels.map((c) => chip(c.channel, c.status, { reason: c.reason, fallback: c.fallback }))))))));
  const el = h('div', { class: 'screen' },
    h('p', {}, h('a', { href: '#/activity' }, '← ' + t('back'))),
    h('h1', { tabindex: '-1', class: 'evid' }, ev.eventId),
    h('dl', { class: 'facts' },
      h('dt', {}, t('type')), h('dd', {}, ev.type),
      h('dt', {}, t('source')), h('dd', {}, ev.source),
      h('dt', {}, t('received')), h('dd', {}, time(ev.receivedAt))),
    cancel || '', result,
    section(t('recipients'), h('div', { class: 'tablewrap' }, recipients)),
    section(t('timeline'), h('ol', { class: 'timeline' }, doc.timeline.map(entry))),
    section(t('payload'), h('pre', { class: 'json', tabindex: '0' }, JSON.stringify(ev.payload, null, 2))));
  return { el };
}
