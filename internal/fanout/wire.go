package fanout

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	notify "github.com/notifyd/notifyd"
)

// message is the JSON published on a channel: a batch of committed notifications of the
// users of one shard, in commit order, or of inbox state changes (S), and the replica that
// published it (which has already delivered them to its own streams and ignores its own
// messages). A replica that predates S sees a message with no notifications and skips it.
type message struct {
	Origin string             `json:"origin"`
	N      []wireNotification `json:"n"`
	S      []wireState        `json:"s,omitempty"`
	// Close names users whose streams every replica closes (the user was erased).
	Close []string `json:"close,omitempty"`
}

// wireState is notify.StateChange with the user id on the wire.
type wireState struct {
	UserID string `json:"userId"`
	notify.StateChange
}

// wireNotification is notify.Notification with every field on the wire, the user id too
// (which the API's JSON leaves out).
type wireNotification struct {
	ID        int64           `json:"id"`
	UserID    string          `json:"userId"`
	Seq       int64           `json:"seq"`
	EventID   string          `json:"eventId"`
	Type      string          `json:"type"`
	Message   string          `json:"message"`
	URL       string          `json:"url,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	ReadAt    *time.Time      `json:"readAt,omitempty"`
	SeenAt    *time.Time      `json:"seenAt,omitempty"`
	Archived  *time.Time      `json:"archivedAt,omitempty"`
	Replaces  int64           `json:"replaces,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

func toWire(n notify.Notification) wireNotification {
	return wireNotification{ID: n.ID, UserID: n.UserID, Seq: n.Seq, EventID: n.EventID, Type: n.Type,
		Message: n.Message, URL: n.URL, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, SeenAt: n.SeenAt, Archived: n.ArchivedAt, Replaces: n.Replaces, Data: n.Data}
}

func (w wireNotification) notification() notify.Notification {
	return notify.Notification{ID: w.ID, UserID: w.UserID, Seq: w.Seq, EventID: w.EventID, Type: w.Type,
		Message: w.Message, URL: w.URL, CreatedAt: w.CreatedAt, ReadAt: w.ReadAt, SeenAt: w.SeenAt, ArchivedAt: w.Archived, Replaces: w.Replaces, Data: w.Data}
}

func encode(origin string, ns []notify.Notification, states []notify.StateChange) ([]byte, error) {
	m := message{Origin: origin, N: make([]wireNotification, len(ns))}
	for i, n := range ns {
		m.N[i] = toWire(n)
	}
	for _, sc := range states {
		m.S = append(m.S, wireState{UserID: sc.UserID, StateChange: sc})
	}
	return json.Marshal(m)
}

func decode(payload string) (origin string, ns []notify.Notification, states []notify.StateChange, err error) {
	m, err := decodeMessage(payload)
	if err != nil {
		return "", nil, nil, err
	}
	return m.Origin, m.ns, m.states, nil
}

// decoded is a message with its notifications and state changes checked.
type decoded struct {
	message
	ns     []notify.Notification
	states []notify.StateChange
}

func decodeMessage(payload string) (decoded, error) {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return decoded{}, fmt.Errorf("fanout: bad message: %w", err)
	}
	ns := make([]notify.Notification, len(m.N))
	for i, w := range m.N {
		if w.UserID == "" || w.Seq <= 0 {
			return decoded{}, fmt.Errorf("fanout: bad message: notification %d without user or seq", w.ID)
		}
		ns[i] = w.notification()
	}
	var states []notify.StateChange
	for _, w := range m.S {
		if w.UserID == "" || (len(w.IDs) == 0 && w.UpToSeq <= 0) {
			return decoded{}, fmt.Errorf("fanout: bad message: state change without user or target")
		}
		sc := w.StateChange
		sc.UserID = w.UserID
		states = append(states, sc)
	}
	return decoded{message: m, ns: ns, states: states}, nil
}

// shardOf picks a user's channel. All of a user's notifications go through one channel,
// so one publisher's messages for a user arrive in the order it sent them.
func shardOf(user string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(user))
	return int(h.Sum32() % uint32(shards))
}

// channelName is the Redis channel of a shard: "<prefix>.<shard>", e.g. "notifyd.notifications.3".
func channelName(prefix string, shard int) string {
	return fmt.Sprintf("%s.%d", prefix, shard)
}
