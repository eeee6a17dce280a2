// Templates: pick a type and a sample event (or paste one) and see what each channel
// would send: the inbox text, the SMS or LMS with its EUC-KR byte count, the email (its
// HTML in a sandboxed frame: no scripts, no same origin), the pushes, the AlimTalk with
// its template check, and an advertisement's marks. Nothing is stored or sent.
import { t } from './i18n.js';
import { api, h, section, errorText } from './api.js';

function sample(type) {
  return JSON.stringify({
    whoToNotify: [{ userId: 'buyer-1', role: 'CUSTOMER', phoneNumber: '+821012345678', email: 'buyer@example.com' }],
    publishInformation: { notificationType: type, eventId: 'preview-1', message: '주문하신 상품의 배송이 시작되었습니다. 송장번호 1234-5678', url: 'https://shop.example/orders/1001', data: { orderId: 1001, buyerName: '김민수', invoiceNo: '1234-5678' } },
  }, null, 2);
}

// kakaoPart is the AlimTalk as its provider gets it: the template check first (the
// send-time check the kakao channel runs; the start-up one passed, or the server would
// not run), the text, the buttons, and the SMS/LMS it falls back to.
function kakaoPart(k) {
  const check = k.check.ok
    ? h('p', { class: 'pv-check ok', 'data-ok': 'true' }, h('span', { class: 'chip ok' }, t('checkOK')), ' ', t('checkOKHelp', k.template))
    : h('p', { class: 'pv-check error', 'data-ok': 'false', role: 'alert' }, h('span', { class: 'chip bad' }, t('checkFailed')), ' ',
      k.check.variable ? t('checkEmpty', k.check.variable, k.check.reason) : k.check.error);
  const fb = k.fallback;
  return section(t('alimtalk'),
    h('dl', { class: 'facts' }, h('dt', {}, t('templateCode')), h('dd', {}, h('code', { class: 'pv-template' }, k.template))),
    check,
    k.number ? h('p', { class: 'error' }, t('notKorean')) : '',
    k.text ? h('pre', { class: 'pv-kakao', tabindex: '0' }, k.text) : '',
    k.buttons && k.buttons.length ? h('ul', { class: 'list pv-buttons' }, k.buttons.map((b) => h('li', {}, h('span', { class: 'chip neutral' }, b.type), ' ', h('strong', {}, b.name), b.url ? [' → ', h('span', { class: 'url' }, b.url)] : ''))) : '',
    h('details', {}, h('summary', {}, t('approved')), h('pre', { class: 'json' }, k.approved)),
    h('h3', {}, t('kakaoFallback')),
    fb ? [h('pre', { class: 'pv-sms pv-fb', tabindex: '0' }, fb.text),
      h('p', { class: 'bytes' }, h('strong', { class: 'pv-fb-bytes', 'data-bytes': fb.bytes }, t('bytes', fb.bytes)), ' · ', h('span', { class: 'pv-fb-kind' }, t('willBe', fb.kind)),
        fb.subject ? [' · ', t('subject'), ': ', fb.subject] : '', fb.truncated ? [' · ', t('truncated')] : '')]
      : h('p', { class: 'help' }, k.check.ok ? t('fallbackNone') : t('fallbackUnknown')));
}

function results(r) {
  // A channel none of the event's roles is routed to is still shown (a type's routing may
  // change), marked so: the type does not send it.
  const routed = new Set(Object.values(r.channels).flat());
  const unrouted = (ch) => routed.has(ch) ? '' : h('p', { class: 'help unrouted', 'data-channel': ch }, t('notRouted'));
  const ad = r.advertising ? h('p', { class: r.adFooter ? 'help pv-ad' : 'error pv-ad' }, r.adFooter ? t('adNote') : t('adNoFooter')) : '';
  const parts = [
    section(t('channelsByRole'), h('dl', { class: 'facts' }, Object.entries(r.channels).map(([role, cs]) => [h('dt', {}, role), h('dd', {}, cs.join(', '))])), ad),
    section(t('inboxText'), h('p', { class: 'pv-inbox' }, r.inbox.message), r.inbox.url ? h('p', { class: 'sub' }, r.inbox.url) : ''),
    section(t('smsText'), unrouted('sms'), h('pre', { class: 'pv-sms', tabindex: '0' }, r.sms.text),
      h('p', { class: 'bytes' }, h('strong', { class: 'pv-bytes', 'data-bytes': r.sms.bytes }, t('bytes', r.sms.bytes)), ' · ', h('span', { class: 'pv-kind' }, t('willBe', r.sms.kind))),
      r.sms.unencodable ? h('p', { class: 'error' }, t('unencodable', r.sms.unencodable.join(' '))) : ''),
  ];
  if (r.kakao) parts.splice(1, 0, kakaoPart(r.kakao));
  if (r.email) {
    const frame = h('iframe', { class: 'pv-email', sandbox: '', title: t('emailTitle') + ': ' + r.email.subject, referrerpolicy: 'no-referrer' });
    frame.srcdoc = r.email.html;
    parts.push(section(t('emailTitle'), unrouted('email'), h('p', {}, h('strong', {}, t('subject') + ': '), r.email.subject), frame));
  }
  if (r.mobilePush) {
    parts.push(section(t('mobilePush'), unrouted('mobile'), h('p', {}, h('strong', {}, r.mobilePush.title)), h('pre', { class: 'pv-sms pv-mobile', tabindex: '0' }, r.mobilePush.body)));
  }
  parts.push(section(t('push'), unrouted('webpush'), h('pre', { class: 'json', tabindex: '0' }, JSON.stringify(r.push, null, 2))));
  return parts;
}

export async function render() {
  const types = await api('GET', '/v1/admin/types').then((x) => x.types);
  const typeSel = h('select', { id: 'pv-type' }, types.map((ty) => h('option', { value: ty.type }, ty.type)));
  const area = h('textarea', { id: 'pv-event', rows: '12', spellcheck: 'false', 'aria-describedby': 'pv-error' });
  const fieldError = h('p', { id: 'pv-error', class: 'error field-error', role: 'alert' });
  const out = h('div', { class: 'grid' });
  area.value = sample(typeSel.value);
  typeSel.addEventListener('change', () => {
    try {
      const ev = JSON.parse(area.value);
      ev.publishInformation.notificationType = typeSel.value;
      area.value = JSON.stringify(ev, null, 2);
    } catch { area.value = sample(typeSel.value); }
  });
  const form = h('form', { class: 'card preview', onsubmit: async (e) => {
    e.preventDefault();
    fieldError.textContent = '';
    area.removeAttribute('aria-invalid');
    let event;
    try { event = JSON.parse(area.value); } catch (err) {
      fieldError.textContent = t('invalidJSON', err.message);
      area.setAttribute('aria-invalid', 'true');
      return;
    }
    try {
      out.replaceChildren(...results(await api('POST', '/v1/admin/preview', { type: typeSel.value, event })));
    } catch (err) {
      out.replaceChildren();
      const p = err.problem || {};
      fieldError.textContent = p.field ? p.field + ': ' + (p.detail || err.message) : errorText(err);
      area.setAttribute('aria-invalid', 'true');
    }
  } },
  h('div', {}, h('label', { for: 'pv-type' }, t('pickType')), typeSel),
  h('div', {}, h('label', { for: 'pv-event' }, t('sample')), area, fieldError),
  h('button', { type: 'submit' }, t('preview')));
  return { el: h('div', { class: 'screen' }, h('h1', { tabindex: '-1' }, t('templates')), form, out) };
}
