package mobile

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/mobile/mobiletest"
)

const androidToken = "dGVzdC1kZXZpY2U:APA91bH" + "x_Rk-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"

func newTestFCM(t *testing.T) (*FCM, *mobiletest.FCM, *clock) {
	t.Helper()
	fake, clk := mobiletest.NewFCM(t), newClock()
	f, err := NewFCM(fake.Credentials, fake.URL, fake.Client(), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return f, fake, clk
}

func testPush(token string) Push {
	return Push{Token: token, Title: "배송 시작", Body: "배송이 시작되었습니다.", URL: "https://shop.example/orders/1", Type: "DELIVERY_STARTED", NotificationID: 42, Badge: 3, CollapseKey: "order-1"}
}

// 500 sends from 8 workers share one access token; it is made again when due.
func TestFCMSharesOneAccessTokenAndRefreshesItWhenDue(t *testing.T) {
	f, fake, clk := newTestFCM(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < 500; i += 8 {
				if _, err := f.Push(ctx, testPush(androidToken)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := len(fake.Received(androidToken)); got != 500 || fake.TokensMade() != 1 || f.TokensMade() != 1 {
		t.Fatalf("500 sends: %d received, %d tokens issued, %d made; want 500, 1, 1", got, fake.TokensMade(), f.TokensMade())
	}
	clk.Add(55 * time.Minute) // the token lives an hour: it is made again 5 minutes early
	if _, err := f.Push(ctx, testPush(androidToken)); err != nil || fake.TokensMade() != 2 {
		t.Fatalf("after 55 minutes: %v, %d tokens issued; want a second", err, fake.TokensMade())
	}
}

func TestFCMMessageShape(t *testing.T) {
	f, fake, _ := newTestFCM(t)
	if _, err := f.Push(context.Background(), testPush(androidToken)); err != nil {
		t.Fatal(err)
	}
	got := fake.Received(androidToken)
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	b, _ := json.Marshal(got[0].Payload)
	for _, want := range []string{`"title":"배송 시작"`, `"body":"배송이 시작되었습니다."`, `"notificationId":"42"`, `"url":"https://shop.example/orders/1"`,
		`"collapse_key":"order-1"`, `"notification_count":3`, `"badge":3`, `"apns-collapse-id":"order-1"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("message %s lacks %s", b, want)
		}
	}
}

// A message over 4 KiB is cut in its body, at a character, never refused.
func TestFCMCutsALongMessageTo4KiB(t *testing.T) {
	f, fake, _ := newTestFCM(t)
	p := testPush(androidToken)
	p.Body = strings.Repeat("가나다라마", 600) // 9,000 bytes
	if _, err := f.Push(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	got := fake.Received(androidToken)
	body := got[0].Payload["notification"].(map[string]any)["body"].(string)
	enc, _ := encodeFCM(Push{Token: p.Token, Title: p.Title, Body: body, URL: p.URL, Type: p.Type, NotificationID: 42, Badge: 3, CollapseKey: p.CollapseKey})
	if !strings.HasSuffix(body, "…") || !strings.HasPrefix(p.Body, strings.TrimSuffix(body, "…")) || len(enc) > MaxPayload || len(enc) < MaxPayload-16 {
		t.Fatalf("cut body of %d bytes, message %d bytes", len(body), len(enc))
	}
}

func TestFCMClassifiesByErrorCode(t *testing.T) {
	f, fake, _ := newTestFCM(t)
	checkClassified(t, f, fake.Script, androidToken, []classified{
		{mobiletest.Reply{Code: "UNREGISTERED"}, true, 0, 0},
		{mobiletest.Reply{Code: "BAD_TOKEN"}, true, 0, 0},
		{mobiletest.Reply{Code: "QUOTA_EXCEEDED", RetryAfter: "7"}, false, channel.KindTransient, 7 * time.Second},
		{mobiletest.Reply{Code: "UNAVAILABLE"}, false, channel.KindTransient, 0},
		{mobiletest.Reply{Code: "INTERNAL"}, false, channel.KindTransient, 0},
		{mobiletest.Reply{Code: "INVALID_ARGUMENT"}, false, channel.KindPermanent, 0}, // the message, not the token
		{mobiletest.Reply{Code: "SENDER_ID_MISMATCH"}, false, channel.KindPermanent, 0},
	})
}

// A 401 makes one fresh token; a fresh token refused too is a configuration error.
func TestFCMRefreshesOnceOn401(t *testing.T) {
	f, fake, _ := newTestFCM(t)
	ctx := context.Background()
	if _, err := f.Push(ctx, testPush(androidToken)); err != nil {
		t.Fatal(err)
	}
	fake.RevokeTokens()
	if _, err := f.Push(ctx, testPush(androidToken)); err != nil || fake.TokensMade() != 2 {
		t.Fatalf("after a revoked token: %v, %d tokens; want sent with a second", err, fake.TokensMade())
	}
	fake.Unauthorized.Store(true)
	_, err := f.Push(ctx, testPush(androidToken))
	if channel.KindOf(err) != channel.KindTransient || f.auth.Check() == nil || fake.TokensMade() != 3 {
		t.Fatalf("refused twice: %v, check %v, %d tokens; want transient, a configuration error, one more token", err, f.auth.Check(), fake.TokensMade())
	}
	fake.Unauthorized.Store(false)
	if _, err := f.Push(ctx, testPush(androidToken)); err != nil || f.auth.Check() != nil {
		t.Fatalf("accepted again: %v, check %v", err, f.auth.Check())
	}
}

// A service account whose key the token endpoint does not know: a configuration error.
func TestFCMTokenEndpointRefusingTheKeyIsAConfigurationError(t *testing.T) {
	fake := mobiletest.NewFCM(t)
	var sa map[string]string
	b, _ := os.ReadFile(fake.Credentials)
	_ = json.Unmarshal(b, &sa)
	sa["private_key"] = otherRSAKey(t)
	path := writeJSON(t, sa)
	f, err := NewFCM(path, fake.URL, fake.Client(), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Push(context.Background(), testPush(androidToken))
	if channel.KindOf(err) != channel.KindTransient || f.auth.Check() == nil || !strings.Contains(f.auth.Check().Error(), "invalid_grant") {
		t.Fatalf("push = %v, check = %v; want transient and a configuration error naming invalid_grant", err, f.auth.Check())
	}
}

func otherRSAKey(t *testing.T) string {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func writeJSON(t *testing.T, v any) string {
	b, _ := json.Marshal(v)
	p := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
