// User: profile and consents, preferences (editable), the inbox as the user sees it, the
// browsers and devices they get pushes on, their topics, their recent events, and erasure
// behind a typed confirmation. A section whose API this server does not have (devices and
// topics arrive with their channels) is left out.
import { t, time, lang } from './i18n.js';
import { api, h, chip, section, announce, errorText } from './api.js';
import { outcomeChips } from './activity.js';

const enc = encodeURIComponent;

// optional fetches a section's data, or null when the server has no such route (404 or
// 405), so the section is not drawn.
async function optional(path) {
  try { return await api('GET', path); } catch (err) {
    if (err.status === 404 || err.status === 405) return null;
    throw err;
  }
}

function profileSection(p) {
  if (!p) return section(t('profile'), h('p', { class: 'help' }, t('noProfile')));
  const rows = [['phone', p.phoneNumber], ['email', p.email], ['timeZone', p.timeZone], ['locale', p.locale]];
  if ('adConsent' in p) rows.push(['adConsent', String(p.adConsent)]);
  if ('nightAdConsent' in p) rows.push(['nightAdConsent', String(p.nightAdConsent)]);
  return section(t('profile'), h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, t(k)), h('dd', {}, v || '—')])));
}

function prefsSection(id, prefs) {
  const status = h('p', { role: 'status', class: 'help' });
  const boxes = [];
  const box = (name, checked, label, disabled) => {
    const bid = 'p-' + name.replace(/[^a-zA-Z0-9_-]/g, '_');
    const input = h('input', { type: 'checkbox', id: bid, name, checked, disabled });
    boxes.push(input);
    return h('div', { class: 'check' }, input, h('label', { for: bid }, label));
  };
  const channels = h('fieldset', {}, h('legend', {}, t('channels')),
    Object.entries(prefs.channels).map(([c, on]) => box('ch:' + c, on, c)));
  const types = prefs.available.map((ty) => h('fieldset', {}, h('legend', {}, (ty.labels && ty.labels[lang]) || ty.type),
    ty.channels.map((c) => box('ty:' + ty.type + ':' + c, !(prefs.types[ty.type] && prefs.types[ty.type][c] === false), c + (ty.required ? ' *' : ''), ty.required))));
  const form = h('form', { class: 'prefs', onsubmit: async (e) => {
    e.preventDefault();
    const body = { channels: {}, types: {}, quietHours: prefs.quietHours };
    for (const b of boxes) {
      const [kind, a, c] = b.name.split(':');
      if (kind === 'ch') body.channels[a] = b.checked;
      else if (!b.disabled && !b.checked) (body.types[a] ||= {})[c] = false;
    }
    try {
      await api('PUT', '/v1/users/' + enc(id) + '/preferences', body);
      status.textContent = t('saved');
      announce(t('saved'));
    } catch (err) { status.textContent = errorText(err); }
  } }, channels, types, h('p', { class: 'help' }, t('quietHours') + ': ' + (prefs.quietHours ? prefs.quietHours.start + '–' + prefs.quietHours.end : t('none'))),
  h('button', { type: 'submit' }, t('save')), status);
  return section(t('preferences'), form);
}

function listSection(title, items, draw) {
  if (items === null) return '';
  return section(title, items.length ? h('ul', { class: 'list' }, items.map((x) => h('li', {}, draw(x)))) : h('p', { class: 'help' }, t('noneYet')));
}

function eraseSection(id) {
  const input = h('input', { id: 'erase-confirm', autocomplete: 'off', 'aria-describedby': 'erase-help' });
  const status = h('p', { role: 'status' });
  return section(t('erase'), h('form', { class: 'erase', onsubmit: async (e) => {
    e.preventDefault();
    if (input.value !== id) {
      status.textContent = t('mismatch');
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    try {
      const r = await api('DELETE', '/v1/users/' + enc(id));
      status.textContent = t('eraseDone', r.notifications ?? 0, r.deliveries ?? 0);
      announce(status.textContent);
    } catch (err) { status.textContent = errorText(err); }
  } }, h('p', { id: 'erase-help', class: 'help' }, t('eraseHelp')), h('label', { for: 'erase-confirm' }, t('eraseConfirm', id)), input,
  h('button', { type: 'submit', class: 'danger' }, t('erase')), status));
}

export async function render(id) {
  const input = h('input', { id: 'u-id', value: id || '', autocomplete: 'off', required: true });
  const find = h('form', { class: 'filters card', onsubmit: (e) => {
    e.preventDefault();
    if (input.value.trim()) location.hash = '#/user/' + enc(input.value.trim());
  } }, h('div', {}, h('label', { for: 'u-id' }, t('userId')), input), h('button', { type: 'submit' }, t('open')));
  const el = h('div', { class: 'screen' }, h('h1', { tabindex: '-1' }, id ? t('user') + ': ' + id : t('findUser')), find);
  if (!id) return { el };
  try {
    const u = '/v1/users/' + enc(id);
    const [profile, prefs, inbox, subs, devices, topics, events] = await Promise.all([
      optional(u), api('GET', u + '/preferences'), api('GET', u + '/notifications?archived=include&limit=20'),
      optional(u + '/push-subscriptions'), optional(u + '/devices'), optional(u + '/subscriptions'),
      api('GET', '/v1/events?limit=10&userId=' + enc(id))]);
    el.append(h('div', { class: 'grid' },
      profileSection(profile), prefsSection(id, prefs),
      section(t('inbox'), inbox.notifications.length ? h('ul', { class: 'list inbox' }, inbox.notifications.map((n) => h('li', { class: n.read ? '' : 'unread' },
        h('div', {}, n.message), h('div', { class: 'sub' }, time(n.createdAt), ' · ', n.type, n.read ? '' : ' · ' + t('unread'))))) : h('p', { class: 'help' }, t('emptyInbox'))),
      listSection(t('pushSubs'), subs && subs.subscriptions, (s) => [s.pushService, h('div', { class: 'sub' }, s.userAgent || '', ' ', time(s.createdAt))]),
      listSection(t('devices'), devices && (devices.devices || []), (d) => [[d.platform, d.locale].filter(Boolean).join(' · '), h('div', { class: 'sub' }, time(d.createdAt))]),
      listSection(t('topics'), topics && (topics.subscriptions || []), (s) => [s.topic, h('div', { class: 'sub' }, time(s.subscribedAt), s.once ? ' · ' + t('once') : '')]),
      section(t('userEvents'), h('ul', { class: 'list' }, events.events.map((ev) => h('li', {},
        h('a', { href: '#/event/' + enc(ev.eventId) }, ev.eventId), ' ', h('span', { class: 'sub' }, ev.type), h('div', {}, outcomeChips(ev)))))),
      eraseSection(id)));
  } catch (err) {
    el.append(h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
  return { el };
}
