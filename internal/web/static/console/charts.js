// Charts of the traffic notifyd keeps itself (GET /v1/admin/stats): events per bucket,
// deliveries by outcome per channel (and the providers' delivered/undelivered reports),
// fallbacks (AlimTalk to SMS or LMS), and accept-to-sent latency. Drawn by hand
// in SVG: four plain shapes (bars, stacked bars, two lines) are less code than a charting
// library's configuration, and nothing has to be vendored or fetched.
import { t, status, lang } from './i18n.js';
import { api, h } from './api.js';

const W = 480;
const H = 180;
const pad = { l: 44, r: 8, t: 10, b: 24 };
const s = (tag, attrs, ...c) => h('svg:' + tag, attrs, ...c);

// series lays counts on every bucket of the range (zero where the server sent none).
function series(doc, list, value) {
  const step = (new Date(doc.to) - new Date(doc.from)) / doc.buckets;
  const out = new Array(doc.buckets).fill(0);
  for (const c of list) {
    const i = Math.floor((new Date(c.t) - new Date(doc.from)) / step);
    if (i >= 0 && i < out.length) out[i] += value(c);
  }
  return out;
}

function axis(max, label) {
  const y = (v) => pad.t + (H - pad.t - pad.b) * (1 - v / max);
  return [s('line', { x1: pad.l, x2: W - pad.r, y1: y(0), y2: y(0), class: 'axis' }),
    s('text', { x: pad.l - 4, y: y(max) + 10, class: 'tick', 'text-anchor': 'end' }, String(max)),
    s('text', { x: pad.l - 4, y: y(0), class: 'tick', 'text-anchor': 'end' }, '0'),
    s('text', { x: pad.l, y: H - 4, class: 'tick' }, label[0]),
    s('text', { x: W - pad.r, y: H - 4, class: 'tick', 'text-anchor': 'end' }, label[1])];
}

function bars(values, cls, labels) {
  const max = Math.max(1, ...values);
  const bw = (W - pad.l - pad.r) / values.length;
  const ih = H - pad.t - pad.b;
  return [axis(max, labels), values.map((v, i) => v > 0 ? s('rect', { x: pad.l + i * bw + 0.5, width: Math.max(bw - 1, 1), y: pad.t + ih * (1 - v / max), height: ih * v / max, class: cls },
    s('title', {}, String(v))) : '')];
}

function lines(a, b, labels) {
  const max = Math.max(1, ...a.filter((v) => v !== null), ...b.filter((v) => v !== null));
  const bw = (W - pad.l - pad.r) / a.length;
  const ih = H - pad.t - pad.b;
  const path = (vals) => vals.map((v, i) => v === null ? null : `${pad.l + (i + 0.5) * bw},${pad.t + ih * (1 - v / max)}`).filter(Boolean).join(' ');
  const dots = (vals, cls) => vals.map((v, i) => v === null ? '' : s('circle', { cx: pad.l + (i + 0.5) * bw, cy: pad.t + ih * (1 - v / max), r: 2.5, class: cls }));
  return [axis(max, labels), s('polyline', { points: path(a), class: 'p50' }), s('polyline', { points: path(b), class: 'p99' }), dots(a, 'p50'), dots(b, 'p99')];
}

