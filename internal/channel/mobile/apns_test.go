package mobile

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

var iosToken = strings.Repeat("0a1b2c3d", 8)

func newTestAPNs(t *testing.T) (*APNs, *mobiletest.APNs, *clock) {
	t.Helper()
	fake, clk := mobiletest.NewAPNs(t), newClock()
	fake.Now = clk.Now
	// The fake's own client trusts its test certificate: a seam for unit tests only; the
	// app always builds its client from the system roots (SSL_CERT_FILE).
	a, err := NewAPNs(APNsConfig{KeyFile: fake.KeyFile, KeyID: fake.KeyID, TeamID: fake.TeamID, Topic: fake.Topic, URL: fake.URL}, fake.Client(), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return a, fake, clk
}

func TestAPNsHeadersAndPayload(t *testing.T) {
	a, fake, clk := newTestAPNs(t)
	p := testPush(iosToken)
	p.CollapseKey = strings.Repeat("k", 80) // over APNs's 64 bytes: hashed to 64
	id, err := a.Push(context.Background(), p)
	if err != nil || id == "" {
		t.Fatalf("push = %q, %v", id, err)
	}
	got := fake.Received(iosToken)
	h := got[0].Header
	exp, _ := strconv.ParseInt(h.Get("apns-expiration"), 10, 64)
	if h.Get("apns-topic") != fake.Topic || h.Get("apns-push-type") != "alert" || h.Get("apns-priority") != "10" || len(h.Get("apns-collapse-id")) != 64 ||
		exp != clk.Now().Add(24*time.Hour).Unix() {
		t.Fatalf("headers %v", h)
	}
	aps := got[0].Payload["aps"].(map[string]any)
	alert := aps["alert"].(map[string]any)
	if alert["title"] != "배송 시작" || alert["body"] != "배송이 시작되었습니다." || aps["badge"] != float64(3) || got[0].Payload["notificationId"] != "42" || got[0].Payload["url"] != p.URL {
		t.Fatalf("payload %v", got[0].Payload)
	}
}

// 500 sends from 8 workers share one provider token; it is made again at 40 minutes
// (Apple: not before 20, not after 60), and not at 39.
func TestAPNsProviderTokenMadeOnceAndRefreshedWhenDue(t *testing.T) {
	a, fake, clk := newTestAPNs(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	var failed sync.Map
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 500; i += 8 {
				if _, err := a.Push(ctx, testPush(iosToken)); err != nil {
					failed.Store(i, err)
				}
			}
		})
	}
	wg.Wait()
	failed.Range(func(k, v any) bool { t.Errorf("send %v: %v", k, v); return true })
	if n := len(fake.Received(iosToken)); n != 500 || a.TokensMade() != 1 || fake.ProviderTokens() != 1 {
		t.Fatalf("500 sends: %d received, %d made, %d seen; want 500, 1, 1", n, a.TokensMade(), fake.ProviderTokens())
	}
	clk.Add(39 * time.Minute)
	if _, err := a.Push(ctx, testPush(iosToken)); err != nil || a.TokensMade() != 1 {
		t.Fatalf("at 39 minutes: %v, %d made; want the same token", err, a.TokensMade())
	}
	clk.Add(time.Minute)
	if _, err := a.Push(ctx, testPush(iosToken)); err != nil || a.TokensMade() != 2 || fake.ProviderTokens() != 2 {
		t.Fatalf("at 40 minutes: %v, %d made; want a second token", err, a.TokensMade())
	}
}

func TestAPNsClassifiesByReason(t *testing.T) {
	a, fake, _ := newTestAPNs(t)
	checkClassified(t, a, fake.Script, iosToken, []classified{
		{mobiletest.Reply{Code: "Unregistered"}, true, 0, 0},
		{mobiletest.Reply{Code: "BadDeviceToken"}, true, 0, 0},
		{mobiletest.Reply{Code: "TooManyRequests", RetryAfter: "2"}, false, channel.KindTransient, 2 * time.Second},
		{mobiletest.Reply{Code: "InternalServerError"}, false, channel.KindTransient, 0},
		{mobiletest.Reply{Code: "ServiceUnavailable"}, false, channel.KindTransient, 0},
		{mobiletest.Reply{Code: "DeviceTokenNotForTopic"}, false, channel.KindPermanent, 0},
	})
}

// ExpiredProviderToken makes one fresh token when the refused one is at least 20 minutes
// old; refused again, or refused young, it is a configuration error and no new token.
func TestAPNsExpiredProviderTokenRefreshesOnce(t *testing.T) {
	a, fake, clk := newTestAPNs(t)
	ctx := context.Background()
	if _, err := a.Push(ctx, testPush(iosToken)); err != nil {
		t.Fatal(err)
	}
	fake.Script(iosToken, mobiletest.Reply{Code: "ExpiredProviderToken"})
	_, err := a.Push(ctx, testPush(iosToken))
	if channel.KindOf(err) != channel.KindTransient || a.auth.Check() == nil || a.TokensMade() != 1 {
		t.Fatalf("refused at 0 minutes: %v, check %v, %d made; want transient, a configuration error, no new token", err, a.auth.Check(), a.TokensMade())
	}
	clk.Add(25 * time.Minute)
	fake.Script(iosToken, mobiletest.Reply{Code: "ExpiredProviderToken"})
	if _, err := a.Push(ctx, testPush(iosToken)); err != nil || a.TokensMade() != 2 || a.auth.Check() != nil {
		t.Fatalf("refused at 25 minutes: %v, %d made, check %v; want sent with a second token", err, a.TokensMade(), a.auth.Check())
	}
	clk.Add(25 * time.Minute)
	fake.Script(iosToken, mobiletest.Reply{Code: "ExpiredProviderToken"}, mobiletest.Reply{Code: "ExpiredProviderToken"})
	if _, err := a.Push(ctx, testPush(iosToken)); err == nil || a.TokensMade() != 3 || a.auth.Check() == nil {
		t.Fatalf("a fresh token refused too: %v, %d made, check %v; want an error, one more token, a configuration error", err, a.TokensMade(), a.auth.Check())
	}
}
