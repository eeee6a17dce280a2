// notifyd web inbox: one notification's list entry and the helpers that build it, for
// inbox.js (loaded after this file). Everything that comes from the server is set with
// textContent, never as HTML, and a link is kept only when it is an http or https URL.
(() => {
  'use strict';

  const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function safeURL(s) {
    if (!s) return null;
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function ago(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return '';
    const s = Math.round((d.getTime() - Date.now()) / 1000);
    if (s > -45) return rtf.format(0, 'second');
    if (s > -3600) return rtf.format(Math.round(s / 60), 'minute');
    if (s > -86400) return rtf.format(Math.round(s / 3600), 'hour');
    if (s > -7 * 86400) return rtf.format(Math.round(s / 86400), 'day');
    return dtf.format(d);
  }

  // render builds one notification's list entry; a click on it calls activate(id).
  function render(v, activate) {
    const li = el('li');
    li.dataset.seq = String(v.seq);
    const b = el('button', 'item');
    b.type = 'button';
    b.dataset.id = String(v.id);
    b.append(el('span', 'dot'));
    const state = el('span', 'sr-only');
    const msg = el('span', 'msg');
    msg.append(state, document.createTextNode(v.message || ''));
    if (HANGUL.test(v.message || '')) msg.lang = 'ko';
    b.append(msg);
    const meta = el('span', 'meta');
    meta.append(el('span', 'type', v.type || ''));
    const t = el('time', '', ago(v.createdAt));
    t.dateTime = v.createdAt || '';
    if (v.createdAt && !isNaN(new Date(v.createdAt))) t.title = dtf.format(new Date(v.createdAt));
    meta.append(t);
    b.append(meta);
    if (safeURL(v.url)) {
      const go = el('span', 'go');
      go.append(el('span', '', '↗'), el('span', 'sr-only', ' (opens link in a new tab)'));
      go.firstChild.setAttribute('aria-hidden', 'true');
      b.append(go);
    }
    b.addEventListener('click', () => activate(v.id));
    li.append(b);
    const entry = { view: v, li, button: b, state };
    paintRead(entry);
    return entry;
  }

  function paintRead(e) {
    e.button.classList.toggle('unread', !e.view.read);
    e.state.textContent = e.view.read ? '' : 'Unread: ';
  }

  window.notifydInbox = { el, safeURL, ago, render, paintRead };
})();
