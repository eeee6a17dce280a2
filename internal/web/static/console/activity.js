// Activity: the newest events first, live. It polls the first page every two seconds and
// puts what is newer than the top row above it (an SSE stream of accepted events would
// need a fan-out of its own across replicas; a poll on an index is one cheap query).
import { t, time } from './i18n.js';
import { api, h, chip, announce, errorText } from './api.js';

const pollEvery = 2000;

// outcomeChips draws an event's channels: the inbox for its recipients, then each
// channel's deliveries by status (and skip reason).
export function outcomeChips(ev) {
  const chips = [];
  if (ev.recipients > 0) chips.push(chip('inbox', 'stored', { count: ev.recipients }));
  for (const o of ev.outcomes) chips.push(chip(o.channel, o.status, { reason: o.reason, count: o.count, fallback: o.fallback }));
  return h('span', { class: 'chips' }, chips);
}

function row(ev) {
  const href = '#/event/' + encodeURIComponent(ev.eventId);
  const users = ev.userIds.map((u) => h('a', { href: '#/user/' + encodeURIComponent(u) }, u));
  return h('tr', { 'data-id': ev.id, 'data-event': ev.eventId },
    h('td', { class: 'when' }, h('time', { datetime: ev.receivedAt }, time(ev.receivedAt))),
    h('td', {}, h('a', { href, class: 'evlink' }, ev.eventId), h('div', { class: 'sub' }, ev.type)),
    h('td', { class: 'who' }, users, ev.recipients > 1 ? ' +' + (ev.recipients - 1) : ''),
    h('td', { class: 'src' }, ev.source),
    h('td', {}, outcomeChips(ev)));
}

export async function render() {
  const q = new URLSearchParams(location.hash.split('?')[1] || '');
  const types = await api('GET', '/v1/admin/types').then((r) => r.types).catch(() => []);
  const typeSel = h('select', { id: 'f-type', name: 'type' }, h('option', { value: '' }, t('anyType')),
    types.map((ty) => h('option', { value: ty.type, selected: ty.type === q.get('type') }, ty.type)));
  const statuses = ['sent', 'delivered', 'failed', 'undelivered', 'skipped', 'pending', 'scheduled', 'cancelled'];
  const statusSel = h('select', { id: 'f-status', name: 'status' }, h('option', { value: '' }, t('anyStatus')),
    statuses.map((s) => h('option', { value: s, selected: s === q.get('status') }, t('s_' + s))));
  const userIn = h('input', { id: 'f-user', name: 'userId', value: q.get('userId') || '', autocomplete: 'off' });
  const idIn = h('input', { id: 'f-event', name: 'eventId', autocomplete: 'off' });
  const body = h('tbody', {});
  const status = h('p', { class: 'status', role: 'status' });
  const more = h('button', { type: 'button', class: 'more', hidden: true }, t('older'));
  const filters = () => {
    const p = new URLSearchParams();
    if (typeSel.value) p.set('type', typeSel.value);
    if (statusSel.value) p.set('status', statusSel.value);
    if (userIn.value.trim()) p.set('userId', userIn.value.trim());
    return p;
  };
  let top = 0;
  let next = 0;
  // load fetches a page. A status filter reads a bounded window of events per request, so
  // a page may come back empty with a cursor: follow it a few times before showing nothing.
  const load = async (after) => {
    const p = filters();
    p.set('limit', '50');
    for (let i = 0; ; i++) {
      if (after) p.set('after', after);
      const page = await api('GET', '/v1/events?' + p);
      if (page.events.length || !page.nextAfter || i >= 9) return page;
      after = page.nextAfter;
    }
  };
  const fill = (page, append) => {
    if (!append) body.replaceChildren();
    for (const ev of page.events) body.append(row(ev));
    if (!append && page.events.length) top = page.events[0].id;
    next = page.nextAfter || 0;
    more.hidden = !next;
    status.textContent = body.children.length ? '' : t('noEvents');
  };
  try { fill(await load(), false); } catch (err) { status.textContent = errorText(err); }
  more.addEventListener('click', async () => fill(await load(next), true));

  const form = h('form', { class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const p = filters();
    location.hash = '#/activity' + (p.toString() ? '?' + p : '');
  } },
  h('div', {}, h('label', { for: 'f-type' }, t('type')), typeSel),
  h('div', {}, h('label', { for: 'f-status' }, t('status')), statusSel),
  h('div', {}, h('label', { for: 'f-user' }, t('user')), userIn),
  h('button', { type: 'submit' }, t('apply')));
  const find = h('form', { class: 'filters find', onsubmit: (e) => {
    e.preventDefault();
    if (idIn.value.trim()) location.hash = '#/event/' + encodeURIComponent(idIn.value.trim());
  } }, h('div', {}, h('label', { for: 'f-event' }, t('eventId')), idIn), h('button', { type: 'submit' }, t('findEvent')));

  const poll = setInterval(async () => {
    try {
      const page = await load();
      const fresh = page.events.filter((ev) => ev.id > top);
      for (const ev of fresh.reverse()) {
        const tr = row(ev);
        tr.classList.add('new');
        body.prepend(tr);
        announce(t('newEvent', ev.eventId));
      }
      if (page.events.length) top = Math.max(top, page.events[0].id);
      // Rows already shown change too (a delivery sent since): redraw their chips.
      for (const ev of page.events) {
        const tr = body.querySelector(`tr[data-id="${ev.id}"]`);
        if (tr) tr.lastElementChild.replaceChildren(outcomeChips(ev));
      }
      if (body.children.length) status.textContent = '';
    } catch { /* the next poll tries again; a refused token signs out in api() */ }
  }, pollEvery);

  const el = h('div', { class: 'screen' },
    h('h1', { tabindex: '-1' }, t('activity')),
    h('div', { class: 'card bar' }, form, find),
    h('p', { class: 'help live' }, t('live')),
    h('div', { class: 'tablewrap' }, h('table', { class: 'feed' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('received')), h('th', { scope: 'col' }, t('eventId')), h('th', { scope: 'col' }, t('recipients')),
        h('th', { scope: 'col' }, t('source')), h('th', { scope: 'col' }, t('outcomes')))),
      body)),
    status, more);
  return { el, stop: () => clearInterval(poll) };
}
