package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/golang-jwt/jwt/v5"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// hostPage is a shop's page on another origin that embeds the element: with the token in
// the attribute, or from a tokenProvider that fetches it from the shop's own server; the
// script loaded as a module or a classic script. $r/$all query the element's shadow root.
var hostPage = template.Must(template.New("host").Parse(`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>동네 가게</title>
{{if .Module}}<script type="module" src="{{.Server}}/embed.js"></script>{{else}}<script src="{{.Server}}/embed.js"></script>{{end}}
<style>body{font-family:system-ui,sans-serif;margin:0}header{display:flex;align-items:center;justify-content:space-between;padding:8px 24px;background:#fafafa;border-bottom:1px solid #ddd}main{padding:24px}</style>
</head><body>
<header><strong>동네 가게</strong><notifyd-inbox server="{{.Server}}" lang="{{.Lang}}"{{if .Token}} token="{{.Token}}"{{end}}></notifyd-inbox></header>
<main><h1>Shop</h1><p>Welcome.</p></main>
<script>
window.$r = (s) => document.querySelector('notifyd-inbox').shadowRoot.querySelector(s);
window.$all = (s) => [...document.querySelector('notifyd-inbox').shadowRoot.querySelectorAll(s)];
window.providerCalls = 0;
{{if not .Token}}document.querySelector('notifyd-inbox').tokenProvider = async () => {
  window.providerCalls++;
  const res = await fetch('/token?n=' + window.providerCalls);
  return res.text();
};{{end}}
</script>
</body></html>`))

