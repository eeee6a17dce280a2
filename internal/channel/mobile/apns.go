package mobile

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
)

// APNs sends to Apple's Push Notification service with token auth over HTTP/2.
//
// It is net/http (which speaks HTTP/2 over TLS by itself) and golang-jwt for the provider
// token, not github.com/sideshow/apns2: that library keeps its own token cache, renewed on
// its own schedule and not shared with the refresh rules here, and builds its own TLS
// client, where notifyd wants the one client both platforms share (system roots, tests
// through SSL_CERT_FILE). What is left to write is one request and a table of reasons.
type APNs struct {
	base, topic string
	client      *http.Client
	tokens      *providerTokens
	auth        *authHealth
	now         func() time.Time
	ttl         time.Duration
}

// APNsConfig is the token-auth configuration (NOTIFY_APNS_*).
type APNsConfig struct {
	KeyFile, KeyID, TeamID, Topic string
	URL                           string // production, sandbox, or a test server
}

// NewAPNs reads the .p8 key and checks the configuration.
func NewAPNs(c APNsConfig, client *http.Client, now func() time.Time) (*APNs, error) {
	for env, v := range map[string]string{"NOTIFY_APNS_KEY_ID": c.KeyID, "NOTIFY_APNS_TEAM_ID": c.TeamID, "NOTIFY_APNS_TOPIC": c.Topic} {
		if v == "" {
			return nil, fmt.Errorf("%s is required with NOTIFY_APNS_KEY_FILE", env)
		}
	}
	key, err := loadAPNsKey(c.KeyFile)
	if err != nil {
		return nil, err
	}
	return &APNs{base: strings.TrimRight(c.URL, "/"), topic: c.Topic, client: client, now: now, ttl: 24 * time.Hour,
		tokens: &providerTokens{key: key, keyID: c.KeyID, team: c.TeamID, now: now}, auth: &authHealth{name: "apns"}}, nil
}

// TokensMade reports how many provider tokens were made.
func (a *APNs) TokensMade() int { return a.tokens.Made() }

func encodeAPNs(p Push) ([]byte, error) {
	type alert struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	type aps struct {
		Alert alert  `json:"alert"`
		Badge int    `json:"badge"`
		Sound string `json:"sound"`
	}
	m := map[string]any{"aps": aps{Alert: alert{p.Title, p.Body}, Badge: p.Badge, Sound: "default"}}
	for k, v := range p.data() {
		m[k] = v
	}
	return json.Marshal(m)
}

// Push sends p; it returns the apns-id. A dead token is errDead; the rest are classified
// for the engine by Apple's reason.
func (a *APNs) Push(ctx context.Context, p Push) (string, error) {
	body, err := fit(p, encodeAPNs)
	if err != nil {
		return "", channel.Permanent("payload", err)
	}
	for try := 0; ; try++ {
		tok, err := a.tokens.token()
		if err != nil {
			return "", a.auth.refused(err)
		}
		status, reason, id, after, err := a.post(ctx, tok, p, body)
		if err != nil {
			return "", channel.Transient("", fmt.Errorf("apns: %w", err))
		}
		if status == http.StatusForbidden && (reason == "ExpiredProviderToken" || reason == "InvalidProviderToken") {
			if try == 0 && a.tokens.drop(tok) {
				continue
			}
			return "", a.auth.refused(fmt.Errorf("apns refused the provider token (403 %s): check NOTIFY_APNS_KEY_ID, NOTIFY_APNS_TEAM_ID and the clock", reason))
		}
		a.auth.ok()
		err = fmt.Errorf("apns answered %d %s", status, reason)
		switch {
		case status == http.StatusOK:
			return id, nil
		case status == http.StatusGone && reason == "Unregistered", status == http.StatusBadRequest && reason == "BadDeviceToken":
			return "", fmt.Errorf("%w: %w", errDead, err)
		case status == http.StatusTooManyRequests || status >= 500:
			return "", channel.TransientAfter(reason, after, err)
		}
		// DeviceTokenNotForTopic (a token of another app: not pruned, as a wrong
		// NOTIFY_APNS_TOPIC would otherwise empty every iPhone), BadCollapseId,
		// PayloadTooLarge, …: retrying cannot help.
		return "", channel.Permanent(strconv.Itoa(status)+" "+reason, err)
	}
}

func (a *APNs) post(ctx context.Context, tok string, p Push, body []byte) (status int, reason, id string, after time.Duration, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/3/device/"+p.Token, bytes.NewReader(body))
	if err != nil {
		return 0, "", "", 0, err
	}
	h := req.Header
	h.Set("authorization", "bearer "+tok)
	h.Set("apns-topic", a.topic)
	h.Set("apns-push-type", "alert")
	h.Set("apns-priority", "10")
	h.Set("apns-expiration", strconv.FormatInt(a.now().Add(a.ttl).Unix(), 10))
	if p.CollapseKey != "" {
		h.Set("apns-collapse-id", collapseID(p.CollapseKey))
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, "", "", 0, err
	}
	defer resp.Body.Close()
	var r struct {
		Reason string `json:"reason"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	_ = json.Unmarshal(b, &r) // 200 has no body; a bad one is classified by status alone
	return resp.StatusCode, r.Reason, resp.Header.Get("apns-id"), retryAfter(resp.Header.Get("Retry-After"), time.Now()), nil
}
