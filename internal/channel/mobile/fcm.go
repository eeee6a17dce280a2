package mobile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/notifyd/notifyd/internal/channel"
)

// FCM sends through Firebase Cloud Messaging's HTTP v1 API.
type FCM struct {
	project string
	send    string // {base}/v1/projects/{project}/messages:send
	client  *http.Client
	tokens  *fcmTokens
	auth    *authHealth
}

// NewFCM reads the service-account file at credentials; base is NOTIFY_FCM_URL.
func NewFCM(credentials, base string, client *http.Client, now func() time.Time) (*FCM, error) {
	sa, err := loadServiceAccount(credentials)
	if err != nil {
		return nil, err
	}
	return &FCM{project: sa.ProjectID, send: strings.TrimRight(base, "/") + "/v1/projects/" + sa.ProjectID + "/messages:send",
		client: client, tokens: newFCMTokens(sa, client, now), auth: &authHealth{name: "fcm"}}, nil
}

// TokensMade reports how many OAuth2 access tokens were made.
func (f *FCM) TokensMade() int { return f.tokens.Made() }

// fcmMessage is the v1 API's Message, the fields notifyd sets.
type fcmMessage struct {
	Token        string            `json:"token"`
	Notification fcmNotification   `json:"notification"`
	Data         map[string]string `json:"data"`
	Android      struct {
		CollapseKey  string `json:"collapse_key,omitempty"`
		Notification struct {
			Tag   string `json:"tag,omitempty"`
			Count int    `json:"notification_count"`
		} `json:"notification"`
	} `json:"android"`
	APNs struct {
		Headers map[string]string `json:"headers,omitempty"`
		Payload struct {
			APS struct {
				Badge int `json:"badge"`
			} `json:"aps"`
		} `json:"payload"`
	} `json:"apns"`
}

type fcmNotification struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

func encodeFCM(p Push) ([]byte, error) {
	m := fcmMessage{Token: p.Token, Notification: fcmNotification{Title: p.Title, Body: p.Body}, Data: p.data()}
	m.Android.Notification.Count = p.Badge
	m.APNs.Payload.APS.Badge = p.Badge
	if p.CollapseKey != "" {
		id := collapseID(p.CollapseKey)
		m.Android.CollapseKey, m.Android.Notification.Tag = id, id
		m.APNs.Headers = map[string]string{"apns-collapse-id": id}
	}
	return json.Marshal(struct {
		Message fcmMessage `json:"message"`
	}{m})
}

// Push sends p; it returns FCM's message name. A dead token is errDead; the rest are
// classified for the engine (channel.Transient with FCM's Retry-After, or Permanent).
func (f *FCM) Push(ctx context.Context, p Push) (string, error) {
	body, err := fit(p, encodeFCM)
	if err != nil {
		return "", channel.Permanent("payload", err)
	}
	for try := 0; ; try++ {
		tok, err := f.tokens.token(ctx)
		if err != nil {
			return "", f.auth.tokenFailed(err)
		}
		resp, err := f.post(ctx, tok, body)
		if err != nil {
			return "", channel.Transient("", fmt.Errorf("fcm: %w", err))
		}
		if resp.status == http.StatusUnauthorized {
			if try == 0 { // expired or revoked early: one fresh token
				f.tokens.drop(tok)
				continue
			}
			return "", f.auth.refused(fmt.Errorf("fcm refused a fresh access token (401): %s", resp.message()))
		}
		f.auth.ok()
		return resp.classify()
	}
}

type fcmResponse struct {
	status     int
	retryAfter time.Duration
	body       []byte
	Name       string `json:"name"`
	Error      struct {
		Status  string `json:"status"`
		Message string `json:"message"`
		Details []struct {
			Type            string `json:"@type"`
			ErrorCode       string `json:"errorCode"`
			FieldViolations []struct {
				Field string `json:"field"`
			} `json:"fieldViolations"`
		} `json:"details"`
	} `json:"error"`
}

func (f *FCM) post(ctx context.Context, tok *oauth2.Token, body []byte) (*fcmResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.send, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	tok.SetAuthHeader(req)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := &fcmResponse{status: resp.StatusCode, retryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	r.body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	_ = json.Unmarshal(r.body, r) // an unparsable body is classified by its status alone
	return r, nil
}

// The FcmError detail's type, the one FCM's own error codes come in.
const fcmErrorType = "type.googleapis.com/google.firebase.fcm.v1.FcmError"

// classify reads FCM's answer by its error code (the FcmError detail), never by its
// message text, which Google words as it likes.
func (r *fcmResponse) classify() (string, error) {
	if r.status >= 200 && r.status < 300 {
		return r.Name, nil
	}
	code, tokenField := "", false
	for _, d := range r.Error.Details {
		if d.Type == fcmErrorType {
			code = d.ErrorCode
		}
		for _, v := range d.FieldViolations {
			tokenField = tokenField || v.Field == "message.token"
		}
	}
	err := fmt.Errorf("fcm answered %d %s: %s", r.status, code, r.message())
	switch {
	case code == "UNREGISTERED":
		return "", fmt.Errorf("%w: %w", errDead, err)
	case code == "INVALID_ARGUMENT" && tokenField:
		return "", fmt.Errorf("%w: %w", errDead, err)
	case code == "QUOTA_EXCEEDED" || code == "UNAVAILABLE" || code == "INTERNAL":
		return "", channel.TransientAfter(code, r.retryAfter, err)
	case code == "" && (r.status == http.StatusTooManyRequests || r.status >= 500):
		return "", channel.TransientAfter(strconv.Itoa(r.status), r.retryAfter, err)
	case code == "":
		code = strconv.Itoa(r.status)
	}
	// INVALID_ARGUMENT of the message, SENDER_ID_MISMATCH (a token of another Firebase
	// project: pruning it would empty every device if the credentials file were the
	// wrong one), THIRD_PARTY_AUTH_ERROR (the APNs key in Firebase): retrying cannot help.
	return "", channel.Permanent(code, err)
}

func (r *fcmResponse) message() string {
	if r.Error.Message != "" {
		return r.Error.Message
	}
	return string(bytes.TrimSpace(r.body))
}

// errDead: the platform says the token will never work again; the device is removed.
var errDead = errors.New("mobile: the device token is dead")
