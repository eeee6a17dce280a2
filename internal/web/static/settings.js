// notifyd web inbox: the settings view. The signed-in user switches channels and types
// on and off and sets quiet hours (GET/PATCH /v1/preferences: a save merges what the form
// shows, so switches the form does not show, set elsewhere, stay as they are), and gives or
// withdraws the advertising consents (GET/PUT /v1/consents). inbox.js tells it who is
// signed in with the notifyd:signin event. Server text is rendered with textContent only.
(() => {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const ui = {
    open: $('settings-open'), close: $('settings-close'), card: $('settings'), form: $('settings-form'),
    channels: $('settings-channels'), types: $('settings-types'), quietOn: $('quiet-on'),
    start: $('quiet-start'), end: $('quiet-end'), status: $('settings-status'), error: $('settings-error'),
    panel: $('panel'), ad: $('ad-consent'), nightAd: $('night-ad-consent'), adAt: $('ad-consent-at'),
  };
  const NAMES = { inbox: 'Inbox', sms: 'SMS', email: 'Email', webpush: 'Web push', mobile: 'Mobile push', kakao: 'KakaoTalk' };
  const OPTIONAL = ['sms', 'email', 'webpush', 'mobile', 'kakao'];
  let headers = null;

  async function call(method, body, path = '/v1/preferences') {
    const h = Object.assign({ Accept: 'application/json' }, headers);
    if (body) h['Content-Type'] = 'application/json';
    const res = await fetch(path, {
      method, credentials: 'same-origin', cache: 'no-store', headers: h, body: body ? JSON.stringify(body) : undefined,
    });
    let out = null;
    try { out = await res.json(); } catch (_) { /* not JSON */ }
    if (!res.ok) throw new Error((out && (out.detail || out.title)) || res.status + ' ' + res.statusText);
    return out;
  }

  function toggle(label, checked, disabled, data) {
    const l = document.createElement('label');
    l.className = 'toggle';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = checked;
    box.disabled = disabled;
    Object.assign(box.dataset, data);
    l.append(box, ' ' + label);
    return l;
  }

  function render(p) {
    ui.channels.replaceChildren(toggle(NAMES.inbox, true, true, {}));
    for (const c of OPTIONAL) ui.channels.append(toggle(NAMES[c], p.channels[c] !== false, false, { channel: c }));
    ui.types.replaceChildren();
    for (const a of p.available) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      // The type's name for people in the page's language, else its code.
      const lang = (document.documentElement.lang || 'en').toLowerCase();
      th.textContent = (a.labels && (a.labels[lang] || a.labels[lang.split('-')[0]])) || a.type;
      th.title = a.type;
      if (a.required) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'required';
        tag.title = 'Always sent: opt-outs and quiet hours do not apply';
        th.append(' ', tag);
      }
      const td = document.createElement('td');
      for (const c of a.channels) {
        const on = c === 'inbox' || a.required || ((p.types[a.type] || {})[c] !== false);
        td.append(toggle(NAMES[c] || c, on, c === 'inbox' || a.required, c === 'inbox' || a.required ? {} : { type: a.type, channel: c }));
      }
      tr.append(th, td);
      ui.types.append(tr);
    }
    ui.quietOn.checked = !!p.quietHours;
    if (p.quietHours) { ui.start.value = p.quietHours.start; ui.end.value = p.quietHours.end; }
  }

  // renderConsents shows the two advertising consents and when they were given.
  function renderConsents(c) {
    ui.ad.checked = c.adConsent;
    ui.nightAd.checked = c.nightAdConsent;
    ui.adAt.textContent = c.adConsentAt ? 'Advertising consent recorded ' + new Date(c.adConsentAt).toLocaleString() : '';
  }

  function collect() {
    const out = { channels: {}, types: {}, quietHours: null };
    for (const box of ui.channels.querySelectorAll('input[data-channel]')) out.channels[box.dataset.channel] = box.checked;
    for (const box of ui.types.querySelectorAll('input[data-type]')) {
      // every switch shown, on ones too: a merge keeps what it is not told
      (out.types[box.dataset.type] = out.types[box.dataset.type] || {})[box.dataset.channel] = box.checked;
    }
    if (ui.quietOn.checked) out.quietHours = { start: ui.start.value, end: ui.end.value };
    return out;
  }

  async function show() {
    ui.error.textContent = '';
    ui.status.textContent = '';
    try {
      render(await call('GET'));
      renderConsents(await call('GET', null, '/v1/consents'));
      ui.card.hidden = false;
      ui.panel.hidden = true;
      ui.open.setAttribute('aria-expanded', 'true');
    } catch (err) {
      ui.error.textContent = err.message;
      ui.card.hidden = false;
    }
  }

  function hide() {
    ui.card.hidden = true;
    ui.panel.hidden = false;
    ui.open.setAttribute('aria-expanded', 'false');
  }

  ui.form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    ui.error.textContent = '';
    ui.status.textContent = 'Saving…';
    try {
      render(await call('PATCH', collect()));
      renderConsents(await call('PUT', { adConsent: ui.ad.checked, nightAdConsent: ui.nightAd.checked }, '/v1/consents'));
      ui.status.textContent = 'Saved';
    } catch (err) {
      ui.status.textContent = '';
      ui.error.textContent = err.message;
    }
  });
  ui.form.addEventListener('change', () => { ui.status.textContent = ''; });
  ui.open.addEventListener('click', () => (ui.card.hidden ? show() : hide()));
  ui.close.addEventListener('click', hide);
  document.addEventListener('notifyd:signin', (ev) => { headers = ev.detail.headers; });
  document.addEventListener('notifyd:signout', () => { headers = null; ui.card.hidden = true; });
})();