function figure(title, summary, empty, body, legend) {
  return h('figure', { class: 'card chart' }, h('figcaption', {}, h('h2', {}, title)),
    empty ? h('p', { class: 'help empty' }, empty)
      : [s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': summary }, body), legend || ''],
  );
}

function timeLabels(doc) {
  const f = (d) => new Date(d).toLocaleTimeString(lang === 'ko' ? 'ko-KR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
  return [f(doc.from), f(doc.to)];
}

// The providers' reports on a sent message: drawn on a row of their own under the
// channel's attempts, so a sent AlimTalk later delivered is not counted twice in one bar.
const reported = new Set(['delivered', 'undelivered']);

// outcomeBars: one stacked bar per channel, its statuses side by side in proportion, and
// under it a bar of the reports the channel's providers sent back (kakao, Korean SMS).
function outcomeBars(outcomes) {
  const by = {};
  for (const o of outcomes) {
    const row = reported.has(o.status) ? o.channel + '\u0000' : o.channel;
    (by[row] ||= {})[o.status] = (by[row][o.status] || 0) + o.n;
  }
  const rowsOf = Object.keys(by).sort();
  const rowH = 34;
  const left = 150;
  const height = rowsOf.length * rowH + 8;
  const max = Math.max(1, ...rowsOf.map((c) => Object.values(by[c]).reduce((a, b) => a + b, 0)));
  const name = (c) => c.endsWith('\u0000') ? t('reportsOf', c.slice(0, -1)) : c;
  const rows = rowsOf.map((c, i) => {
    let x = left;
    const segs = Object.entries(by[c]).sort().map(([st, n]) => {
      const w = (W - left - 50) * n / max;
      const r = s('rect', { x, y: 4 + i * rowH, width: Math.max(w, 1), height: rowH - 8, class: 'st-' + st }, s('title', {}, status(st) + ': ' + n));
      x += w;
      return r;
    });
    const total = Object.values(by[c]).reduce((a, b) => a + b, 0);
    return [s('text', { x: left - 6, y: 4 + i * rowH + rowH / 2 + 5, class: 'tick', 'text-anchor': 'end' }, name(c)), segs,
      s('text', { x: x + 6, y: 4 + i * rowH + rowH / 2 + 5, class: 'tick' }, String(total))];
  });
  const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
  const summary = rowsOf.map((c) => name(c) + ': ' + Object.entries(by[c]).map(([st, n]) => status(st) + ' ' + n).join(', ')).join('; ');
  return { svg: s('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': summary, class: 'outcomes' }, rows),
    legend: h('ul', { class: 'legend' }, statuses.map((st) => h('li', { 'data-status': st }, h('span', { class: 'swatch st-' + st }), status(st)))) };
}

// stacked bars: per bucket, one segment per kind (a fallback's SMS or LMS).
function stacked(doc, list, kinds, labels) {
  const per = Object.fromEntries(kinds.map((k) => [k, series(doc, list.filter((c) => c.to === k), (c) => c.n)]));
  const totals = per[kinds[0]].map((_, i) => kinds.reduce((a, k) => a + per[k][i], 0));
  const max = Math.max(1, ...totals);
  const bw = (W - pad.l - pad.r) / totals.length;
  const ih = H - pad.t - pad.b;
  return [axis(max, labels), totals.map((_, i) => {
    let y = pad.t + ih;
    return kinds.map((k) => {
      const v = per[k][i];
      if (!v) return '';
      const hgt = ih * v / max;
      y -= hgt;
      return s('rect', { x: pad.l + i * bw + 0.5, width: Math.max(bw - 1, 1), y, height: hgt, class: 'fb-' + k }, s('title', {}, k.toUpperCase() + ': ' + v));
    });
  })];
}

export async function render() {
  const el = h('div', { class: 'screen charts' });
  const body = h('div', { class: 'grid' });
  let range = new URLSearchParams(location.hash.split('?')[1] || '').get('range') === '24h' ? '24h' : '1h';
  const pick = (r, label) => h('button', { type: 'button', class: 'seg', 'aria-pressed': String(range === r), onclick: () => { range = r; draw(); } }, label);
  const switcher = h('div', { class: 'segs', role: 'group', 'aria-label': t('charts') });
  const draw = async () => {
    switcher.replaceChildren(pick('1h', t('lastHour')), pick('24h', t('lastDay')));
    const doc = await api('GET', '/v1/admin/stats?range=' + range);
    doc.buckets = range === '1h' ? 60 : 96;
    const per = range === '1h' ? t('minute') : t('quarter');
    const labels = timeLabels(doc);
    const ev = series(doc, doc.events, (c) => c.n);
    const fb = series(doc, doc.fallbacks, (c) => c.n);
    const fbKinds = [...new Set(doc.fallbacks.map((c) => c.to))].sort();
    const fbBy = fbKinds.map((k) => k.toUpperCase() + ' ' + doc.fallbacks.filter((c) => c.to === k).reduce((a, c) => a + c.n, 0)).join(', ');
    const p50 = new Array(doc.buckets).fill(null);
    const p99 = new Array(doc.buckets).fill(null);
    const step = (new Date(doc.to) - new Date(doc.from)) / doc.buckets;
    for (const l of doc.latency) {
      const i = Math.floor((new Date(l.t) - new Date(doc.from)) / step);
      if (i >= 0 && i < doc.buckets) { p50[i] = l.p50; p99[i] = l.p99; }
    }
    const sum = (a) => a.reduce((x, y) => x + y, 0);
    const out = doc.outcomes.length ? outcomeBars(doc.outcomes) : null;
    body.replaceChildren(
      figure(t('eventsPer', per), t('eventsPer', per) + ': ' + t('total') + ' ' + sum(ev), sum(ev) ? '' : t('emptyEvents', per), bars(ev, 'bar-events', labels)),
      h('figure', { class: 'card chart' }, h('figcaption', {}, h('h2', {}, t('outcomesPer'))), out ? [out.svg, out.legend] : h('p', { class: 'help empty' }, t('emptyOutcomes'))),
      figure(t('fallbacks'), t('fallbacks') + ': ' + t('total') + ' ' + sum(fb) + (fbBy ? ' (' + fbBy + ')' : ''), sum(fb) ? '' : t('emptyFallbacks'),
        stacked(doc, doc.fallbacks, fbKinds, labels),
        h('ul', { class: 'legend' }, fbKinds.map((k) => h('li', {}, h('span', { class: 'swatch fb-' + k }), t('fallbackTo', k.toUpperCase()))))),
      figure(t('latency'), t('latency') + ': p50 ' + (doc.latency.at(-1)?.p50 ?? '') + ', p99 ' + (doc.latency.at(-1)?.p99 ?? ''), doc.latency.length ? '' : t('emptyLatency'),
        lines(p50, p99, labels), h('ul', { class: 'legend' }, h('li', {}, h('span', { class: 'swatch p50' }), 'p50'), h('li', {}, h('span', { class: 'swatch p99' }), 'p99'))),
    );
    el.dataset.drawn = String(Date.now());
  };
  el.append(h('h1', { tabindex: '-1' }, t('charts')), switcher, body);
  await draw();
  const poll = setInterval(() => draw().catch(() => {}), 10000);
  return { el, stop: () => clearInterval(poll) };
}
