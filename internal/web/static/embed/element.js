// The <notifyd-inbox> element: the panel, the requests, the stream, the states.
class NotifydInbox extends HTMLElement {
  static get observedAttributes() { return ['server', 'token', 'user', 'lang']; }

  constructor() {
    super();
    this.attachShadow({ mode: 'open' });
    this._tab = 'unread';
    this._token = null;
    this._maxSeq = 0;
    this._es = null;
    this._retry = null;
    this._unread = 0;
    this._provider = null;
    this._n = ++uid;
    // A page may set tokenProvider before this script upgraded the element.
    if (Object.prototype.hasOwnProperty.call(this, 'tokenProvider')) {
      const fn = this.tokenProvider;
      delete this.tokenProvider;
      this._provider = typeof fn === 'function' ? fn : null;
    }
  }

  get tokenProvider() { return this._provider; }
  set tokenProvider(fn) {
    this._provider = typeof fn === 'function' ? fn : null;
    this._token = null;
    if (this.isConnected) this._restart();
  }

  connectedCallback() {
    if (!this._ui) this._build();
    document.addEventListener('click', this._outside);
    this._restart();
  }
  disconnectedCallback() {
    document.removeEventListener('click', this._outside);
    this._stop();
  }
  attributeChangedCallback(name, old, val) {
    if (!this._ui || old === val) return;
    if (name === 'lang') this._relang(); else { this._token = null; this._restart(); }
  }

  // _relang says everything again in the new language where it stands, instead of
  // loading or drawing anew: the header and tabs, each listed row (its buttons and relative
  // time; the rows "load more" brought stay, and so do the scroll and the focus), the
  // list's message, and the settings when they are open (their switches, what was typed in
  // the time fields and any save under way stay: only their words change).
  _relang() {
    const ui = this._ui;
    this._texts();
    for (const li of ui.list.children) this._relabel(li);
    if (this._msgKey) ui.msg.textContent = this._t[this._msgKey];
    this._retextSettings();
  }

  get _lang() {
    const l = (this.getAttribute('lang') || navigator.language || 'en').toLowerCase();
    return l.startsWith('ko') ? 'ko' : 'en';
  }
  get _t() { return TEXT[this._lang]; }
  get _server() { return (this.getAttribute('server') || '').replace(/\/+$/, ''); }