// shop serves host pages for notifyd at *server and tokens for user: the first token the
// provider asks for has expired, so the element must ask again.
func shop(t *testing.T, server *string, user string) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch r.URL.Path {
		case "/":
			data := map[string]any{"Server": *server, "Lang": q.Get("lang"), "Module": q.Get("script") == "module"}
			if q.Get("mode") == "attr" {
				data["Token"] = jwtToken(t, user)
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = hostPage.Execute(w, data)
		case "/token":
			exp := time.Now().Add(time.Hour)
			if q.Get("n") == "1" {
				exp = time.Now().Add(-time.Hour)
			}
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": user, "exp": exp.Unix()}).SignedString([]byte(jwtSecret))
			_, _ = w.Write([]byte(tok))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// poll waits until the JavaScript condition holds in ctx's tab.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}

// in runs steps in another tab of b's browser, failing like b.run.
func in(b *browser, tab context.Context, step string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(tab, steps...); err != nil {
		b.fail("%s: %v", step, err)
	}
}

const axePath = "testdata/axe/node_modules/axe-core/axe.min.js"

// axeViolations runs axe-core on the element (its shadow DOM included) and returns the
// serious and critical violations.
func axeViolations(b *browser) []string {
	b.t.Helper()
	return axeViolationsIn(b, `document.querySelector('notifyd-inbox')`)
}

// axeViolationsIn runs axe-core on what the JavaScript expression context names (a node,
// or document) and returns the serious and critical violations.
func axeViolationsIn(b *browser, context string) []string {
	b.t.Helper()
	src, err := os.ReadFile(axePath)
	if errors.Is(err, os.ErrNotExist) {
		testenv.Require(b.t, "axe-core (npm install --prefix internal/web/testdata/axe)", err)
	}
	if err != nil {
		b.fail("read axe-core: %v", err)
	}
	b.run("load axe-core", chromedp.Evaluate[chromedp.Void](string(src)))
	out := get(b, "run axe-core", chromedp.Evaluate[string](`axe.run(`+context+`, {resultTypes: ['violations']}).then((r) =>
		JSON.stringify(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => JSON.stringify(n.target)).join(' '))))`, chromedp.EvalAwaitPromise))
	var vs []string
	_ = json.Unmarshal([]byte(out), &vs)
	return vs
}

// shot saves the page as docs/<name> when NOTIFY_UPDATE_SCREENSHOTS=1, so ordinary runs
// leave the tree alone.
func shot(b *browser, name string) {
	b.t.Helper()
	if os.Getenv("NOTIFY_UPDATE_SCREENSHOTS") != "1" {
		return
	}
	png := get(b, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join("..", "..", "docs", name), png, 0o644); err != nil {
		b.fail("write %s: %v", name, err)
	}
}

// TestEmbedOnAnotherOrigin embeds <notifyd-inbox> in a shop's page served from another
// origin, against notifyd in jwt mode behind a cuttable proxy: Korean text, keyboard use,
// axe-core, a live arrival announced, archive, the unread tab, a read on a second tab
// reaching the first, English by the lang attribute, and a reconnect after a cut.
func TestEmbedOnAnotherOrigin(t *testing.T) {
	b := newBrowser(t, 90*time.Second)
	var server string
	host := shop(t, &server, "alice")
	base := apptest.Start(t, app.Config{Auth: "jwt", JWTSecret: jwtSecret, IngestToken: ingestToken, CORSOrigins: []string{host.URL}}).URL
	p := testenv.StartProxy(t, strings.TrimPrefix(base, "http://"))
	server = p.URL()
	bearer := []string{"Authorization", "Bearer " + jwtToken(t, "alice")}
	archivedIDs := func() []int64 {
		var list listAnswer
		if got := callWith(t, http.MethodGet, base+"/v1/notifications?archived=only", bearer, nil, &list); got != http.StatusOK {
			t.Fatalf("GET archived: %d", got)
		}
		var ids []int64
		for _, n := range list.Notifications {
			ids = append(ids, n.ID)
		}
		return ids
	}

	id1 := publish(t, base, typedEvent("ORDER_CREATED", "alice", "emb-1", "주문이 완료되었습니다. 김치찌개 외 2건", "https://shop.example/orders/1"))
	b.run("load the shop's page (module script, token attribute, Korean)",
		chromedp.Navigate(host.URL+"/?lang=ko&mode=attr&script=module"),
		poll(`window.$r && $r('.conn') && $r('.conn').dataset.state === 'live' && document.querySelector('notifyd-inbox').dataset.unread === '1'`),
		poll(`$r('li[data-id="`+itoa(id1)+`"]') !== null`),
	)
	ko := get(b, "read the Korean text", chromedp.Evaluate[[]string](`[$r('h2').textContent, $r('[data-tab=unread]').textContent,
		$r('[data-tab=archived]').textContent, $r('.bell .sr').textContent, $r('li time').textContent]`))
	if ko[0] != "알림" || ko[1] != "안 읽음" || ko[2] != "보관함" || ko[3] != "알림, 읽지 않은 알림 1개" || !(strings.HasSuffix(ko[4], "전") || ko[4] == "지금") {
		b.fail("Korean text: %q", ko)
	}

	b.run("open the panel from the keyboard; arrows move between tabs",
		chromedp.Evaluate[chromedp.Void](`$r('.bell').focus()`),
		chromedp.KeyEvent(kb.Enter),
		poll(`!$r('.panel').hidden && $r('.bell').getAttribute('aria-expanded') === 'true' && $r('.bell').getRootNode().activeElement === $r('[data-tab=unread]')`),
		chromedp.KeyEvent(kb.ArrowRight),
		poll(`$r('[data-tab=all]').getAttribute('aria-selected') === 'true' && $r('.bell').getRootNode().activeElement === $r('[data-tab=all]')`),
		poll(`$all('li').length === 1`),
	)
	if vs := axeViolations(b); len(vs) > 0 {
		b.fail("axe-core found serious or critical violations:\n  %s", strings.Join(vs, "\n  "))
	}
	b.run("Escape closes the panel and gives the focus back to the bell",
		chromedp.KeyEvent(kb.Escape),
		poll(`$r('.panel').hidden && $r('.bell').getRootNode().activeElement === $r('.bell') && $r('.bell').getAttribute('aria-expanded') === 'false'`),
		chromedp.KeyEvent(kb.Enter),
		poll(`!$r('.panel').hidden`),
	)

	id2 := publish(t, base, typedEvent("QUESTION_REGISTERED", "alice", "emb-2", "새 문의가 등록되었습니다: 배달 시간을 저녁 7시로 바꿀 수 있을까요?", "https://shop.example/q/2"))
	b.run("a live arrival: listed first, counted, announced",
		poll(`$all('li').map((li) => li.dataset.id).join() === '`+itoa(id2)+`,`+itoa(id1)+`'`),
		poll(`document.querySelector('notifyd-inbox').dataset.unread === '2'`),
		poll(`$r('[aria-live]').textContent.startsWith('새 알림: 새 문의가')`),
	)
	shot(b, "embed-ko.png")
	b.run("English by the lang attribute",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('notifyd-inbox').setAttribute('lang', 'en')`),
		poll(`$r('[data-tab=unread]').textContent === 'Unread' && $r('h2').textContent === 'Notifications' && $r('.bell .sr').textContent === 'Notifications, 2 unread'`),
		poll(`$all('li time').every((t) => /ago|now/.test(t.textContent))`),
	)
	shot(b, "embed-en.png")
	b.run("back to Korean", chromedp.Evaluate[chromedp.Void](`document.querySelector('notifyd-inbox').setAttribute('lang', 'ko')`),
		poll(`$r('[data-tab=unread]').textContent === '안 읽음' && $all('li').length === 2`))

	b.run("archive the new one",
		chromedp.Evaluate[chromedp.Void](`$r('li[data-id="`+itoa(id2)+`"] [data-act=archive]').click()`),
		poll(`$all('li').map((li) => li.dataset.id).join() === '`+itoa(id1)+`'`),
	)
	b.eventually("the store to have it archived", func() bool { return slices.Equal(archivedIDs(), []int64{id2}) })
	b.run("the archived tab shows it, with a restore button",
		chromedp.Evaluate[chromedp.Void](`$r('[data-tab=archived]').click()`),
		poll(`$all('li').length === 1 && $r('li[data-id="`+itoa(id2)+`"] [data-act=unarchive]') !== null`),
	)
	b.run("the unread tab shows the unread, unarchived one",
		chromedp.Evaluate[chromedp.Void](`$r('[data-tab=unread]').click()`),
		poll(`$r('[data-tab=unread]').getAttribute('aria-selected') === 'true' && $all('li').map((li) => li.dataset.id).join() === '`+itoa(id1)+`'`),
	)

	b.run("settings: switch text messages off",
		poll(`!$r('[data-act=settings]').hidden`),
		chromedp.Evaluate[chromedp.Void](`$r('[data-act=settings]').click()`),
		poll(`$r('form input[name=sms]') !== null && $r('form input[name=sms]').checked`),
		chromedp.Evaluate[chromedp.Void](`$r('form input[name=sms]').click()`),
	)
	b.eventually("the server to have SMS off", func() bool {
		var p struct {
			Channels map[string]bool `json:"channels"`
		}
		return callWith(t, http.MethodGet, base+"/v1/preferences", bearer, nil, &p) == http.StatusOK && p.Channels != nil && !p.Channels["sms"]
	})
	// Mobile push has its switch too, named in Korean.
	if mob := get(b, "read the mobile push switch", chromedp.Evaluate[string](
		`(() => { const box = $r('form input[name=mobile]'); return box ? box.closest('label').textContent.trim() + (box.checked ? ' on' : ' off') : ''; })()`)); mob != "앱 알림 on" {
		b.fail("the mobile push switch reads %q, want \"앱 알림 on\"", mob)
	}
	// A type's own switch: the first type that can send a text message, and quiet hours.
	typ := get(b, "find a type with a text-message switch", chromedp.Evaluate[string](
		`(() => { const box = $all('form fieldset.type input[name$=".sms"]:not([disabled])')[0]; return box ? box.name.slice(0, -4) : ''; })()`))
	if typ == "" {
		b.fail("the settings list no type with a text-message switch")
	}
	// Its row is titled with the type's Korean label from the server, not its code.
	legend := get(b, "read the type's legend", chromedp.Evaluate[string](
		`$r('form input[name="`+typ+`.sms"]').closest('fieldset').querySelector('legend').textContent`))
	if rt, _ := notify.DefaultRegistry().Lookup(typ); rt.Labels["ko"] == "" || legend != rt.Labels["ko"] {
		b.fail("the %s row is titled %q, want its Korean label %q", typ, legend, rt.Labels["ko"])
	}
	b.run("settings: that type's text messages off, quiet hours 23:00–07:00",
		chromedp.Evaluate[chromedp.Void](`$r('[aria-live]').textContent = ''`), // the channel switch's "saved"
		chromedp.Evaluate[chromedp.Void](`$r('form input[name="`+typ+`.sms"]').click()`),
		poll(`$r('[aria-live]').textContent === '설정을 저장했습니다.'`),
		chromedp.Evaluate[chromedp.Void](`$r('[aria-live]').textContent = ''`),
		chromedp.Evaluate[chromedp.Void](`(() => { const f = $r('form');
			f.querySelector('[name=quietStart]').value = '23:00'; f.querySelector('[name=quietEnd]').value = '07:00';
			f.querySelector('[name=quiet]').click(); })()`),
		poll(`$r('[aria-live]').textContent === '설정을 저장했습니다.' && !$r('form .times').hidden`),
	)
	b.eventually("the server to have the type's SMS off and quiet hours set", func() bool {
		var p struct {
			Types      map[string]map[string]bool   `json:"types"`
			QuietHours *struct{ Start, End string } `json:"quietHours"`
		}
		return callWith(t, http.MethodGet, base+"/v1/preferences", bearer, nil, &p) == http.StatusOK &&
			p.Types[typ] != nil && p.Types[typ]["sms"] == false && len(p.Types[typ]) == 1 &&
			p.QuietHours != nil && p.QuietHours.Start == "23:00" && p.QuietHours.End == "07:00"
	})
	b.run("settings: the advertising consents show, off; agree to advertising",
		poll(`$r('form input[name=adConsent]') !== null && !$r('form input[name=adConsent]').checked && !$r('form input[name=nightAdConsent]').checked`),
		chromedp.Evaluate[chromedp.Void](`$r('form input[name=adConsent]').click()`),
	)
	b.eventually("the server to have the advertising consent", func() bool {
		var c struct{ AdConsent, NightAdConsent bool }
		return callWith(t, http.MethodGet, base+"/v1/consents", bearer, nil, &c) == http.StatusOK && c.AdConsent && !c.NightAdConsent
	})
	if vs := axeViolations(b); len(vs) > 0 {
		b.fail("axe-core found serious or critical violations in the settings:\n  %s", strings.Join(vs, "\n  "))
	}
	shot(b, "embed-settings-ko.png")
	b.run("back to the list", chromedp.Evaluate[chromedp.Void](`$r('[data-act=settings]').click()`),
		poll(`$r('form').hidden && !$r('[role=tabpanel]').hidden`))

	// A second tab: the classic script and a tokenProvider whose first token has expired.
	tab2, cancel2 := chromedp.NewContext(b.ctx)
	defer cancel2()
	in(b, tab2, "load the shop's page in a second tab (classic script, token provider)",
		chromedp.Navigate(host.URL+"/?lang=ko&mode=provider&script=classic"),
		poll(`window.$r && $r('.conn') && $r('.conn').dataset.state === 'live' && $r('li[data-id="`+itoa(id1)+`"]') !== null`),
	)
	if calls, _ := chromedp.Run(tab2, chromedp.Evaluate[int](`window.providerCalls`)); calls < 2 {
		b.fail("the token provider was called %d times, want a refresh after the expired token", calls)
	}
	in(b, tab2, "mark it read in the second tab",
		chromedp.Evaluate[chromedp.Void](`$r('li[data-id="`+itoa(id1)+`"] [data-act=read]').click()`),
	)
	if err := chromedp.Do(tab2, poll(`$all('li').length === 0`)); err != nil {
		dump, _ := chromedp.Run(tab2, chromedp.Evaluate[string](`$r('.panel').innerHTML`))
		b.fail("second tab after the click: %v\n%s", err, dump)
	}
	b.run("the first tab follows: row gone from the unread tab, badge cleared",
		poll(`$all('li').length === 0 && document.querySelector('notifyd-inbox').dataset.unread === '0' && $r('.badge').hidden`),
	)

	// Cut every connection; the reconnection waits at the proxy while a notification is
	// committed, so only the Last-Event-ID replay can bring it.
	streamsBefore := len(streamRequests(p))
	release := p.HoldNew()
	p.Cut()
	b.run("the element notices the cut", poll(`$r('.conn').dataset.state !== 'live'`))
	id3 := publish(t, base, typedEvent("RESTOCK", "alice", "emb-3", "관심 상품 ‘제주 감귤 3kg’이 재입고되었습니다.", "https://shop.example/p/88"))
	release()
	b.run("it reconnects and catches up",
		poll(`$r('.conn').dataset.state === 'live' && $r('li[data-id="`+itoa(id3)+`"]') !== null && document.querySelector('notifyd-inbox').dataset.unread === '1'`),
	)
	streams := streamRequests(p)
	if len(streams) <= streamsBefore {
		b.fail("no stream request after the cut")
	}
	var resumed bool
	for _, s := range streams[streamsBefore:] {
		if v, ok := headerValue(s, "Last-Event-ID"); ok && v == "2" {
			resumed = true
		}
	}
	if !resumed {
		b.fail("no reconnecting stream request sent Last-Event-ID 2:\n%s", strings.Join(streams[streamsBefore:], "\n---\n"))
	}
	var errs []string
	for _, e := range unexpected401s(unexpectedErrors(b.pageErrors())) {
		// No favicon on the test shop.
		if strings.Contains(e, "status of 404") && strings.Contains(e, "/favicon.ico") {
			continue
		}
		errs = append(errs, e)
	}
	if len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}
