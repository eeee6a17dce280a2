// Small DOM helpers of the element.
let uid = 0;
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}
function safeURL(s) {
  try {
    const u = new URL(s, location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : '';
  } catch (_) { return ''; }
}
