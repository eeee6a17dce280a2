package store

import (
	"context"
	"errors"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/prefs"
)

// Topics is the part of the store behind topic subscriptions and the fan-out of an event
// to a topic's subscribers. Accept stores a topic event as one event row plus a fan-out
// job; fan-out workers (any replica) claim a job with a lease and work it page by page,
// each page in ONE transaction that writes its subscribers' notifications, ends their
// `once` subscriptions and moves the job's cursor, so a crash resumes at the cursor and a
// page is never written twice.
type Topics interface {
	// Subscribe subscribes sub.UserID to sub.Topic. Subscribing again keeps the one
	// subscription (and when it began), setting Once as given; created says whether it is
	// new. A user holding max subscriptions already gets ErrTooManyTopics (max <= 0: no cap).
	Subscribe(ctx context.Context, sub Subscription, max int) (created bool, err error)
	// Unsubscribe ends userID's subscription to topic; false when there was none.
	Unsubscribe(ctx context.Context, topic, userID string) (bool, error)
	// UserTopics lists userID's subscriptions by topic name.
	UserTopics(ctx context.Context, userID string) ([]Subscription, error)
	// TopicSubscribers pages through topic's subscribers by user id (those after after,
	// at most limit) and counts them all.
	TopicSubscribers(ctx context.Context, topic, after string, limit int) (subs []Subscription, total int64, err error)
	// CountSubscribers counts topic's subscribers who subscribed at or before at, outside
	// any write transaction (an event to the topic's accept answer says how many).
	CountSubscribers(ctx context.Context, topic string, at time.Time) (int64, error)

	// ClaimTopicJob leases one fan-out job that is running and not leased (or whose lease
	// ran out) until now+lease, one attempt more; nil when there is none.
	ClaimTopicJob(ctx context.Context, now time.Time, lease time.Duration) (*TopicJob, error)
	// FanOutPage works the next page of a job the caller holds, in ONE transaction: the
	// next in.Size subscribers after the cursor who subscribed before the event was
	// accepted become notifications (or pending rows: sendAt, digest; or are throttled)
	// as Accept would make them, their `once` subscriptions end, the cursor moves and the
	// lease is renewed to in.Now+in.Lease. It is fenced on the job's attempt:
	// ErrLeaseLost when another claim took the job since, or it was cancelled.
	FanOutPage(ctx context.Context, job *TopicJob, in FanOutInput) (*FanOutResult, error)
}

// MaxTopicsPerUser is how many topics one user may subscribe to unless configured
// otherwise: enough for every product a buyer waits for, and a bound on what one account
// can make every topic event cost.
const MaxTopicsPerUser = 1000

// ErrTooManyTopics is Subscribe's answer when the user is at the cap.
var ErrTooManyTopics = errors.New("too many topic subscriptions")

// Subscription is one user's subscription to one topic.
type Subscription struct {
	Topic        string    `json:"topic"`
	UserID       string    `json:"userId"`
	Once         bool      `json:"once"` // ends with the first notification of the topic
	SubscribedAt time.Time `json:"subscribedAt"`
}

// TopicJob is a claimed fan-out job.
type TopicJob struct {
	EventID    int64
	EventKey   string
	Topic      string
	Payload    []byte // the event as stored, to prepare again (its type's rules and channels)
	Source     string
	AcceptedAt time.Time
	Attempt    int
}

// FanOutInput is what one page needs beyond the job: the event prepared again (its
// Topic target gives each subscriber's role and channels), the delivery defaults, the
// page size and the lease to renew.
type FanOutInput struct {
	Prepared *notify.Prepared
	Defaults prefs.Defaults
	Size     int
	Now      time.Time
	Lease    time.Duration
}

// FanOutResult is what one page did.
type FanOutResult struct {
	Notifications []notify.Notification // to publish once committed
	Scheduled     int                   // pending rows written (sendAt, digest)
	Throttled     int
	Page          int   // subscribers this page took
	Done          int64 // subscribers the job has worked so far
	Finished      bool  // the job has no subscriber left
	// Held is how long the page's transaction held the store's one writer (SQLite), from
	// its begin to its commit: the fan-out worker sizes the next page by it. 0 where
	// writers do not wait for each other (MariaDB, PostgreSQL): there a page's length
	// keeps no accept waiting, and smaller pages would only add commits.
	Held time.Duration
}

// TopicProgress is a topic event's fan-out as its status shows it.
type TopicProgress struct {
	Name        string `json:"name"`
	Subscribers int64  `json:"subscribers"` // counted when the event was accepted
	Done        int64  `json:"done"`
	Finished    bool   `json:"finished"`
	Cancelled   bool   `json:"cancelled,omitempty"`
}
