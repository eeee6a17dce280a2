package ctl_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/app/apptest"
)

func TestVAPIDKeys(t *testing.T) {
	c := newCtl(t, "http://127.0.0.1:1")
	r := c.ok("vapid-keys")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "NOTIFY_VAPID_PUBLIC_KEY=B") || !strings.HasPrefix(lines[1], "NOTIFY_VAPID_PRIVATE_KEY=") {
		t.Fatalf("vapid-keys printed %q", r.stdout)
	}
	if pub := strings.TrimPrefix(lines[0], "NOTIFY_VAPID_PUBLIC_KEY="); len(pub) != 87 { // 65 bytes, base64url
		t.Fatalf("public key %q is not 65 bytes in base64url", pub)
	}
}

func TestWebhooksListAndReplay(t *testing.T) {
	var mu sync.Mutex
	var ids []string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("webhook-id"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	cfg := filepath.Join(t.TempDir(), "notify.yaml")
	os.WriteFile(cfg, []byte(`webhooks:
  - url: "`+recv.URL+`/hooks"
    secret: "whsec_c2VjcmV0LWZvci10aGUtb3JkZXItc2VydmljZQ=="
    events: [delivery.sent, delivery.skipped, notification.read]
`), 0o600)
	_, server := startApp(t, app.Config{IngestToken: "s3cret", ConfigFile: cfg})
	c := newCtl(t, server)
	c.stdin = `{"whoToNotify":[{"userId":7,"role":"CUSTOMER","phoneNumber":"+821012345678"}],
	  "publishInformation":{"notificationType":"DELIVERY_STARTED","message":"배송이 시작되었습니다.","url":"https://mypage/orders/1","eventId":"wh-1"}}`
	c.ok("--token", "s3cret", "publish", "-f", "-")

	var page struct {
		Webhooks []struct {
			ID     int64
			Event  string
			Status string
		}
	}
	apptest.Eventually(t, "the delivery.sent webhook to be delivered", func() bool {
		r := c.ok("--token", "s3cret", "webhooks", "list", "--json")
		if err := json.Unmarshal([]byte(r.stdout), &page); err != nil {
			t.Fatalf("webhooks list --json: %v\n%s", err, r.stdout)
		}
		return len(page.Webhooks) == 1 && page.Webhooks[0].Status == "delivered"
	})
	if page.Webhooks[0].Event != "delivery.sent" {
		t.Fatalf("webhooks = %+v", page.Webhooks)
	}
	r := c.ok("--token", "s3cret", "webhooks", "list")
	contains(t, "webhooks list", r.stdout, "ID", "delivery.sent", "delivered", recv.URL+"/hooks")

	id := itoa(page.Webhooks[0].ID)
	r = c.ok("--token", "s3cret", "webhooks", "replay", id)
	contains(t, "replay", r.stdout, "webhook "+id+" is due again")
	apptest.Eventually(t, "the replay to reach the receiver with the same webhook-id", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(ids) == 2
	})
	if ids[0] != id || ids[1] != id {
		t.Fatalf("webhook-ids %v, want %s twice", ids, id)
	}
	c.fails(1, "--token", "s3cret", "webhooks", "replay", "999")
}
