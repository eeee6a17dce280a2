// Package nhn speaks NHN Cloud's Notification APIs: KakaoTalk Bizmessage AlimTalk v2.3
// (with its own SMS fallback, resendParameter) for the kakao channel, SMS v3.0 (SMS and,
// through its MMS sender, LMS) for the sms channel, and the result webhooks NHN Cloud
// POSTs back. Every call carries the app key in the path and the secret key in
// X-Secret-Key, and X-NC-API-IDEMPOTENCY-KEY, the delivery's key, so a retry within NHN's
// ten minutes is refused (-1005) instead of sent twice.
package nhn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/notifyd/notifyd/internal/channel"
)

// The public base URLs (NOTIFY_NHN_KAKAO_URL, NOTIFY_NHN_SMS_URL override them).
const (
	DefaultKakaoURL = "https://api-alimtalk.cloud.toast.com"
	DefaultSMSURL   = "https://api-sms.cloud.toast.com"
)

// Client holds NHN Cloud credentials and settings.
type Client struct {
	AppKey    string // NOTIFY_NHN_APP_KEY
	SecretKey string // NOTIFY_NHN_SECRET_KEY
	KakaoURL  string
	SMSURL    string
	SenderKey string // NOTIFY_KAKAO_SENDER_KEY
	From      string // NOTIFY_SMS_FROM in the national form: the registered sender number
	HTTP      *http.Client
}

// header is the header object of every NHN Cloud answer.
type header struct {
	IsSuccessful  bool   `json:"isSuccessful"`
	ResultCode    int    `json:"resultCode"`
	ResultMessage string `json:"resultMessage"`
}

// Header result codes with a meaning of their own (the rest are the request's fault).
const (
	codeDuplicate = -1005 // the same X-NC-API-IDEMPOTENCY-KEY within 10 minutes: the first was taken
	codeDailyCap  = -1017 // the daily volume is used up: try again later (or the next provider)
)

// post sends body as JSON and decodes the answer into out, its errors classified by
// channel.CallError and channel.StatusError.
func (c *Client) post(ctx context.Context, url, key string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return channel.Permanent("encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return channel.Permanent("request", err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("X-Secret-Key", c.SecretKey)
	if key != "" {
		req.Header.Set("X-NC-API-IDEMPOTENCY-KEY", key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return channel.CallError("nhn", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return channel.StatusError(resp.StatusCode, "", fmt.Errorf("nhn: http %d: %.200s", resp.StatusCode, data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return channel.Transient("decode", fmt.Errorf("nhn: undecodable answer: %w", err))
	}
	return nil
}

// answer classifies the outcome of a call whose receipt is r: no answer, or a repeat of
// an attempt whose answer was lost (-1005), is unknown (NHN's report will tell); a header
// that is not successful is classified by its code. nil: the header is successful.
func answer(r channel.Receipt, err error, h header) error {
	switch {
	case channel.NoAnswer(err):
		return channel.Unknown(r, err)
	case err != nil:
		return err
	case !h.IsSuccessful && h.ResultCode == codeDuplicate:
		return channel.Unknown(r, headerError(h))
	case !h.IsSuccessful:
		return headerError(h)
	}
	return nil
}

// headerError classifies a header that is not successful.
func headerError(h header) error {
	err := fmt.Errorf("nhn: %d %s", h.ResultCode, h.ResultMessage)
	code := strconv.Itoa(h.ResultCode)
	if h.ResultCode == codeDailyCap {
		return channel.Transient(code, err)
	}
	return channel.Permanent(code, err)
}
