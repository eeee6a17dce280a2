// The element's UI text (Korean and English), its tabs and each tab's list query.
const TEXT = {
  en: {
    title: 'Notifications', bell: 'Notifications', unreadN: (n) => n + ' unread',
    tabs: { unread: 'Unread', all: 'All', archived: 'Archived' }, tabsLabel: 'Filter notifications',
    readAll: 'Mark all read', markRead: 'Mark read', archive: 'Archive', unarchive: 'Restore',
    more: 'Load more', empty: 'Nothing here.', error: 'Could not reach notifications.',
    arrived: (m) => 'New notification: ' + m, settings: 'Settings', back: 'Back',
    channels: { sms: 'Text messages', email: 'Email', webpush: 'Browser push', mobile: 'App notifications', kakao: 'KakaoTalk' }, saved: 'Settings saved.',
    saveFailed: 'Could not save the settings.', channelsLegend: 'Send me', typesLegend: 'By notification type',
    required: 'always sent', quiet: 'Quiet hours', quietOn: 'Hold texts and pushes at night',
    quietFrom: 'From', quietUntil: 'Until',
    ads: 'Advertising', adConsent: 'Send me offers and promotions', nightAdConsent: 'Also between 21:00 and 08:00',
    live: 'Live', offline: 'Reconnecting…', close: 'Close',
  },
  ko: {
    title: '알림', bell: '알림', unreadN: (n) => '읽지 않은 알림 ' + n + '개',
    tabs: { unread: '안 읽음', all: '전체', archived: '보관함' }, tabsLabel: '알림 필터',
    readAll: '모두 읽음', markRead: '읽음 표시', archive: '보관', unarchive: '보관 해제',
    more: '더 보기', empty: '알림이 없습니다.', error: '알림을 불러오지 못했습니다.',
    arrived: (m) => '새 알림: ' + m, settings: '설정', back: '뒤로',
    channels: { sms: '문자 메시지', email: '이메일', webpush: '브라우저 푸시', mobile: '앱 알림', kakao: '카카오톡' }, saved: '설정을 저장했습니다.',
    saveFailed: '설정을 저장하지 못했습니다.', channelsLegend: '받을 채널', typesLegend: '알림 종류별',
    required: '항상 발송', quiet: '방해 금지 시간', quietOn: '밤에는 문자와 푸시 보류',
    quietFrom: '시작', quietUntil: '종료',
    ads: '광고', adConsent: '광고성 정보 수신 동의', nightAdConsent: '야간(21:00~08:00) 광고 수신 동의',
    live: '실시간', offline: '다시 연결하는 중…', close: '닫기',
  },
};
const TABS = ['unread', 'all', 'archived'];
const QUERY = { unread: 'status=unread', all: 'status=all', archived: 'archived=only' };

