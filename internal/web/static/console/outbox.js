// Rejected messages (what a source could not accept, with its reason) and the outbound
// webhook outbox, each with replay.
import { t, time } from './i18n.js';
import { api, h, chip, section, announce, errorText } from './api.js';

function replayButton(label, run) {
  const status = h('span', { role: 'status', class: 'sub' });
  const b = h('button', { type: 'button', class: 'small', onclick: async () => {
    b.disabled = true;
    try {
      status.textContent = await run();
      announce(status.textContent);
    } catch (err) {
      status.textContent = errorText(err);
      b.disabled = false;
    }
  } }, label);
  return [b, ' ', status];
}

function table(cols, rows) {
  return h('div', { class: 'tablewrap' }, h('table', { class: 'plain' },
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows)));
}

export async function render() {
  const [rej, hooks] = await Promise.all([api('GET', '/v1/admin/rejected?limit=50'), api('GET', '/v1/admin/webhooks?limit=50')]);
  const rejected = rej.rejected.length ? table([t('created'), t('source'), t('code'), t('body'), t('state'), ''], rej.rejected.map((m) => h('tr', { 'data-id': m.id },
    h('td', { class: 'when' }, time(m.createdAt)), h('td', {}, m.source + (m.queue ? ' · ' + m.queue : ''), m.messageId ? h('div', { class: 'sub' }, m.messageId) : ''),
    h('td', {}, m.code, h('div', { class: 'sub' }, m.reason)), h('td', {}, h('code', { class: 'clip' }, m.body)),
    h('td', {}, chip('', m.status), m.eventId ? h('div', {}, h('a', { href: '#/event/' + encodeURIComponent(m.eventId) }, m.eventId)) : ''),
    h('td', {}, m.status === 'rejected' ? replayButton(t('replay'), async () => t('replayed', (await api('POST', '/v1/admin/rejected/' + m.id + '/replay')).eventId)) : ''))))
    : h('p', { class: 'help' }, t('noRejected'));
  const webhooks = hooks.webhooks.length ? table([t('created'), t('event'), t('endpoint'), t('state'), t('attempts'), ''], hooks.webhooks.map((w) => h('tr', { 'data-id': w.id },
    h('td', { class: 'when' }, time(w.createdAt)), h('td', {}, w.event), h('td', {}, h('code', { class: 'clip' }, w.endpoint)),
    h('td', {}, chip('', w.status), w.lastError ? h('div', { class: 'sub' }, w.lastError) : ''), h('td', {}, String(w.attempts)),
    h('td', {}, replayButton(t('replay'), async () => (await api('POST', '/v1/admin/webhooks/' + w.id + '/replay'), t('webhookReplayed')))))))
    : h('p', { class: 'help' }, t('noWebhooks'));
  return { el: h('div', { class: 'screen' }, h('h1', { tabindex: '-1' }, t('outbox')), section(t('rejected'), rejected), section(t('webhooks'), webhooks)) };
}
