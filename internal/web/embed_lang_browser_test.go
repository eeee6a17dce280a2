package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

// TestEmbedLanguageSwitchRedrawsOpenViews opens each of the element's views in English —
// the unread list after "load more", the all and archived lists, the empty list and the
// settings (channels, types, quiet hours, advertising) — switches lang to "ko" while it is
// open, and checks that the view itself, not only the header, is in Korean, and that it
// kept where it stood: the rows loaded, the scroll, the switches, a time typed but not
// saved, the focus. (The settings used to stay English, and the list went back to its
// first page.)
func TestEmbedLanguageSwitchRedrawsOpenViews(t *testing.T) {
	b := newBrowser(t, 120*time.Second)
	var server string
	host := shop(t, &server, "alice")
	base := apptest.Start(t, app.Config{Auth: "jwt", JWTSecret: jwtSecret, IngestToken: ingestToken, CORSOrigins: []string{host.URL}}).URL
	server = base
	bearer := []string{"Authorization", "Bearer " + jwtToken(t, "alice")}

	// 22 notifications, one archived: 21 unread, one page of 20 and "load more".
	var ids []int64
	for i := range 22 {
		ids = append(ids, publish(t, base, typedEvent("ORDER_CREATED", "alice", fmt.Sprintf("lang-%d", i), fmt.Sprintf("주문이 완료되었습니다. #%d", i), "https://shop.example/orders/1")))
	}
	if got := callWith(t, http.MethodPost, base+"/v1/notifications/"+itoa(ids[0])+"/archive", bearer, nil, nil); got/100 != 2 {
		t.Fatalf("archive: %d", got)
	}

	setLang := func(l string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.querySelector('notifyd-inbox').setAttribute('lang', '` + l + `')`)
	}
	// Korean everywhere the list shows words: header, tabs, bell, each row's buttons and time.
	const koreanChrome = `$r('h2').textContent === '알림' && $r('[data-tab=unread]').textContent === '안 읽음' &&
		$r('.bell .sr').textContent.startsWith('알림') && $r('[data-act=close]').getAttribute('aria-label') === '닫기'`
	const koreanRows = `$all('li').every((li) => /전|지금/.test(li.querySelector('time').textContent) &&
		[...li.querySelectorAll('button[data-act]')].every((b) => ['읽음 표시', '보관', '보관 해제'].includes(b.textContent) &&
			b.getAttribute('aria-label').startsWith(b.textContent + ': ')))`
	const englishRows = `$all('li').length > 0 && $all('li button[data-act]').every((b) => ['Mark read', 'Archive', 'Restore'].includes(b.textContent))`

	b.run("load the shop's page in English and open the panel",
		chromedp.Navigate(host.URL+"/?lang=en&mode=attr&script=module"),
		poll(`window.$r && $r('.conn') && $r('.conn').dataset.state === 'live' && $all('li').length === 20 && !$r('.more').hidden`),
		chromedp.Evaluate[chromedp.Void](`$r('.bell').click()`),
		poll(`!$r('.panel').hidden && $r('h2').textContent === 'Notifications'`),
	)

	b.run("unread: load more, scroll down, focus a row's button; then Korean",
		chromedp.Evaluate[chromedp.Void](`$r('.more').click()`),
		poll(`$all('li').length === 21 && $r('.more').hidden && `+englishRows),
		chromedp.Evaluate[chromedp.Void](`$r('.panel').scrollTop = 300; $all('li')[15].querySelector('[data-act=archive]').focus()`),
		poll(`$r('.panel').scrollTop > 0`),
		setLang("ko"),
		poll(koreanChrome+` && $r('.more').textContent === '더 보기' && `+koreanRows),
	)
	kept := get(b, "read what the unread list kept", chromedp.Evaluate[string](`[$all('li').length, $r('.panel').scrollTop > 0,
		$r('.bell').getRootNode().activeElement === $all('li')[15].querySelector('[data-act=archive]')].join()`))
	if kept != "21,true,true" {
		t.Errorf("after the switch the unread list has rows, scrolled, focus kept = %s; want 21,true,true", kept)
	}

	for _, tab := range []struct{ name, label string }{{"all", "전체"}, {"archived", "보관함"}} {
		b.run(tab.name+" in English, then Korean",
			setLang("en"),
			chromedp.Evaluate[chromedp.Void](`$r('[data-tab=`+tab.name+`]').click()`),
			poll(`$r('[data-tab=`+tab.name+`]').getAttribute('aria-selected') === 'true' && `+englishRows),
			setLang("ko"),
			poll(koreanChrome+` && $r('[data-tab=`+tab.name+`]').textContent === '`+tab.label+`' && $all('li').length > 0 && `+koreanRows),
		)
	}
	b.run("the archived list's row is restorable, in Korean",
		poll(`$all('li').length === 1 && $r('li [data-act=unarchive]').textContent === '보관 해제'`))

	b.run("the empty unread list in English, then Korean",
		setLang("en"),
		chromedp.Evaluate[chromedp.Void](`$r('[data-tab=unread]').click()`),
		poll(`$all('li').length > 0`),
		chromedp.Evaluate[chromedp.Void](`$r('[data-act=read-all]').click()`),
		poll(`!$r('.empty').hidden && $r('.empty').textContent === 'Nothing here.'`),
		setLang("ko"),
		poll(koreanChrome+` && !$r('.empty').hidden && $r('.empty').textContent === '알림이 없습니다.' && $r('[data-act=read-all]').textContent === '모두 읽음'`),
	)

	// The settings: switch text messages off (saved), type a start time without turning
	// quiet hours on (not saved), focus the email switch; then Korean.
	typ := "ORDER_CREATED"
	rt, ok := notify.DefaultRegistry().Lookup(typ)
	if !ok || rt.Labels["ko"] == "" || rt.Labels["en"] == "" {
		t.Fatalf("%s has no Korean and English labels: %+v", typ, rt.Labels)
	}
	b.run("the settings in English",
		setLang("en"),
		poll(`!$r('[data-act=settings]').hidden`),
		chromedp.Evaluate[chromedp.Void](`$r('[data-act=settings]').click()`),
		poll(`$r('form input[name=sms]') !== null && $r('form input[name=adConsent]') !== null && $r('[data-act=settings]').textContent === 'Back'`),
		chromedp.Evaluate[chromedp.Void](`$r('[aria-live]').textContent = ''; $r('form input[name=sms]').click()`),
		poll(`$r('[aria-live]').textContent === 'Settings saved.'`),
		chromedp.Evaluate[chromedp.Void](`$r('form [name=quietStart]').value = '21:30'; $r('form input[name=email]').focus()`),
	)
	settingsText := `[...$r('form').querySelectorAll('legend, label')].map((e) => e.textContent.trim()).join('|')`
	en := get(b, "read the English settings", chromedp.Evaluate[string](settingsText))
	for _, w := range []string{"Send me", "Text messages", "Email", "By notification type", rt.Labels["en"], "Quiet hours", "Hold texts and pushes at night", "From", "Until", "Advertising", "Send me offers and promotions"} {
		if !strings.Contains(en, w) {
			t.Errorf("the English settings lack %q: %s", w, en)
		}
	}
	b.run("the settings switch to Korean", setLang("ko"),
		poll(koreanChrome+` && !$r('form').hidden && $r('[role=tabpanel]').hidden`))
	if gear := get(b, "read the settings button", chromedp.Evaluate[string](`$r('[data-act=settings]').textContent`)); gear != "뒤로" {
		t.Errorf("with the settings open the button back to the list reads %q, want 뒤로", gear)
	}
	ko := get(b, "read the Korean settings", chromedp.Evaluate[string](settingsText))
	for _, w := range []string{"받을 채널", "문자 메시지", "이메일", "알림 종류별", rt.Labels["ko"], "방해 금지 시간", "밤에는 문자와 푸시 보류", "시작", "종료", "광고", "광고성 정보 수신 동의", "야간(21:00~08:00) 광고 수신 동의"} {
		if !strings.Contains(ko, w) {
			t.Errorf("the Korean settings lack %q: %s", w, ko)
		}
	}
	for _, w := range []string{"Send me", "Text messages", "Email", "By notification type", rt.Labels["en"], "Quiet hours", "From", "Until", "Advertising"} {
		if strings.Contains(ko, w) {
			t.Errorf("the settings still say %q after the switch to Korean: %s", w, ko)
		}
	}
	state := get(b, "read what the settings kept", chromedp.Evaluate[string](`[$r('form input[name=sms]').checked, $r('form [name=quietStart]').value,
		$r('form input[name=quiet]').checked, $r('.bell').getRootNode().activeElement === $r('form input[name=email]')].join()`))
	if state != "false,21:30,false,true" {
		t.Errorf("after the switch the settings kept sms on, quiet start, quiet on, focus = %s; want false,21:30,false,true", state)
	}
	b.run("a change after the switch is saved and announced in Korean",
		chromedp.Evaluate[chromedp.Void](`$r('[aria-live]').textContent = ''; $r('form input[name=quiet]').click()`),
		poll(`$r('[aria-live]').textContent === '설정을 저장했습니다.'`),
	)
	b.eventually("the server to have SMS off and quiet hours from 21:30", func() bool {
		var p struct {
			Channels   map[string]bool              `json:"channels"`
			QuietHours *struct{ Start, End string } `json:"quietHours"`
		}
		return callWith(t, http.MethodGet, base+"/v1/preferences", bearer, nil, &p) == http.StatusOK &&
			!p.Channels["sms"] && p.QuietHours != nil && p.QuietHours.Start == "21:30"
	})
	b.run("back to the list, in Korean",
		chromedp.Evaluate[chromedp.Void](`$r('[data-act=settings]').click()`),
		poll(`$r('form').hidden && !$r('[role=tabpanel]').hidden && $r('[data-act=settings]').textContent === '설정'`))
	var errs []string
	for _, e := range unexpected401s(unexpectedErrors(b.pageErrors())) {
		if !strings.Contains(e, "/favicon.ico") { // no favicon on the test shop
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
