package publish

import "context"

// Sender is what every destination implements: send events, get their eventIds back in
// order (generated where the caller set none), even when an error says some failed.
type Sender interface {
	Send(ctx context.Context, events ...NotificationData) ([]string, error)
}

var (
	_ Sender = (*SQS)(nil)
	_ Sender = (*SNS)(nil)
	_ Sender = (*HTTP)(nil)
)
