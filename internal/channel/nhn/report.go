package nhn

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel/kakao"
	"github.com/notifyd/notifyd/internal/store"
)

// Reports reads NHN Cloud's result webhooks. NHN signs them with the signature set on the
// webhook in its console, sent as X-Toast-Webhook-Signature: it must equal Signature
// (NOTIFY_NHN_WEBHOOK_SIGNATURE).
type Reports struct{ Signature string }

// hook is one message result of a webhook (docs/kakao.md shows the whole body).
type hook struct {
	MessageType          string `json:"messageType"` // ALIMTALK, SMS, LMS
	RequestID            string `json:"requestId"`
	RecipientSeq         int    `json:"recipientSeq"`
	RecipientGroupingKey string `json:"recipientGroupingKey"`
	MessageStatus        string `json:"messageStatus"` // COMPLETED or FAILED
	ResultCode           string `json:"resultCode"`
	ResultCodeName       string `json:"resultCodeName"`
	ResendStatus         string `json:"resendStatus"` // RSC03: resent by SMS/LMS
	ResendType           string `json:"resendType"`
	ResendRequestID      string `json:"resendRequestId"`
}

// resendDone is the resendStatus of an AlimTalk NHN resent as SMS/LMS successfully.
const resendDone = "RSC03"

// Parse verifies a webhook and returns its reports. A missing or wrong signature is
// store.ErrBadSignature.
func (p Reports) Parse(h http.Header, body []byte) ([]store.Report, error) {
	got := h.Get("X-Toast-Webhook-Signature")
	if p.Signature == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.Signature)) != 1 {
		return nil, store.ErrBadSignature
	}
	var doc struct {
		Hooks []hook `json:"hooks"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("nhn report: %w", err)
	}
	now := time.Now()
	out := make([]store.Report, 0, len(doc.Hooks))
	for i, x := range doc.Hooks {
		if x.RecipientGroupingKey == "" {
			return nil, fmt.Errorf("nhn report: hooks[%d]: no recipientGroupingKey (not a message notifyd sent)", i)
		}
		r := store.Report{Provider: "nhn", MessageID: x.RecipientGroupingKey, Code: x.ResultCode, Detail: x.ResultCodeName, At: now}
		switch x.MessageStatus {
		case "COMPLETED":
			r.Status = notify.StatusDelivered
		case "FAILED":
			r.Status = notify.StatusUndelivered
			_, r.Refused = kakao.Refusal(x.ResultCode)
			r.Refused = r.Refused && strings.EqualFold(x.MessageType, "ALIMTALK")
		default:
			return nil, fmt.Errorf("nhn report: hooks[%d].messageStatus: %q is not COMPLETED or FAILED", i, x.MessageStatus)
		}
		if x.ResendStatus == resendDone {
			r.Fallback, r.FallbackID = strings.ToLower(x.ResendType), x.ResendRequestID
		}
		out = append(out, r)
	}
	return out, nil
}
