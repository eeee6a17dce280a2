// The console: a sign-in, then one screen per route (#/activity, #/event/<id>, #/user/<id>,
// #/templates, #/outbox, #/charts). No framework: each screen is a module whose render
// returns its element and, when it polls, a stop function.
import { t, lang, setLang } from './i18n.js';
import { api, token, onUnauthorized, h } from './api.js';
import * as activity from './activity.js';
import * as eventScreen from './event.js';
import * as user from './user.js';
import * as templates from './templates.js';
import * as outbox from './outbox.js';
import * as charts from './charts.js';

const main = document.getElementById('main');
const nav = document.querySelector('nav');
const signout = document.querySelector('.signout');
let stop = null;

const routes = {
  activity: () => activity.render(),
  event: (id) => eventScreen.render(id),
  user: (id) => user.render(id),
  templates: () => templates.render(),
  outbox: () => outbox.render(),
  charts: () => charts.render(),
};

function translateChrome() {
  document.documentElement.lang = lang;
  document.title = 'notifyd ' + t('console');
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  nav.setAttribute('aria-label', t('nav'));
  const sw = document.querySelector('.lang');
  sw.textContent = t('switchLabel');
  sw.title = t('switchTo');
  sw.setAttribute('lang', lang === 'ko' ? 'en' : 'ko');
}

function showSignIn(message) {
  if (stop) stop();
  stop = null;
  nav.hidden = signout.hidden = true;
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'token-help' + (message ? ' token-error' : '') });
  const form = h('form', { class: 'card signin', onsubmit: async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    try {
      await api('GET', '/v1/events?limit=1');
      route();
    } catch (err) {
      token.clear();
      showSignIn(err.status === 401 || err.status === 403 ? t('tokenRefused') : err.message);
    }
  } },
  h('h1', {}, t('signInTitle')),
  h('label', { for: 'token' }, t('tokenLabel')), input,
  h('p', { id: 'token-help', class: 'help' }, t('tokenHelp')),
  message && h('p', { id: 'token-error', class: 'error', role: 'alert' }, message),
  h('button', { type: 'submit' }, t('signIn')));
  main.replaceChildren(form);
  input.focus();
}

// route draws the screen the hash names.
async function route() {
  if (!token.get()) return showSignIn();
  nav.hidden = signout.hidden = false;
  const parts = location.hash.split('?')[0].replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const name = routes[parts[0]] ? parts[0] : 'activity';
  const draw = routes[name];
  const rest = parts.slice(1);
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === '#/' + name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (stop) stop();
  stop = null;
  const screen = await draw(rest.join('/'));
  if (!token.get()) return; // the token was refused while drawing
  main.replaceChildren(screen.el);
  stop = screen.stop || null;
  const heading = main.querySelector('h1');
  if (heading && document.activeElement !== document.body && !main.contains(document.activeElement)) heading.focus();
}

onUnauthorized(() => {
  token.clear();
  showSignIn(t('tokenRefused'));
});
signout.addEventListener('click', () => { token.clear(); showSignIn(); });
document.querySelector('.lang').addEventListener('click', () => {
  setLang(lang === 'ko' ? 'en' : 'ko');
  translateChrome();
  if (token.get()) route(); else showSignIn();
});
window.addEventListener('hashchange', () => route());
translateChrome();
route();
