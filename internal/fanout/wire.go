package fanout

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	notify "github.com/notifyd/notifyd"
)

// message is the JSON published on a channel: a batch of committed notifications of the
// users of one shard, in commit order, and the replica that published it (which has
// already delivered them to its own streams and ignores its own messages).
type message struct {
	Origin string             `json:"origin"`
	N      []wireNotification `json:"n"`
	// Close names users whose streams every replica closes (the user was erased).
	Close []string `json:"close,omitempty"`
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
	Replaces  int64           `json:"replaces,omitempty"`
	Data      json.RawMessage `json:"data,omitempty"`
}

func toWire(n notify.Notification) wireNotification {
	return wireNotification{ID: n.ID, UserID: n.UserID, Seq: n.Seq, EventID: n.EventID, Type: n.Type,
		Message: n.Message, URL: n.URL, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, Replaces: n.Replaces, Data: n.Data}
}

func (w wireNotification) notification() notify.Notification {
	return notify.Notification{ID: w.ID, UserID: w.UserID, Seq: w.Seq, EventID: w.EventID, Type: w.Type,
		Message: w.Message, URL: w.URL, CreatedAt: w.CreatedAt, ReadAt: w.ReadAt, Replaces: w.Replaces, Data: w.Data}
}

func encode(origin string, ns []notify.Notification) ([]byte, error) {
	m := message{Origin: origin, N: make([]wireNotification, len(ns))}
	for i, n := range ns {
		m.N[i] = toWire(n)
	}
	return json.Marshal(m)
}

func decode(payload string) (origin string, ns []notify.Notification, err error) {
	m, err := decodeMessage(payload)
	if err != nil {
		return "", nil, err
	}
	return m.Origin, m.ns, nil
}

// decoded is a message with its notifications checked.
type decoded struct {
	message
	ns []notify.Notification
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
	return decoded{message: m, ns: ns}, nil
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
