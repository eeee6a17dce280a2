package web_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
	"github.com/notifyd/notifyd/internal/channel/webpush"
)

// TestPushControlInBrowser: with VAPID keys the signed-in page offers "Allow browser
// notifications" and registers the service worker from /sw.js with the whole site as its
// scope, under the page's content security policy. (Subscribing needs the browser's real
// push service, which a test machine does not reach: the push protocol is tested against
// a push service in internal/channel/webpush and internal/app.)
func TestPushControlInBrowser(t *testing.T) {
	b := newBrowser(t, 30*time.Second)
	keys, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	base := apptest.Start(t, app.Config{VAPIDPublicKey: keys.Public, VAPIDPrivateKey: keys.Private, VAPIDSubject: "mailto:ops@shop.example", WebPushAllowPrivate: true}).URL

	b.run("sign in and see the control",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("user-id")),
		chromedp.SendKeys(chromedp.ID("user-id"), "7"),
		chromedp.Click(chromedp.CSS(`#dev-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.ID("push-allow")),
	)
	scope := get(b, "the service worker's scope", chromedp.Evaluate[string](`navigator.serviceWorker.ready.then((r) => r.scope)`, chromedp.EvalAwaitPromise))
	if scope != base+"/" {
		t.Fatalf("service worker scope = %q, want %q", scope, base+"/")
	}
	if errs := b.pageErrors(); len(errs) > 0 {
		t.Fatalf("page errors: %v", errs)
	}
}
