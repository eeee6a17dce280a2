// The admin API as the console calls it, and the few DOM helpers every screen shares.
import { t, status } from './i18n.js';

const key = 'notifyd-console-token';

export const token = {
  get: () => sessionStorage.getItem(key) || '',
  set: (v) => sessionStorage.setItem(key, v),
  clear: () => sessionStorage.removeItem(key),
};

// ApiError carries the server's problem document.
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || 'HTTP ' + status);
    this.status = status;
    this.problem = problem;
  }
}

// unauthorized is called when the server refuses the token (the app shows the sign-in).
let unauthorized = () => {};
export function onUnauthorized(fn) { unauthorized = fn; }

// api sends a request with the bearer token and returns the decoded answer; an error
// answer throws ApiError, and a refused token also signs the page out.
export async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + token.get() };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let doc = {};
  try { doc = text ? JSON.parse(text) : {}; } catch { doc = { detail: text }; }
  if (!res.ok) {
    const err = new ApiError(res.status, doc);
    if (res.status === 401 || res.status === 403) unauthorized(err);
    throw err;
  }
  return doc;
}

// h builds an element: h('a', {href: '#'}, 'text', child…). Attributes starting with "on"
// are listeners; text is always text, never HTML.
export function h(tag, attrs, ...children) {
  const el = document.createElementNS(tag.startsWith('svg:') ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag.replace('svg:', ''));
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// The chip classes by status; any other status (one this page does not know yet) is
// drawn neutral with its name as the server sent it.
const tone = {
  sent: 'ok', delivered: 'ok', stored: 'ok', replayed: 'ok',
  failed: 'bad', undelivered: 'bad', rejected: 'bad',
  skipped: 'muted', cancelled: 'muted',
  fallback: 'warn',
};

// chip is one channel outcome: "sms · sent ×2", "email · skipped (no_email)", and for an
// AlimTalk that fell back "kakao · failed · fell back to lms", in amber.
export function chip(channel, st, opts = {}) {
  const label = [channel, status(st)].filter(Boolean).join(' · ') + (opts.reason ? ' (' + opts.reason + ')' : '') +
    (opts.fallback ? ' · ' + t('fallback', opts.fallback.toUpperCase()) : '') + (opts.count > 1 ? ' ×' + opts.count : '');
  return h('span', { class: 'chip ' + (opts.fallback ? 'warn' : tone[st] || 'neutral'), 'data-status': st, 'data-channel': channel || null,
    'data-fallback': opts.fallback || null }, label);
}

export function announce(text) {
  const el = document.getElementById('announce');
  el.textContent = '';
  requestAnimationFrame(() => { el.textContent = text; });
}

// section is a titled part of a screen.
export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...children);
}

export function errorText(err) {
  return t('error', err.message || String(err));
}
