package store

import (
	"context"
	"errors"
	"time"

	notify "github.com/notifyd/notifyd"
)

// Reports are the delivery reports providers send after accepting a message, and the
// fallback of an AlimTalk Kakao could not deliver.
type Reports interface {
	// ApplyReport stores a provider's report and applies it to the delivery it names by
	// (provider, message id), when that delivery is sent: it moves to delivered or
	// undelivered with the provider's code, the delivery.* webhook rows are written, and
	// an undelivered report of a refusal creates the fallback SMS delivery of a delivery
	// that planned one — all in one transaction. A report for a message not (yet) known is
	// kept and applied by ApplyPendingReports once its send is recorded. The same report
	// twice (same provider, message and status) is a Duplicate and changes nothing.
	ApplyReport(ctx context.Context, r Report) (ReportResult, error)
	// ApplyPendingReports applies the stored reports whose delivery is now sent, and drops
	// those received before dropBefore that never found one. It returns how many it applied.
	ApplyPendingReports(ctx context.Context, now, dropBefore time.Time, limit int) (int, error)
	// AwaitingReport lists up to limit deliveries sent through provider before sentBefore
	// that have no report yet, oldest first, for providers notifyd must ask (Solapi).
	AwaitingReport(ctx context.Context, provider string, sentBefore time.Time, limit int) ([]AwaitingDelivery, error)
}

// ErrBadSignature is a provider's delivery report whose signature is missing or wrong.
var ErrBadSignature = errors.New("report signature missing or wrong")

// Report is one provider's word on a message it accepted.
type Report struct {
	Provider  string
	MessageID string
	Status    notify.DeliveryStatus // delivered or undelivered
	Code      string                // the provider's result code
	Detail    string                // the provider's words
	// Refused: undelivered because this person cannot get it on this channel (not a
	// KakaoTalk user, blocked): notifyd's fallback applies.
	Refused bool
	// Fallback and FallbackID: the provider fell back itself (NHN's resend) as sms or lms,
	// with that message's id.
	Fallback   string
	FallbackID string
	At         time.Time
}

// ReportResult says what a report did.
type ReportResult struct {
	Duplicate  bool  // the same report was received before: nothing changed
	DeliveryID int64 // the delivery it was applied to (0: kept until its send is recorded)
	// FallbackID is the fallback delivery the report created (0: none).
	FallbackID int64
}

// AwaitingDelivery is a sent delivery whose provider has not reported yet.
type AwaitingDelivery struct {
	ID         int64
	ProviderID string
	SentAt     time.Time
}
