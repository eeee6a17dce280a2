package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// Webhook posts each SMS as JSON to a URL, for gateways of a team's own. The request
// carries the delivery id as its Idempotency-Key header, so a gateway that honours it never
// sends one delivery twice, even when notifyd retries after a crash.
//
//	POST <URL>
//	Idempotency-Key: sms-<deliveryId>
//	{"deliveryId":1,"to":"+8210…","text":"…","type":"…","url":"…","eventId":"…","userId":"7"}
//
// A 2xx answer is sent (the body may carry {"id":"…"}, kept as the provider id); 4xx other
// than 408 and 429 is permanent; anything else is retried.
type Webhook struct {
	URL    string
	Client *http.Client
	Header http.Header // extra headers, e.g. Authorization
}

type webhookBody struct {
	DeliveryID int64  `json:"deliveryId"`
	To         string `json:"to"`
	Text       string `json:"text"`
	Type       string `json:"type"`
	URL        string `json:"url,omitempty"`
	EventID    string `json:"eventId"`
	UserID     string `json:"userId"`
}

// Send implements Provider.
func (w Webhook) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	body, err := json.Marshal(webhookBody{DeliveryID: m.DeliveryID, To: m.To, Text: Text(m), Type: m.Type, URL: m.URL, EventID: m.EventID, UserID: m.UserID})
	if err != nil {
		return channel.Receipt{}, channel.Permanent("encode", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return channel.Receipt{}, channel.Permanent("request", err)
	}
	for k, vs := range w.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "sms-"+strconv.FormatInt(m.DeliveryID, 10))
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return channel.Receipt{}, channel.Transient("network", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var out struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(data, &out)
		if out.ID == "" {
			out.ID = "webhook-" + strconv.FormatInt(m.DeliveryID, 10)
		}
		return channel.Receipt{Provider: "webhook", ProviderID: out.ID}, nil
	}
	// The gateway's answer may echo the number: mask it before it reaches logs or the store.
	snippet := bytes.TrimSpace(data)
	if len(snippet) > 512 {
		snippet = append(snippet[:512:512], "…"...)
	}
	answer := redactPhone(fmt.Errorf("webhook answered %s: %s", resp.Status, snippet), m.To)
	if resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return channel.Receipt{}, channel.Transient(strconv.Itoa(resp.StatusCode), answer)
	}
	return channel.Receipt{}, channel.Permanent(strconv.Itoa(resp.StatusCode), answer)
}
