package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

const jwtSecret = "a-browser-test-secret-of-32-bytes-or-more"

func jwtToken(t *testing.T, sub string) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": sub, "exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte(jwtSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestInboxJWTInBrowser runs the page against notifyd in jwt mode: without a token it asks
// for one and shows nothing; a bad token is refused; a pasted token signs in, a
// notification arrives live and is marked read by a click; after signing out, an HttpOnly
// notify_token cookie signs in too, stream included.
func TestInboxJWTInBrowser(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	base := apptest.Start(t, app.Config{Auth: "jwt", JWTSecret: jwtSecret, IngestToken: ingestToken}).URL
	const user = "alice"
	tok := jwtToken(t, user)
	bearer := []string{"Authorization", "Bearer " + tok}
	link := base + "/healthz"

	// alice already has a notification: the page must not show it without her token.
	id1 := publish(t, base, event(user, "jwt-1", "로그인 전에 도착한 알림", link))

	b.run("load without a token: the token form, nothing listed",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("jwt-form")),
		chromedp.WaitNotVisible(chromedp.ID("panel")),
		chromedp.WaitNotVisible(chromedp.ID("dev-form")),
		chromedp.WaitNotVisible(chromedp.ID("who")),
		chromedp.WaitNotVisible(chromedp.ID("badge")),
	)
	if n := listedCount(b); n != 0 {
		b.fail("without a token the page lists %d notifications, want 0", n)
	}
	if msg := get(b, "read the sign-in error", chromedp.Text(chromedp.ID("signin-error"))); msg != "" {
		b.fail("without a token the sign-in error says %q, want nothing", msg)
	}

	b.run("paste a bad token and see it refused",
		chromedp.SetValue(chromedp.ID("token"), "not.a.jwt"),
		chromedp.Click(chromedp.CSS(`#jwt-form button[type="submit"]`)),
		chromedp.Poll[chromedp.Void](`document.getElementById('signin-error').textContent.startsWith('Sign-in refused')`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.WaitVisible(chromedp.ID("jwt-form")),
		chromedp.WaitNotVisible(chromedp.ID("panel")),
	)
	if n := listedCount(b); n != 0 {
		b.fail("with a bad token the page lists %d notifications, want 0", n)
	}

	b.run("paste alice's token and see her inbox",
		chromedp.SetValue(chromedp.ID("token"), tok),
		chromedp.Click(chromedp.CSS(`#jwt-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("panel")),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id1)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
		chromedp.WaitNotVisible(chromedp.ID("signin")),
	)
	if who := get(b, "read who is signed in", chromedp.Text(chromedp.ID("who-label"))); who != "Signed in with a token" {
		b.fail("who-label: got %q", who)
	}

	id2 := publish(t, base, event(user, "jwt-2", "토큰으로 받은 실시간 알림", link))
	b.run("see it live, click it, see it read",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id2)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="2"]`)),
		chromedp.Click(chromedp.CSS(itemSel(id2))),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id2)+":not(.unread)")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
	)
	stored := func() listAnswer {
		var list listAnswer
		if got := callWith(t, http.MethodGet, base+"/v1/notifications", bearer, nil, &list); got != http.StatusOK {
			t.Fatalf("GET /v1/notifications as alice: %d", got)
		}
		return list
	}
	b.eventually(fmt.Sprintf("the store to say %d is read", id2), func() bool { return stored().read(id2) })
	if list := stored(); list.read(id1) {
		b.fail("the store after the click: %+v, want %d still unread", list.Notifications, id1)
	}

	b.run("sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("jwt-form")),
		chromedp.WaitNotVisible(chromedp.ID("panel")),
	)
	if n := listedCount(b); n != 0 {
		b.fail("after signing out the page lists %d notifications, want 0", n)
	}

	// The way a site would sign its users in: an HttpOnly cookie the page cannot read.
	setCookie := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{
			Name: "notify_token", Value: tok, URL: base + "/", HTTPOnly: new(true), SameSite: network.CookieSameSiteStrict,
		})
		return err
	})
	b.run("set the cookie, reload, see the inbox",
		setCookie,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID("panel")),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id2)+":not(.unread)")),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id1)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#conn[data-state="live"]`)),
	)
	if who := get(b, "read who is signed in", chromedp.Text(chromedp.ID("who-label"))); who != "Signed in with a cookie" {
		b.fail("who-label: got %q", who)
	}
	id3 := publish(t, base, event(user, "jwt-3", "쿠키로 받은 실시간 알림", link))
	b.run("see a notification live on the cookie's stream, click it",
		chromedp.WaitVisible(chromedp.CSS(itemSel(id3)+".unread")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="2"]`)),
		chromedp.Click(chromedp.CSS(itemSel(id3))),
		chromedp.WaitVisible(chromedp.CSS(itemSel(id3)+":not(.unread)")),
		chromedp.WaitVisible(chromedp.CSS(`#badge[data-count="1"]`)),
	)
	b.eventually(fmt.Sprintf("the store to say %d is read", id3), func() bool { return stored().read(id3) })
	if errs := unexpected401s(b.pageErrors()); len(errs) > 0 {
		b.fail("the page logged errors:\n  %s", strings.Join(errs, "\n  "))
	}
}

func listedCount(b *browser) int {
	b.t.Helper()
	return get(b, "count the listed notifications", chromedp.Evaluate[int](`document.querySelectorAll('#list li').length`))
}

// unexpected401s drops the browser's log entries for the 401 answers the test asked for
// (no token, a bad token).
func unexpected401s(errs []string) []string {
	var out []string
	for _, e := range errs {
		if strings.Contains(e, "status of 401") {
			continue
		}
		out = append(out, e)
	}
	return out
}
