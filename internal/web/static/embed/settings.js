// The element's settings view (GET/PATCH /v1/preferences, where the server has them):
// channels, each type's optional channels, quiet hours, and the two advertising consents
// (GET/PUT /v1/consents). Every change is saved at once;
// a change the server refuses is put back and the error shown. Every word in it is a text
// node made by _text, which a language switch says again in place (_retextSettings).
// typeLabel is a type's name for people in lang ('ko', 'en'), from its labels in the
// server's config; the code when it has none.
function typeLabel(a, lang) {
  const ls = a.labels || {};
  return ls[lang] || ls[lang.split('-')[0]] || a.type;
}

const SETTINGS = {
  async _probeSettings() {
    try {
      this._prefs = await this._api('GET', '/v1/preferences');
      this._ui.gear.hidden = !this._prefs || !this._prefs.channels;
    } catch (_) { this._ui.gear.hidden = true; }
    try {
      this._consents = await this._api('GET', '/v1/consents');
    } catch (_) { this._consents = null; } // a server without them: no advertising group
  },

  _showSettings(on) {
    const ui = this._ui, t = this._t;
    ui.settings.hidden = !on;
    ui.view.hidden = on;
    ui.tablist.hidden = on;
    ui.gear.textContent = on ? t.back : t.settings;
    if (!on || !this._prefs) return;
    const p = this._prefs;
    const channels = this._group('channelsLegend');
    for (const ch of Object.keys(p.channels)) {
      channels.append(this._box((w) => w.channels[ch] || ch, ch, !!p.channels[ch], false, (v) => { p.channels[ch] = v; }));
    }
    const forms = [channels];
    const types = (p.available || []).filter((a) => a.channels.some((c) => c !== 'inbox'));
    if (types.length) {
      const byType = this._group('typesLegend');
      for (const a of types) {
        const fs = el('fieldset', { class: 'type' });
        const legend = el('legend', { title: a.type });
        legend.append(this._text((w, lang) => a.required ? typeLabel(a, lang) + ' (' + w.required + ')' : typeLabel(a, lang)));
        fs.append(legend);
        for (const ch of a.channels) {
          if (ch === 'inbox') continue;
          const off = (p.types[a.type] || {})[ch] === false;
          fs.append(this._box((w) => w.channels[ch] || ch, a.type + '.' + ch, a.required || !off, a.required, (v) => this._setType(a.type, ch, v)));
        }
        byType.append(fs);
      }
      forms.push(byType);
    }
    forms.push(this._quietGroup());
    if (this._consents) forms.push(this._consentGroup());
    ui.settings.replaceChildren(...forms);
    const first = ui.settings.querySelector('input:not([disabled])');
    if (first) first.focus();
  },

  // _text is a text node saying words(TEXT[lang], lang) in the element's language.
  _text(words) {
    const node = document.createTextNode(words(this._t, this._lang));
    node.words = words;
    return node;
  },

  // _retextSettings says the settings' words again in the current language, in place.
  _retextSettings() {
    const walk = document.createTreeWalker(this._ui.settings, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.words) n.nodeValue = n.words(this._t, this._lang);
    }
  },

  // _group is a fieldset whose legend is the word TEXT[lang][key].
  _group(key) {
    const fs = el('fieldset');
    const legend = el('legend');
    legend.append(this._text((w) => w[key]));
    fs.append(legend);
    return fs;
  },

  // _box is one checkbox labelled words(TEXT[lang], lang) whose change applies set to the
  // preferences and saves them.
  _box(words, name, checked, disabled, set) {
    const box = el('input', { type: 'checkbox', name });
    box.checked = checked;
    box.disabled = disabled;
    box.addEventListener('change', () => this._save(() => set(box.checked), () => { box.checked = !box.checked; }));
    const label = el('label');
    label.append(box, this._text(words));
    return label;
  },

  _setType(type, ch, on) {
    const types = this._prefs.types;
    const t = types[type] = Object.assign({}, types[type]);
    if (on) delete t[ch]; else t[ch] = false; // absent means on
    if (!Object.keys(t).length) delete types[type];
  },

  _quietGroup() {
    const q = this._prefs.quietHours;
    const fs = this._group('quiet');
    const start = el('input', { type: 'time', name: 'quietStart', required: '' });
    const end = el('input', { type: 'time', name: 'quietEnd', required: '' });
    start.value = q ? q.start : '22:00';
    end.value = q ? q.end : '08:00';
    const times = el('div', { class: 'times' });
    for (const [key, input] of [['quietFrom', start], ['quietUntil', end]]) {
      const l = el('label');
      l.append(this._text((w) => w[key]), input);
      times.append(l);
    }
    const apply = () => { this._prefs.quietHours = box.checked ? { start: start.value, end: end.value } : null; };
    const box = el('input', { type: 'checkbox', name: 'quiet' });
    box.checked = !!q;
    times.hidden = !q;
    box.addEventListener('change', () => {
      times.hidden = !box.checked;
      this._save(apply, () => { box.checked = !box.checked; times.hidden = !box.checked; });
    });
    for (const input of [start, end]) {
      input.addEventListener('change', () => { if (box.checked && start.value && end.value) this._save(apply, () => {}); });
    }
    const label = el('label');
    label.append(box, this._text((w) => w.quietOn));
    fs.append(label, times);
    return fs;
  },

  // _consentGroup is the two advertising consents; each change is PUT at once (the server
  // records when it was given) and put back if the server refuses it.
  _consentGroup() {
    const fs = this._group('ads');
    for (const key of ['adConsent', 'nightAdConsent']) {
      const box = el('input', { type: 'checkbox', name: key });
      box.checked = !!this._consents[key];
      box.addEventListener('change', () => {
        const run = async () => {
          try {
            this._consents = await this._api('PUT', '/v1/consents', { [key]: box.checked });
            this._say(this._t.saved);
          } catch (_) {
            box.checked = !box.checked;
            this._say(this._t.saveFailed);
          }
        };
        this._saving = (this._saving || Promise.resolve()).then(run, run);
      });
      const label = el('label');
      label.append(box, this._text((w) => w[key]));
      fs.append(label);
    }
    return fs;
  },

  // _save queues a change behind the ones still being saved, so the answers (each the
  // whole preferences after that save) come back in the order the changes were made.
  _save(apply, undo) {
    const run = () => this._put(apply, undo);
    this._saving = (this._saving || Promise.resolve()).then(run, run);
    return this._saving;
  },

  // _put applies a change to the preferences and PATCHes only what it changed (a merge:
  // what another screen or an operator set meanwhile stays); the server's answer becomes
  // the element's, and when the server refuses, the preferences and the control are put back.
  async _put(apply, undo) {
    const before = JSON.stringify(this._prefs);
    apply();
    const body = changes(JSON.parse(before), this._prefs);
    try {
      const saved = await this._api('PATCH', '/v1/preferences', body);
      if (saved && saved.channels) this._prefs = Object.assign({ available: this._prefs.available }, saved);
      this._say(this._t.saved);
    } catch (_) {
      this._prefs = JSON.parse(before);
      undo();
      this._say(this._t.saveFailed);
    }
  },
};

// changes is the PATCH body from one preferences object to the next: each channel and
// type × channel switch whose state differs (absent counts as on), and the quiet hours
// when they differ (null clears them).
function changes(a, b) {
  const out = {};
  const on = (m, k) => !m || m[k] !== false;
  const diff = (x, y) => {
    const d = {};
    for (const k of new Set([...Object.keys(x || {}), ...Object.keys(y || {})])) {
      if (on(x, k) !== on(y, k)) d[k] = on(y, k);
    }
    return d;
  };
  const ch = diff(a.channels, b.channels);
  if (Object.keys(ch).length) out.channels = ch;
  const types = {};
  for (const t of new Set([...Object.keys(a.types || {}), ...Object.keys(b.types || {})])) {
    const d = diff((a.types || {})[t], (b.types || {})[t]);
    if (Object.keys(d).length) types[t] = d;
  }
  if (Object.keys(types).length) out.types = types;
  if (JSON.stringify(a.quietHours || null) !== JSON.stringify(b.quietHours || null)) out.quietHours = b.quietHours || null;
  return out;
}
