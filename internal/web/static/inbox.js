// notifyd web inbox: sign in, list, live stream, mark read.
// Everything that comes from the server is rendered with textContent, never as HTML, and a
// notification's link is opened only when it is an http or https URL.
(() => {
  'use strict';

  const mode = document.body.dataset.auth === 'jwt' ? 'jwt' : 'dev';
  const USER_KEY = 'notifyd.user';
  const TOKEN_KEY = 'notifyd.token';
  const COOKIE = 'notify_token';
  const PAGE = 30;

  const $ = (id) => document.getElementById(id);
  const ui = {
    signin: $('signin'), devForm: $('dev-form'), jwtForm: $('jwt-form'), userId: $('user-id'),
    token: $('token'), signinError: $('signin-error'), panel: $('panel'), panelError: $('panel-error'),
    list: $('list'), empty: $('empty'), more: $('more'), readAll: $('read-all'), bell: $('bell'),
    badge: $('badge'), conn: $('conn'), who: $('who'), whoLabel: $('who-label'), signout: $('signout'),
    announce: $('announce'),
  };

  let cred = null;          // {user}, {token} or {cookie: true}
  let items = new Map();    // notification id -> {view, li, button}
  let maxSeq = 0;           // newest seq seen, from the list or the stream
  let cursor = '';          // the next older page, if any
  let unread = 0;
  let es = null;            // the EventSource
  let retryTimer = 0;
  let backoff = 1000;
  let countTimer = 0;

  // ---- the API -------------------------------------------------------------------------

  function authHeaders() {
    if (cred.user) return { 'X-User-Id': cred.user };
    if (cred.token) return { Authorization: 'Bearer ' + cred.token };
    return {}; // an HttpOnly notify_token cookie goes along by itself
  }

  function authQuery() {
    if (cred.user) return 'user=' + encodeURIComponent(cred.user);
    if (cred.token) return 'access_token=' + encodeURIComponent(cred.token);
    return '';
  }

  // api calls the HTTP API and returns the parsed JSON body (null for 204). A problem
  // answer becomes an Error whose message is the problem's detail or title.
  async function api(method, path) {
    const res = await fetch(path, {
      method, credentials: 'same-origin', cache: 'no-store',
      headers: Object.assign({ Accept: 'application/json' }, authHeaders()),
    });
    if (res.status === 204) return null;
    let body = null;
    try { body = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok) {
      const err = new Error((body && (body.detail || body.title)) || res.status + ' ' + res.statusText);
      err.status = res.status;
      throw err;
    }
    return body;
  }

  // ---- rendering (inbox-render.js) -------------------------------------------------------

  const { safeURL, ago, paintRead } = window.notifydInbox;
  const render = (v) => window.notifydInbox.render(v, activate);

  // insert keeps the list newest first (by the user's seq).
  function insert(entry) {
    const seq = entry.view.seq;
    let before = null;
    for (const li of ui.list.children) {
      if (Number(li.dataset.seq) < seq) { before = li; break; }
    }
    ui.list.insertBefore(entry.li, before);
  }

  // add shows one notification; a live one is announced and counted.
  function add(v, live) {
    if (!v || typeof v.id !== 'number') return;
    maxSeq = Math.max(maxSeq, v.seq || 0);
    const known = items.get(v.id);
    if (known) {
      if (v.read && !known.view.read) { known.view.read = true; paintRead(known); }
      return;
    }
    const entry = render(v);
    items.set(v.id, entry);
    // A collapse key: the newer notification takes the older one's row, in place.
    const old = typeof v.replaces === 'number' ? items.get(v.replaces) : undefined;
    if (old) {
      items.delete(v.replaces);
      old.li.replaceWith(entry.li);
    } else {
      insert(entry);
    }
    if (live) {
      entry.button.classList.add('fresh');
      if (!v.read) {
        if (!old || old.view.read) setCount(unread + 1);
        say('New notification: ' + (v.message || v.type));
      }
      scheduleCount();
    }
    showEmpty();
  }

  function showEmpty() {
    ui.empty.hidden = items.size > 0;
    ui.list.hidden = items.size === 0;
  }

  function setCount(n) {
    n = Math.max(0, n | 0);
    const up = n > unread;
    unread = n;
    ui.badge.textContent = n > 99 ? '99+' : String(n);
    ui.badge.dataset.count = String(n);
    ui.badge.hidden = n === 0;
    ui.bell.setAttribute('aria-label', n === 0 ? 'Notifications, none unread' : `Notifications, ${n} unread`);
    ui.readAll.disabled = n === 0;
    document.title = (n ? `(${n}) ` : '') + 'Notifications · notifyd';
    if (up) {
      ui.badge.classList.remove('bump');
      void ui.badge.offsetWidth; // restart the animation
      ui.badge.classList.add('bump');
    }
  }

  function say(text) {
    ui.announce.textContent = '';
    setTimeout(() => { ui.announce.textContent = text; }, 50);
  }

  function setConn(state, text) {
    ui.conn.dataset.state = state;
    ui.conn.textContent = text;
  }

  function showError(where, err) {
    where.textContent = err ? (err.message || String(err)) : '';
  }

  // ---- actions -------------------------------------------------------------------------

  async function refreshCount() {
    try {
      const body = await api('GET', '/v1/notifications/unread-count');
      setCount(body.count);
    } catch (err) {
      if (err.status === 401) signOut('Signed out: ' + err.message);
    }
  }

  function scheduleCount() {
    clearTimeout(countTimer);
    countTimer = setTimeout(refreshCount, 150);
  }

  async function loadPage() {
    const q = '?limit=' + PAGE + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
    const body = await api('GET', '/v1/notifications' + q);
    for (const v of body.notifications || []) add(v, false);
    cursor = body.nextCursor || '';
    ui.more.hidden = !cursor;
    showEmpty();
  }

  // reload lists the first page again, in place of what is shown: the notifications carry
  // their current state.
  async function reload() {
    try {
      const body = await api('GET', '/v1/notifications?limit=' + PAGE);
      items = new Map();
      ui.list.replaceChildren();
      for (const v of body.notifications || []) add(v, false);
      cursor = body.nextCursor || '';
      ui.more.hidden = !cursor;
      showEmpty();
    } catch (err) {
      showError(ui.panelError, err);
    }
    scheduleCount();
  }

  async function activate(id) {
    const e = items.get(id);
    if (!e) return;
    const url = safeURL(e.view.url);
    if (url) window.open(url, '_blank', 'noopener,noreferrer');
    if (e.view.read) return;
    e.view.read = true;
    paintRead(e);
    setCount(unread - 1);
    try {
      await api('POST', '/v1/notifications/' + encodeURIComponent(id) + '/read');
      showError(ui.panelError, null);
    } catch (err) {
      if (err.status !== 404) { e.view.read = false; paintRead(e); }
      showError(ui.panelError, err);
    }
    scheduleCount();
  }

  async function readAll() {
    ui.readAll.disabled = true;
    try {
      await api('POST', '/v1/notifications/read-all');
      for (const e of items.values()) { e.view.read = true; paintRead(e); }
      setCount(0);
      say('All notifications marked read');
      showError(ui.panelError, null);
    } catch (err) {
      showError(ui.panelError, err);
    }
    scheduleCount();
  }

  // applyState follows a change made elsewhere (SSE "state": ids, or up to a seq of a type).
  // {"refresh":true}: changes may have been missed (the server's link to its other replicas
  // was down): list again.
  function applyState(s) {
    if (s.refresh) { reload(); return; }
    for (const [id, e] of items) {
      const hit = Array.isArray(s.ids) ? s.ids.includes(id) : e.view.seq <= s.upToSeq && (!s.type || e.view.type === s.type);
      if (!hit) continue;
      if (s.readAt && !e.view.read) { e.view.read = true; paintRead(e); }
      if (s.archivedAt) { e.li.remove(); items.delete(id); }
    }
    showEmpty();
    scheduleCount();
  }

  // ---- the live stream -----------------------------------------------------------------

  function closeStream() {
    clearTimeout(retryTimer);
    if (es) { es.close(); es = null; }
  }

  // openStream subscribes from the newest seq we have. While the EventSource reconnects by
  // itself it sends Last-Event-ID, which the server prefers to the lastEventId parameter;
  // when the server refused it outright, we reconnect ourselves with backoff.
  function openStream() {
    closeStream();
    const q = [authQuery(), 'lastEventId=' + maxSeq].filter(Boolean).join('&');
    const src = new EventSource('/v1/notifications/stream?' + q);
    es = src;
    setConn('connecting', 'Connecting…');
    src.addEventListener('notification', (ev) => {
      let v;
      try { v = JSON.parse(ev.data); } catch (_) { return; }
      add(v, true);
    });
    src.addEventListener('state', (ev) => { try { applyState(JSON.parse(ev.data)); } catch (_) { /* not ours */ } });
    src.onopen = () => {
      backoff = 1000;
      setConn('live', 'Live');
      scheduleCount(); // catch up on reads made elsewhere while we were away
    };
    src.onerror = () => {
      if (es !== src) return;
      if (src.readyState === EventSource.CLOSED) {
        es = null;
        setConn('down', 'Offline, retrying…');
        refreshCount();
        retryTimer = setTimeout(() => { if (cred) openStream(); }, backoff);
        backoff = Math.min(backoff * 2, 30000);
      } else {
        setConn('connecting', 'Reconnecting…');
      }
    };
  }

  // ---- signing in and out ----------------------------------------------------------------

  function readCookie(name) {
    for (const part of document.cookie.split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === name) return decodeURIComponent(v.join('='));
    }
    return '';
  }

  function reset() {
    closeStream();
    items = new Map();
    maxSeq = 0;
    cursor = '';
    ui.list.replaceChildren();
    setCount(0);
  }

  async function start(c) {
    reset();
    cred = c;
    ui.whoLabel.textContent = c.user ? 'Signed in as user ' + c.user : c.token ? 'Signed in with a token' : 'Signed in with a cookie';
    try {
      await loadPage();
      await refreshCount();
    } catch (err) {
      if (err.status === 401) { signOut(c.cookie ? '' : 'Sign-in refused: ' + err.message); return; }
      showError(ui.panelError, err);
    }
    if (!cred) return;
    ui.signin.hidden = true;
    ui.panel.hidden = false;
    ui.who.hidden = false;
    ui.bell.disabled = false;
    ui.bell.setAttribute('aria-expanded', 'true');
    document.dispatchEvent(new CustomEvent('notifyd:signin', { detail: { headers: authHeaders() } })); // settings.js
    openStream();
    document.dispatchEvent(new CustomEvent('notifyd:auth', { detail: { headers: authHeaders() } })); // push.js
  }

  function signOut(message) {
    reset();
    document.dispatchEvent(new CustomEvent('notifyd:signout'));
    cred = null;
    document.dispatchEvent(new CustomEvent('notifyd:auth', { detail: null }));
    localStorage.removeItem(USER_KEY);
    sessionStorage.removeItem(TOKEN_KEY);
    ui.panel.hidden = true;
    ui.who.hidden = true;
    ui.bell.disabled = true;
    ui.signin.hidden = false;
    ui.devForm.hidden = mode !== 'dev';
    ui.jwtForm.hidden = mode !== 'jwt';
    ui.signinError.textContent = message || '';
    (mode === 'dev' ? ui.userId : ui.token).focus();
  }

  ui.devForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const user = ui.userId.value.trim();
    if (!user) return;
    localStorage.setItem(USER_KEY, user);
    start({ user });
  });

  ui.jwtForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = ui.token.value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    ui.token.value = '';
    start({ token });
  });

  ui.signout.addEventListener('click', () => signOut(''));
  ui.readAll.addEventListener('click', readAll);
  ui.more.addEventListener('click', () => loadPage().catch((err) => showError(ui.panelError, err)));

  ui.bell.addEventListener('click', () => {
    const open = ui.panel.hidden;
    ui.panel.hidden = !open;
    ui.bell.setAttribute('aria-expanded', String(open));
    if (open) ui.list.focus();
  });

  // Arrow keys move between notifications; Home and End jump to the ends.
  ui.list.addEventListener('keydown', (ev) => {
    const buttons = [...ui.list.querySelectorAll('button.item')];
    const i = buttons.indexOf(document.activeElement);
    let next = -1;
    if (ev.key === 'ArrowDown') next = Math.min(i + 1, buttons.length - 1);
    else if (ev.key === 'ArrowUp') next = Math.max(i - 1, 0);
    else if (ev.key === 'Home') next = 0;
    else if (ev.key === 'End') next = buttons.length - 1;
    if (next >= 0 && buttons[next]) { ev.preventDefault(); buttons[next].focus(); }
  });

  window.addEventListener('online', () => { if (cred && !es) openStream(); });
  setInterval(() => {
    for (const e of items.values()) {
      const t = e.li.querySelector('time');
      if (t) t.textContent = ago(e.view.createdAt);
    }
  }, 60000);

  // ---- boot ------------------------------------------------------------------------------

  if (mode === 'dev') {
    const user = localStorage.getItem(USER_KEY);
    if (user) start({ user }); else signOut('');
  } else {
    const token = sessionStorage.getItem(TOKEN_KEY) || readCookie(COOKIE);
    start(token ? { token } : { cookie: true });
  }
})();
