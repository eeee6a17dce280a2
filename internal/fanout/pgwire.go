package fanout

import (
	"encoding/json"
	"fmt"

	notify "github.com/notifyd/notifyd"
)

// pgMaxPayload is the largest NOTIFY payload PostgreSQL takes (it must be shorter than
// 8000 bytes in the default configuration).
const pgMaxPayload = 7999

// wireRef names a committed notification by its user and sequence number: what a
// PostgreSQL message carries, in its "r" list, instead of a notification too big for a
// NOTIFY payload. Redis messages never carry references.
type wireRef struct {
	User string `json:"u"`
	Seq  int64  `json:"s"`
}

// decodeRefs returns the references of a message (decode reads the rest).
func decodeRefs(payload string) ([]wireRef, error) {
	var m struct {
		R []wireRef `json:"r"`
	}
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return nil, fmt.Errorf("fanout: bad message: %w", err)
	}
	for _, r := range m.R {
		if r.User == "" || r.Seq <= 0 {
			return nil, fmt.Errorf("fanout: bad message: reference without user or seq")
		}
	}
	return m.R, nil
}

// packed is message with its parts already encoded, so that pack can measure each one
// before deciding where it goes. It marshals to the JSON of message plus the "r" list.
type packed struct {
	Origin string            `json:"origin"`
	N      []json.RawMessage `json:"n"`
	R      []json.RawMessage `json:"r,omitempty"`
}

// pack encodes ns as messages of at most limit bytes each, in order: as many
// notifications per message as fit, and a notification that does not fit a message on
// its own as a reference (user and seq), which the receiver reads from the store. refs
// counts those.
func pack(origin string, ns []notify.Notification, limit int) (payloads []string, refs int, err error) {
	o, err := json.Marshal(origin)
	if err != nil {
		return nil, 0, err
	}
	base := len(`{"origin":`) + len(o) + len(`,"n":[]}`)
	cur, size := packed{Origin: origin, N: []json.RawMessage{}}, base
	flush := func() error {
		if len(cur.N) == 0 && len(cur.R) == 0 {
			return nil
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		if len(b) > limit {
			return fmt.Errorf("fanout: packed message of %d bytes exceeds %d", len(b), limit)
		}
		payloads = append(payloads, string(b))
		cur, size = packed{Origin: origin, N: []json.RawMessage{}}, base
		return nil
	}
	for _, n := range ns {
		item, err := json.Marshal(toWire(n))
		if err != nil {
			return nil, 0, err
		}
		ref := base+len(item) > limit
		if ref {
			refs++
			if item, err = json.Marshal(wireRef{User: n.UserID, Seq: n.Seq}); err != nil {
				return nil, 0, err
			}
		}
		cost := func() int { // bytes item adds to cur, separators included
			switch {
			case ref && len(cur.R) == 0:
				return len(item) + len(`,"r":[]`)
			case ref && len(cur.R) > 0, !ref && len(cur.N) > 0:
				return len(item) + 1
			}
			return len(item)
		}
		if size+cost() > limit {
			if err := flush(); err != nil {
				return nil, 0, err
			}
		}
		size += cost()
		if ref {
			cur.R = append(cur.R, item)
		} else {
			cur.N = append(cur.N, item)
		}
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}
	return payloads, refs, nil
}
