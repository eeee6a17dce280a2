package store

import (
	"context"
	"time"
)

// Console is the part of the store behind the operator's console: the activity feed, an
// event's delivery attempts and the traffic charts.
type Console interface {
	// ListEvents returns events newest first (by their row id) under f. A page is bounded in
	// what it reads: a filter on delivery status looks at most EventScanWindow events below
	// the cursor, so a page may come back short with Next set to go on below it.
	ListEvents(ctx context.Context, f EventFilter) (*EventPage, error)
	// EventAttempts returns every recorded attempt of an event's deliveries, oldest first;
	// ErrNotFound when there is no such event.
	EventAttempts(ctx context.Context, eventKey string) ([]DeliveryAttempt, error)
	// TrafficStats counts events, delivery outcomes per channel and fallbacks in buckets
	// of width from since to until, with the latency percentiles of the sent outcomes.
	TrafficStats(ctx context.Context, since, until time.Time, bucket time.Duration) (*Traffic, error)
}

// EventScanWindow is how many events below the cursor one page filtered by delivery status
// reads at most (the filter needs each event's deliveries; without a bound, a status no
// event has would read the whole table).
const EventScanWindow = 2000

// EventFilter narrows ListEvents. Zero values: every event, from the newest.
type EventFilter struct {
	Type   string
	Status string // a delivery status: an event with at least one delivery in it
	UserID string // an event with a notification for this user
	Before int64  // only events with a row id below (<= 0: from the newest)
	Limit  int
}

// EventPage is one page of ListEvents.
type EventPage struct {
	Events []EventSummary
	// Next is the Before of the next page (0: nothing older).
	Next int64
}

// EventSummary is one row of the activity feed: an event and what became of its
// deliveries, counted by channel, status and reason.
type EventSummary struct {
	ID         int64            `json:"id"`
	Key        string           `json:"eventId"`
	Type       string           `json:"type"`
	Source     string           `json:"source"`
	ReceivedAt time.Time        `json:"receivedAt"`
	Recipients int              `json:"recipients"`
	Users      []string         `json:"userIds"` // the first few recipients
	Outcomes   []ChannelOutcome `json:"outcomes"`
}

// ChannelOutcome counts an event's deliveries on one channel in one status.
type ChannelOutcome struct {
	Channel  string `json:"channel"`
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Fallback string `json:"fallback,omitempty"`
	Count    int    `json:"count"`
}

// DeliveryAttempt is one attempt of one delivery as it ended.
type DeliveryAttempt struct {
	DeliveryID int64     `json:"deliveryId"`
	Attempt    int       `json:"attempt"`
	Channel    string    `json:"channel"`
	Status     string    `json:"status"`
	Provider   string    `json:"provider,omitempty"`
	ProviderID string    `json:"providerMessageId,omitempty"`
	Error      string    `json:"error,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Fallback   string    `json:"fallback,omitempty"`
	At         time.Time `json:"at"`
}

// Traffic is what the charts draw: counts per bucket (Start is each bucket's start).
type Traffic struct {
	Events    []Count         `json:"events"`
	Outcomes  []OutcomeCount  `json:"outcomes"`
	Fallbacks []FallbackCount `json:"fallbacks"`
	Latency   []Latency       `json:"latency"`
}

// Count is a number of things in one bucket.
type Count struct {
	Start time.Time `json:"t"`
	N     int       `json:"n"`
}

// FallbackCount is a number of deliveries that fell back (an AlimTalk Kakao could not
// deliver, sent again as To: sms or lms) in one bucket, counted when the fallback was
// decided (the refusal, or the provider's report).
type FallbackCount struct {
	Start time.Time `json:"t"`
	To    string    `json:"to"`
	N     int       `json:"n"`
}

// OutcomeCount is a number of attempts that ended in one status on one channel; a
// provider's report (delivered, undelivered) counts as one more, at the time it came.
type OutcomeCount struct {
	Start   time.Time `json:"t"`
	Channel string    `json:"channel"`
	Status  string    `json:"status"`
	N       int       `json:"n"`
}

// Latency is the p50 and p99, in milliseconds, of the time from an event's acceptance to
// its deliveries' sent outcomes, over the N sent attempts of one bucket (at most LatencySample of them).
type Latency struct {
	Start time.Time `json:"t"`
	P50   int64     `json:"p50"`
	P99   int64     `json:"p99"`
	N     int       `json:"n"`
}

// LatencySample bounds how many sent attempts TrafficStats reads for the percentiles
// (the newest): the counts stay exact, the percentiles of a busy day are of a sample.
const LatencySample = 50000