  _build() {
    const root = this.shadowRoot, id = 'ndi' + this._n;
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el('style', {}, CSS));
    }
    const ui = this._ui = {};
    ui.bell = el('button', { type: 'button', class: 'bell', part: 'bell', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': id + 'p' });
    ui.bell.innerHTML = BELL; // a constant
    ui.bellName = el('span', { class: 'sr' });
    ui.bell.appendChild(ui.bellName);
    ui.badge = el('span', { class: 'badge', part: 'badge', 'aria-hidden': 'true', hidden: '' });
    ui.bell.appendChild(ui.badge);
    ui.panel = el('div', { class: 'panel', part: 'panel', id: id + 'p', role: 'dialog', 'aria-labelledby': id + 'h', hidden: '' });
    const head = el('header');
    ui.title = el('h2', { id: id + 'h' });
    ui.readAll = el('button', { type: 'button', class: 'link', 'data-act': 'read-all' });
    ui.gear = el('button', { type: 'button', class: 'link', 'data-act': 'settings', hidden: '' });
    ui.close = el('button', { type: 'button', class: 'link', 'data-act': 'close' }, '×');
    head.append(ui.title, ui.readAll, ui.gear, ui.close);
    ui.tablist = el('div', { role: 'tablist' });
    ui.tabs = {};
    for (const name of TABS) {
      const tab = el('button', { type: 'button', role: 'tab', id: id + 't-' + name, 'aria-controls': id + 'l', 'data-tab': name });
      ui.tabs[name] = tab;
      ui.tablist.appendChild(tab);
    }
    ui.view = el('div', { role: 'tabpanel', id: id + 'l', tabindex: '-1' });
    ui.list = el('ul');
    ui.more = el('button', { type: 'button', class: 'more', hidden: '' });
    ui.msg = el('p', { class: 'empty', hidden: '' });
    ui.view.append(ui.list, ui.msg, ui.more);
    ui.settings = el('form', { hidden: '' });
    ui.conn = el('div', { class: 'conn', 'data-state': 'connecting' });
    ui.live = el('div', { class: 'sr', 'aria-live': 'polite', role: 'status' });
    ui.panel.append(head, ui.tablist, ui.view, ui.settings, ui.conn);
    root.append(ui.bell, ui.panel, ui.live);

    ui.bell.addEventListener('click', () => this._toggle());
    ui.close.addEventListener('click', () => this._close(true));
    ui.readAll.addEventListener('click', () => this._readAll());
    ui.gear.addEventListener('click', () => this._showSettings(ui.settings.hidden));
    ui.more.addEventListener('click', () => this._load(this._cursor));
    ui.tablist.addEventListener('click', (e) => { const t = e.target.closest('[role=tab]'); if (t) this._select(t.dataset.tab, true); });
    ui.tablist.addEventListener('keydown', (e) => this._tabKey(e));
    const esc = (e) => { if (e.key === 'Escape' && !ui.panel.hidden) { e.stopPropagation(); this._close(true); } };
    ui.panel.addEventListener('keydown', esc);
    ui.bell.addEventListener('keydown', esc);
    ui.list.addEventListener('click', (e) => this._rowAction(e));
    this._outside = (e) => { if (!ui.panel.hidden && !e.composedPath().includes(this)) this._close(false); };
    this._texts();
  }

  _texts() {
    const t = this._t, ui = this._ui;
    ui.title.textContent = t.title;
    ui.readAll.textContent = t.readAll;
    ui.gear.textContent = ui.settings.hidden ? t.settings : t.back;
    ui.close.setAttribute('aria-label', t.close);
    ui.tablist.setAttribute('aria-label', t.tabsLabel);
    ui.more.textContent = t.more;
    for (const name of TABS) ui.tabs[name].textContent = t.tabs[name];
    this._select(this._tab, false);
    this._setCount(this._unread);
    this._setConn(ui.conn.dataset.state);
  }

  // ---- auth and requests ----
  async _getToken(refresh) {
    if (this._provider) {
      if (refresh || !this._token) this._token = await this._provider();
      return this._token || '';
    }
    return this.getAttribute('token') || '';
  }
  async _api(method, path, body, retried) {
    const headers = {};
    const token = await this._getToken(false);
    if (token) headers.Authorization = 'Bearer ' + token;
    else if (this.getAttribute('user')) headers['X-User-Id'] = this.getAttribute('user');
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this._server + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
    if (res.status === 401 && this._provider && !retried) {
      await this._getToken(true);
      return this._api(method, path, body, true);
    }
    if (!res.ok) throw new Error(method + ' ' + path + ': ' + res.status);
    return res.status === 204 ? null : res.json();
  }

  // ---- lifecycle ----
  _stop() {
    if (this._es) { this._es.close(); this._es = null; }
    clearTimeout(this._retry);
  }
  async _restart() {
    this._stop();
    const gen = this._gen = (this._gen || 0) + 1;
    this._maxSeq = 0;
    this._loaded = false;
    try {
      await Promise.all([this._load(), this._refreshCount()]);
      this._loaded = true;
    } catch (_) { /* shown by _load */ }
    if (gen !== this._gen) return; // restarted meanwhile (a new token, say)
    this._openStream();
    this._probeSettings();
  }

  // ---- the stream ----
  async _openStream(refresh) {
    if (!this.isConnected) return;
    let auth = '';
    try {
      const token = await this._getToken(refresh);
      auth = token ? 'access_token=' + encodeURIComponent(token) : 'user=' + encodeURIComponent(this.getAttribute('user') || '');
    } catch (_) { /* retried below */ }
    if (!this.isConnected || this._es) return;
    const src = new EventSource(this._server + '/v1/notifications/stream?' + auth + (this._loaded ? '&lastEventId=' + this._maxSeq : ''));
    this._es = src;
    src.onopen = () => this._setConn('live');
    src.addEventListener('notification', (e) => this._arrived(JSON.parse(e.data)));
    src.addEventListener('state', (e) => this._applyState(JSON.parse(e.data)));
    src.onerror = () => {
      if (this._es !== src) return;
      this._setConn('offline');
      // While CONNECTING the browser retries by itself, sending Last-Event-ID. CLOSED
      // means it gave up (the token was refused, say): reopen with a fresh token.
      if (src.readyState === EventSource.CLOSED) {
        src.close();
        this._es = null;
        clearTimeout(this._retry);
        this._retry = setTimeout(() => this._openStream(true), 2000);
      }
    };
  }
  _setConn(state) {
    const c = this._ui.conn;
    c.dataset.state = state || 'connecting';
    c.textContent = state === 'live' ? this._t.live : this._t.offline;
    c.hidden = state === 'live';
  }
  _arrived(v) {
    this._maxSeq = Math.max(this._maxSeq, v.seq);
    const fits = this._tab === 'archived' ? !!v.archivedAt : !v.archivedAt && !(this._tab === 'unread' && v.read);
    if (fits && !this._row(v.id)) {
      this._ui.list.prepend(this._render(v));
      this._ui.msg.hidden = true;
    }
    if (!v.read && !v.archivedAt) {
      this._setCount(this._unread + 1);
      this._say(this._t.arrived(v.message));
    }
    this._refreshCount();
  }
  _applyState(s) {
    // {"refresh":true}: changes may have been missed (the server's link to its other
    // replicas was down): list again.
    if (s.refresh) { this._load().catch(() => {}); this._refreshCount(); return; }
    const rows = [...this._ui.list.children].filter((li) =>
      s.ids ? s.ids.includes(+li.dataset.id) : +li.dataset.seq <= s.upToSeq && (!s.type || li.dataset.type === s.type));
    for (const li of rows) {
      if (s.readAt) this._paintRead(li);
      if (s.archivedAt && this._tab !== 'archived') li.remove();
      if (s.unarchived && this._tab === 'archived') li.remove();
    }
    this._refreshCount();
    if (!this._ui.list.children.length) this._showMsg('empty');
  }

  // ---- the list ----
  async _load(cursor) {
    const ui = this._ui, tab = this._tab;
    try {
      const page = await this._api('GET', '/v1/notifications?' + QUERY[tab] + '&limit=20' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      if (tab !== this._tab) return;
      if (!cursor) ui.list.replaceChildren();
      for (const v of page.notifications) {
        this._maxSeq = Math.max(this._maxSeq, v.seq);
        if (!this._row(v.id)) ui.list.appendChild(this._render(v));
      }
      this._cursor = page.nextCursor || '';
      ui.more.hidden = !this._cursor;
      if (ui.list.children.length) ui.msg.hidden = true; else this._showMsg('empty');
    } catch (err) {
      this._showMsg('error');
      throw err;
    }
  }
  // _showMsg shows the list's message: 'empty' or 'error' (a key of TEXT, kept so that a
  // language switch can say it again).
  _showMsg(key) {
    const m = this._ui.msg;
    this._msgKey = key;
    m.textContent = this._t[key];
    m.className = key === 'error' ? 'err' : 'empty';
    m.hidden = false;
  }
  _row(id) { return this._ui.list.querySelector('li[data-id="' + Number(id) + '"]'); }
  _render(v) {
    const t = this._t;
    const li = el('li', { 'data-id': v.id, 'data-seq': v.seq, 'data-type': v.type });
    const body = el('div', { class: 'body' });
    const href = safeURL(v.url);
    const msg = href ? el('a', { class: 'msg', href, target: '_blank', rel: 'noopener noreferrer' }, v.message) : el('span', { class: 'msg' }, v.message);
    const time = el('time', { datetime: v.createdAt }, this._ago(v.createdAt));
    body.append(msg, time);
    const acts = el('div', { class: 'acts' });
    if (!v.read) acts.appendChild(el('button', { type: 'button', 'data-act': 'read', 'aria-label': t.markRead + ': ' + v.message }, t.markRead));
    const arch = v.archivedAt ? 'unarchive' : 'archive';
    acts.appendChild(el('button', { type: 'button', 'data-act': arch, 'aria-label': t[arch] + ': ' + v.message }, t[arch]));
    li.append(body, acts);
    if (!v.read) li.classList.add('unread');
    return li;
  }
  // _relabel says a rendered row's words (its buttons, their names, its relative time)
  // in the current language.
  _relabel(li) {
    const t = this._t, msg = li.querySelector('.msg').textContent;
    for (const b of li.querySelectorAll('button[data-act]')) {
      const words = b.dataset.act === 'read' ? t.markRead : t[b.dataset.act];
      b.textContent = words;
      b.setAttribute('aria-label', words + ': ' + msg);
    }
    const time = li.querySelector('time');
    time.textContent = this._ago(time.getAttribute('datetime'));
  }
  _ago(iso) {
    const secs = (new Date(iso).getTime() - Date.now()) / 1000;
    const steps = [[60, 'second'], [3600, 'minute', 60], [86400, 'hour', 3600], [604800, 'day', 86400], [Infinity, 'week', 604800]];
    const rtf = new Intl.RelativeTimeFormat(this._lang, { numeric: 'auto' });
    for (const [limit, unit, div] of steps) {
      if (Math.abs(secs) < limit) return rtf.format(Math.round(secs / (div || 1)), unit);
    }
    return '';
  }
  _paintRead(li) {
    li.classList.remove('unread');
    const b = li.querySelector('[data-act=read]');
    if (b) {
      if (this.shadowRoot.activeElement === b) li.querySelector('[data-act$=archive]').focus();
      b.remove();
    }
    if (this._tab === 'unread') li.remove();
  }
  _rowAction(e) {
    const b = e.target.closest('button[data-act]');
    const li = e.target.closest('li');
    if (!li) return;
    if (!b) { // following the link marks it read
      if (e.target.closest('a') && li.classList.contains('unread')) this._mark(li, 'read');
      return;
    }
    this._mark(li, b.dataset.act);
  }
  async _mark(li, act) {
    const id = li.dataset.id;
    const next = li.nextElementSibling || li.previousElementSibling;
    if (act === 'read') { if (li.classList.contains('unread')) this._setCount(this._unread - 1); this._paintRead(li); } else { li.remove(); }
    if (!li.isConnected) {
      const f = next && next.querySelector('button');
      (f || this._ui.tabs[this._tab]).focus();
      if (!this._ui.list.children.length) this._showMsg('empty');
    }
    try {
      await this._api('POST', '/v1/notifications/' + encodeURIComponent(id) + '/' + act);
    } catch (_) { this._showMsg('error'); }
    this._refreshCount();
  }
  async _readAll() {
    for (const li of [...this._ui.list.querySelectorAll('li.unread')]) this._paintRead(li);
    this._setCount(0);
    try { await this._api('POST', '/v1/notifications/read-all'); } catch (_) { this._showMsg('error'); }
    if (this._tab === 'unread') this._showMsg('empty');
    this._refreshCount();
  }

  // ---- counts ----
  async _refreshCount() {
    clearTimeout(this._countTimer);
    await new Promise((r) => { this._countTimer = setTimeout(r, 50); });
    try {
      const c = await this._api('GET', '/v1/notifications/unread-count');
      this._setCount(c.count);
    } catch (_) { /* the badge keeps its last value */ }
  }
  _setCount(n) {
    n = Math.max(0, n | 0);
    this._unread = n;
    const ui = this._ui, t = this._t;
    ui.badge.textContent = n > 99 ? '99+' : String(n);
    ui.badge.hidden = n === 0;
    ui.badge.dataset.count = n;
    this.setAttribute('data-unread', n);
    ui.bellName.textContent = n ? t.bell + ', ' + t.unreadN(n) : t.bell;
  }
  _say(text) {
    const live = this._ui.live;
    live.textContent = '';
    setTimeout(() => { live.textContent = text; }, 30);
  }

  // ---- the panel ----
  _toggle() { if (this._ui.panel.hidden) this._open(); else this._close(true); }
  _open() {
    const ui = this._ui;
    ui.panel.hidden = false;
    ui.bell.setAttribute('aria-expanded', 'true');
    ui.tabs[this._tab].focus();
    this._api('POST', '/v1/notifications/seen').catch(() => {});
  }
  _close(focusBell) {
    const ui = this._ui;
    if (ui.panel.hidden) return;
    ui.panel.hidden = true;
    ui.bell.setAttribute('aria-expanded', 'false');
    if (focusBell) ui.bell.focus();
  }
  _select(name, load) {
    this._tab = name;
    for (const n of TABS) {
      const tab = this._ui.tabs[n], on = n === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this._ui.view.setAttribute('aria-labelledby', this._ui.tabs[name].id);
    this._ui.readAll.hidden = name === 'archived';
    if (load) { this._showSettings(false); this._load().catch(() => {}); }
  }
  _tabKey(e) {
    const i = TABS.indexOf(this._tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1 + TABS.length, Home: 0, End: TABS.length - 1 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const name = TABS[next % TABS.length];
    this._select(name, true);
    this._ui.tabs[name].focus();
  }
}

// The settings view's methods live in settings.js.
Object.assign(NotifydInbox.prototype, SETTINGS);
customElements.define('notifyd-inbox', NotifydInbox);
