// Package solapi speaks Solapi's message API v4: send-many/detail for AlimTalk (type ATA
// with kakaoOptions) and Korean SMS/LMS, and the message list for results, which Solapi
// does not call back with. Every call is signed: Authorization: HMAC-SHA256 apiKey=…,
// date=…, salt=…, signature=…, the signature being hex HMAC-SHA256 over date+salt with the
// API secret.
package solapi

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
)

// DefaultURL is Solapi's API (NOTIFY_SOLAPI_URL overrides it).
const DefaultURL = "https://api.solapi.com"

// Client holds Solapi credentials and settings.
type Client struct {
	APIKey    string // NOTIFY_SOLAPI_API_KEY
	APISecret string // NOTIFY_SOLAPI_API_SECRET
	URL       string
	PfID      string // NOTIFY_KAKAO_SENDER_KEY: the Kakao channel's pfId
	From      string // NOTIFY_SMS_FROM in the national form
	HTTP      *http.Client
	Now       func() time.Time // for tests
}

// Authorization returns the header value for a call at now with salt.
func Authorization(apiKey, secret string, now time.Time, salt string) string {
	date := now.UTC().Format(time.RFC3339)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(date + salt))
	return fmt.Sprintf("HMAC-SHA256 apiKey=%s, date=%s, salt=%s, signature=%s", apiKey, date, salt, hex.EncodeToString(mac.Sum(nil)))
}

// apiError is Solapi's error answer.
type apiError struct {
	ErrorCode    string `json:"errorCode"`
	ErrorMessage string `json:"errorMessage"`
}

// do sends a signed request and decodes a 2xx answer into out, its errors classified by
// channel.CallError and channel.StatusError.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return channel.Permanent("encode", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.URL+path, rd)
	if err != nil {
		return channel.Permanent("request", err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	req.Header.Set("Authorization", Authorization(c.APIKey, c.APISecret, now(), hex.EncodeToString(salt)))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return channel.CallError("solapi", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode >= 300 {
		var ae apiError
		_ = json.Unmarshal(data, &ae)
		return channel.StatusError(resp.StatusCode, ae.ErrorCode, fmt.Errorf("solapi: http %d %s: %s", resp.StatusCode, ae.ErrorCode, ae.ErrorMessage))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return channel.Transient("decode", fmt.Errorf("solapi: undecodable answer: %w", err))
	}
	return nil
}
