// Package kakao is the kakao channel: KakaoTalk AlimTalk, rendered from the type's
// Kakao-approved template (notify.EventType.AlimTalk) and sent through a provider
// (log here; solapi and nhn in their own packages), in failover order. A message Kakao
// cannot deliver to the person falls back to SMS or LMS once: by the provider where it
// does so itself (NHN's resend), else by notifyd's sms channel, which the store creates in
// the transaction that records the refusal (see channel.KindRefused).
package kakao

import (
	"context"
	"errors"
	"fmt"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
	"github.com/notifyd/notifyd/internal/channel/krtext"
)

// Message is one AlimTalk to send.
type Message struct {
	DeliveryID int64
	Attempt    int
	To         string // E.164; Korean providers send to +82 numbers only
	Domestic   string // To in the national form (01012345678)
	AlimTalk   notify.AlimTalk
	// Fallback is the text to send as SMS/LMS should Kakao not reach the person (nil:
	// the type's fallback is none). A provider that falls back itself sends it and says
	// so with Receipt.ProviderFallback.
	Fallback *krtext.Fitted
}

// Key is the delivery's key for providers: their idempotency key and, for NHN, the
// grouping key its reports name the message by.
func (m Message) Key() string { return fmt.Sprintf("notifyd-%d", m.DeliveryID) }

// Provider sends one AlimTalk.
type Provider = channel.Sender[Message]

// Failover sends through its providers in order (NOTIFY_KAKAO_PROVIDER=nhn,solapi).
type Failover = channel.Failover[Message]

// Named is a provider with its configured name.
type Named = channel.Named[Message]

// Types finds a message's event type (the registry).
type Types interface {
	Lookup(name string) (*notify.EventType, bool)
}

// Sender is the kakao channel's sender for the delivery engine.
type Sender struct {
	Types    Types
	Provider Provider
}

// Send renders m's AlimTalk and sends it. A variable that renders empty fails the
// delivery (reason template_variable_empty) before any call; a number outside Korea is
// skipped (not_korean_number). The receipt (or the refusal) carries the fallback plan.
func (s Sender) Send(ctx context.Context, m notify.Message) (channel.Receipt, error) {
	t, ok := s.Types.Lookup(m.Type)
	if !ok || t.Kakao == nil {
		return channel.Receipt{}, channel.Permanent("no_template", fmt.Errorf("type %s has no kakao template", m.Type))
	}
	a, fallback, err := Render(t, m)
	if err != nil {
		return channel.Receipt{}, err
	}
	dom, ok := krtext.Domestic(m.To)
	if !ok {
		return channel.Receipt{}, channel.Skip(notify.ReasonNotKoreanNumber, fmt.Errorf("%s is not a Korean number: AlimTalk goes to +82 numbers only", notify.MaskPhone(m.To)))
	}
	msg := Message{DeliveryID: m.DeliveryID, Attempt: m.Attempt, To: m.To, Domestic: dom, AlimTalk: a, Fallback: fallback}
	r, err := s.Provider.Send(ctx, msg)
	if e := channel.AsError(err); e != nil && (e.Kind == channel.KindRefused || e.Kind == channel.KindUnknown) {
		plan(&e.Receipt, msg, a.Text)
		return channel.Receipt{}, e
	}
	if err != nil {
		return channel.Receipt{}, err
	}
	plan(&r, msg, a.Text)
	return r, nil
}

// Render is m's AlimTalk as type t sends it, and the SMS or LMS it falls back to (nil
// when the type's fallback is none): what Send hands its provider, and what the console's
// preview shows. A variable that renders empty is the send-time template check failing:
// a permanent error with reason template_variable_empty, wrapping the
// *notify.EmptyVariableError that names the variable.
func Render(t *notify.EventType, m notify.Message) (notify.AlimTalk, *krtext.Fitted, error) {
	a, err := t.AlimTalk(m)
	var empty *notify.EmptyVariableError
	if errors.As(err, &empty) {
		return notify.AlimTalk{}, nil, &channel.Error{Kind: channel.KindPermanent, Reason: notify.ReasonTemplateVariableEmpty, Err: err}
	}
	if err != nil {
		return notify.AlimTalk{}, nil, channel.Permanent("template", err)
	}
	if a.Fallback != notify.KakaoFallbackSMS {
		return a, nil, nil
	}
	f := krtext.Fit(a.Text, m.URL)
	return a, &f, nil
}

// plan records on r what notifyd falls back to, unless the provider does it itself.
func plan(r *channel.Receipt, m Message, text string) {
	if m.Fallback == nil || r.ProviderFallback {
		return
	}
	r.FallbackPlan, r.FallbackText = string(m.Fallback.Kind), text
}
