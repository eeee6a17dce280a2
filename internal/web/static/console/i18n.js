// The console's words in Korean and English. The language is the browser's unless the
// operator chose one with the switch (kept in localStorage).
const words = {
  en: {
    skip: 'Skip to content', console: 'console', nav: 'Console', activity: 'Activity', users: 'Users', templates: 'Templates',
    outbox: 'Rejected & webhooks', charts: 'Charts', signOut: 'Sign out', switchTo: '한국어로 보기', switchLabel: '한국어',
    signInTitle: 'Sign in', tokenLabel: 'Admin token', tokenHelp: 'The server\'s admin token (NOTIFY_ADMIN_TOKEN, or NOTIFY_INGEST_TOKEN where there is no separate one). Kept for this tab only.',
    signIn: 'Sign in', tokenRefused: 'The server refused this token. Check it and try again.', signedOut: 'Your session ended: sign in again.',
    filters: 'Filters', type: 'Type', status: 'Delivery status', user: 'User', anyType: 'Any type', anyStatus: 'Any status',
    eventId: 'Event id', findEvent: 'Open event', apply: 'Apply', live: 'Live: new events appear at the top', older: 'Older events',
    noEvents: 'No events yet. Events appear here as soon as notifyd accepts them, newest first.',
    received: 'Received', source: 'Source', recipients: 'Recipients', outcomes: 'Channels', newEvent: 'New event: {0}',
    notFound: 'No such event: {0}', back: 'Back', cancel: 'Cancel what has not gone out', cancelled: 'Cancelled: {0} deliveries, {1} notifications.',
    timeline: 'Timeline', payload: 'Payload', k_accepted: 'Accepted from {0}', k_notification: 'Notification #{1} for {0}',
    k_scheduled: 'Waits for {0}: {1}', k_read: 'Read by {0}', k_delivery: '{0} for {1}', k_attempt: '{0} attempt {1}', k_report: '{0}: the provider\'s report',
    provider: 'provider', messageId: 'message id', reason: 'reason', fallback: 'fell back to {0}',
    findUser: 'Find a user', userId: 'User id', open: 'Open', profile: 'Profile', noProfile: 'No profile stored for this user.',
    phone: 'Phone', email: 'Email', timeZone: 'Time zone', locale: 'Locale', adConsent: 'Advertising consent', nightAdConsent: 'Night advertising consent',
    preferences: 'Preferences', channels: 'Channels', save: 'Save', saved: 'Saved.', quietHours: 'Quiet hours', none: 'none',
    inbox: 'Inbox as the user sees it', emptyInbox: 'The inbox is empty.', unread: 'unread', devices: 'Mobile devices',
    pushSubs: 'Browsers with web push', noneYet: 'None.', topics: 'Topic subscriptions', once: 'until the first notification',
    erase: 'Erase this user', eraseHelp: 'Deletes the profile, preferences, notifications and subscriptions. Type the user id to confirm.',
    eraseConfirm: 'Type {0} to confirm', eraseDone: 'Erased: {0} notifications, {1} deliveries.', mismatch: 'That is not the user id.',
    userEvents: 'Recent events for this user',
    pickType: 'Type', sample: 'Sample event (JSON, as POST /v1/events takes)', preview: 'Preview', channelsByRole: 'Channels by role',
    smsText: 'SMS / LMS', bytes: '{0} bytes (EUC-KR)', willBe: 'goes as {0}', unencodable: 'Characters carriers cannot carry: {0}',
    emailTitle: 'Email', subject: 'Subject', push: 'Web push (browser)', inboxText: 'Inbox', alimtalk: 'KakaoTalk AlimTalk', invalidJSON: 'This is not valid JSON: {0}',
    templateCode: 'Template code', checkOK: 'Template check passed', checkOKHelp: 'Every #{…} of {0} is filled, as Kakao approved it.',
    checkFailed: 'Template check failed', checkEmpty: '#{{0}} is empty for this event: the AlimTalk would fail ({1}).',
    approved: 'The approved template', kakaoFallback: 'If Kakao cannot deliver: SMS / LMS', fallbackNone: 'Nothing more is sent (fallback: none).',
    fallbackUnknown: 'Shown once the template check passes.', truncated: 'cut to fit', notKorean: 'Not a Korean (+82) number: the AlimTalk would be skipped.',
    adNote: 'An advertisement: the SMS, email and mobile push carry (광고) and the opt-out footer (NOTIFY_AD_FOOTER), as sent.',
    adNoFooter: 'An advertisement, but NOTIFY_AD_FOOTER is not set: its messages carry (광고) without the opt-out line the law requires.',
    mobilePush: 'Mobile push (app)', notRouted: 'This type does not send it: no role of the event is routed to this channel.',
    rejected: 'Rejected messages', webhooks: 'Webhook outbox', replay: 'Replay', replayed: 'Replayed as {0}.', webhookReplayed: 'Queued again.',
    noRejected: 'No rejected messages: a message a source cannot accept is kept here with its reason.', noWebhooks: 'No webhook messages yet: state changes your endpoints subscribe to are listed here.',
    state: 'Status', code: 'Code', attempts: 'Attempts', created: 'Created', lastError: 'Last error', endpoint: 'Endpoint', event: 'Event', body: 'Body',
    lastHour: 'Last hour', lastDay: 'Last 24 hours', eventsPer: 'Events per {0}', outcomesPer: 'Deliveries by outcome, per channel',
    fallbacks: 'Fallbacks: AlimTalk → SMS / LMS', reportsOf: '{0} · reports', fallbackTo: 'to {0}', latency: 'Accept → sent, p50 and p99 (ms)',
    emptyEvents: 'Accepted events will be counted here, per {0}.', emptyOutcomes: 'Each delivery attempt will be counted here by channel and outcome, and each delivered or undelivered report from Kakao and the SMS providers.',
    emptyFallbacks: 'Deliveries that fell back to another channel (AlimTalk to SMS) will be counted here.',
    emptyLatency: 'The time from accepting an event to each sent delivery will be drawn here.',
    minute: 'minute', quarter: '15 minutes', error: 'Something went wrong: {0}', loading: 'Loading…', total: 'total',
    s_sent: 'sent', s_delivered: 'delivered', s_failed: 'failed', s_undelivered: 'undelivered', s_skipped: 'skipped', s_pending: 'pending',
    s_scheduled: 'scheduled', s_sending: 'sending', s_cancelled: 'cancelled', s_stored: 'stored', s_rejected: 'rejected', s_replayed: 'replayed',
    s_released: 'released', s_digested: 'in a digest',
  },
  ko: {
    skip: '본문으로 건너뛰기', console: '콘솔', nav: '콘솔 메뉴', activity: '활동', users: '사용자', templates: '템플릿',
    outbox: '거부 메시지·웹훅', charts: '차트', signOut: '로그아웃', switchTo: 'View in English', switchLabel: 'English',
    signInTitle: '로그인', tokenLabel: '관리자 토큰', tokenHelp: '서버의 관리자 토큰 (NOTIFY_ADMIN_TOKEN, 따로 없으면 NOTIFY_INGEST_TOKEN). 이 탭에서만 보관합니다.',
    signIn: '로그인', tokenRefused: '서버가 이 토큰을 거부했습니다. 확인하고 다시 시도하세요.', signedOut: '세션이 끝났습니다. 다시 로그인하세요.',
    filters: '필터', type: '유형', status: '발송 상태', user: '사용자', anyType: '모든 유형', anyStatus: '모든 상태',
    eventId: '이벤트 ID', findEvent: '이벤트 열기', apply: '적용', live: '실시간: 새 이벤트가 맨 위에 나타납니다', older: '이전 이벤트',
    noEvents: '아직 이벤트가 없습니다. notifyd가 이벤트를 받는 즉시 최신순으로 여기에 나타납니다.',
    received: '수신', source: '출처', recipients: '수신자', outcomes: '채널', newEvent: '새 이벤트: {0}',
    notFound: '이벤트가 없습니다: {0}', back: '뒤로', cancel: '아직 나가지 않은 발송 취소', cancelled: '취소됨: 발송 {0}건, 알림 {1}건.',
    timeline: '타임라인', payload: '페이로드', k_accepted: '{0}에서 수신', k_notification: '{0}에게 알림 #{1}',
    k_scheduled: '{0} 대기: {1}', k_read: '{0}님이 읽음', k_delivery: '{1}님 {0}', k_attempt: '{0} {1}번째 시도', k_report: '{0} 결과 보고',
    provider: '제공자', messageId: '메시지 ID', reason: '사유', fallback: '{0}로 대체 발송',
    findUser: '사용자 찾기', userId: '사용자 ID', open: '열기', profile: '프로필', noProfile: '이 사용자의 프로필이 없습니다.',
    phone: '전화번호', email: '이메일', timeZone: '시간대', locale: '언어', adConsent: '광고 수신 동의', nightAdConsent: '야간 광고 수신 동의',
    preferences: '알림 설정', channels: '채널', save: '저장', saved: '저장했습니다.', quietHours: '방해 금지 시간', none: '없음',
    inbox: '사용자에게 보이는 알림함', emptyInbox: '알림함이 비어 있습니다.', unread: '안 읽음', devices: '모바일 기기',
    pushSubs: '웹 푸시 브라우저', noneYet: '없음.', topics: '토픽 구독', once: '첫 알림까지',
    erase: '이 사용자 삭제', eraseHelp: '프로필, 설정, 알림, 구독을 모두 지웁니다. 확인하려면 사용자 ID를 입력하세요.',
    eraseConfirm: '확인하려면 {0} 입력', eraseDone: '삭제됨: 알림 {0}건, 발송 {1}건.', mismatch: '사용자 ID가 다릅니다.',
    userEvents: '이 사용자의 최근 이벤트',
    pickType: '유형', sample: '샘플 이벤트 (POST /v1/events 형식의 JSON)', preview: '미리보기', channelsByRole: '역할별 채널',
    smsText: 'SMS / LMS', bytes: '{0}바이트 (EUC-KR)', willBe: '{0}(으)로 발송', unencodable: '통신사가 보낼 수 없는 문자: {0}',
    emailTitle: '이메일', subject: '제목', push: '웹 푸시 (브라우저)', inboxText: '알림함', alimtalk: '카카오 알림톡', invalidJSON: '올바른 JSON이 아닙니다: {0}',
    templateCode: '템플릿 코드', checkOK: '템플릿 검사 통과', checkOKHelp: '{0}의 모든 #{…}이 승인된 그대로 채워집니다.',
    checkFailed: '템플릿 검사 실패', checkEmpty: '이 이벤트에서 #{{0}} 값이 비어 있어 알림톡이 실패합니다 ({1}).',
    approved: '승인된 템플릿', kakaoFallback: '카카오로 전달되지 않으면: SMS / LMS', fallbackNone: '더 보내지 않습니다 (fallback: none).',
    fallbackUnknown: '템플릿 검사를 통과하면 표시됩니다.', truncated: '길이에 맞게 자름', notKorean: '한국(+82) 번호가 아니어서 알림톡을 건너뜁니다.',
    adNote: '광고입니다: SMS, 이메일, 모바일 푸시에 발송되는 그대로 (광고) 표시와 수신거부 문구(NOTIFY_AD_FOOTER)가 붙습니다.',
    adNoFooter: '광고인데 NOTIFY_AD_FOOTER가 설정되지 않아, 법이 요구하는 무료 수신거부 문구 없이 (광고)만 붙습니다.',
    mobilePush: '모바일 푸시 (앱)', notRouted: '이 유형은 이 채널로 보내지 않습니다 (이벤트의 어느 역할도 이 채널로 보내지 않음).',
    rejected: '거부된 메시지', webhooks: '웹훅 발송함', replay: '재처리', replayed: '{0}(으)로 재처리했습니다.', webhookReplayed: '다시 대기열에 넣었습니다.',
    noRejected: '거부된 메시지가 없습니다. 받을 수 없는 메시지는 사유와 함께 여기에 보관됩니다.', noWebhooks: '웹훅 메시지가 아직 없습니다. 엔드포인트가 구독한 상태 변화가 여기에 나옵니다.',
    state: '상태', code: '코드', attempts: '시도', created: '생성', lastError: '마지막 오류', endpoint: '엔드포인트', event: '이벤트', body: '본문',
    lastHour: '최근 1시간', lastDay: '최근 24시간', eventsPer: '{0}당 이벤트', outcomesPer: '채널별 발송 결과',
    fallbacks: '대체 발송: 알림톡 → SMS / LMS', reportsOf: '{0} · 결과 보고', fallbackTo: '{0}로 대체', latency: '수신 → 발송, p50·p99 (ms)',
    emptyEvents: '받은 이벤트가 {0} 단위로 여기에 집계됩니다.', emptyOutcomes: '발송 시도마다 채널과 결과별로, 카카오와 SMS 제공자의 전달·전달 실패 보고도 여기에 집계됩니다.',
    emptyFallbacks: '다른 채널로 대체 발송된 건(알림톡 → SMS)이 여기에 집계됩니다.',
    emptyLatency: '이벤트를 받은 뒤 발송되기까지의 시간이 여기에 그려집니다.',
    minute: '1분', quarter: '15분', error: '문제가 생겼습니다: {0}', loading: '불러오는 중…', total: '합계',
    s_sent: '발송', s_delivered: '전달됨', s_failed: '실패', s_undelivered: '전달 실패', s_skipped: '건너뜀', s_pending: '대기',
    s_scheduled: '예약', s_sending: '발송 중', s_cancelled: '취소', s_stored: '저장됨', s_rejected: '거부됨', s_replayed: '재처리됨',
    s_released: '공개됨', s_digested: '묶음 대기',
  },
};

// ?lang=ko or ?lang=en in the page's address picks one too (a link to a console in a
// language), and is kept as the choice.
const asked = new URLSearchParams(location.search).get('lang');
if (asked === 'ko' || asked === 'en') localStorage.setItem('notifyd-console-lang', asked);
const browser = (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
export let lang = localStorage.getItem('notifyd-console-lang') || (browser.toLowerCase().startsWith('ko') ? 'ko' : 'en');

export function setLang(l) {
  lang = l;
  localStorage.setItem('notifyd-console-lang', l);
}

// t returns the word for key in the current language, {0}, {1}… filled with args. A key
// with no word is shown as is (a status notifyd learned after this page was written).
export function t(key, ...args) {
  const w = words[lang][key] ?? words.en[key] ?? key;
  return w.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

// status names a delivery status in the current language, or as the server sent it.
export function status(s) {
  const k = 's_' + s;
  return words[lang][k] ?? words.en[k] ?? s;
}

export function time(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });
}
