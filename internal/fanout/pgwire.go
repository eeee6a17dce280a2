package fanout

import (
	"bytes"
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

// packed is a message being built from encoded parts, so that pack can measure each part
// before deciding where it goes. Its bytes are message's JSON plus the "r" list.
type packed struct {
	n, r [][]byte
}

func (p packed) bytes(origin []byte) []byte {
	b := append(append([]byte(`{"origin":`), origin...), `,"n":[`...)
	b = append(b, bytes.Join(p.n, []byte{','})...)
	b = append(b, ']')
	if len(p.r) > 0 {
		b = append(append(b, `,"r":[`...), bytes.Join(p.r, []byte{','})...)
		b = append(b, ']')
	}
	return append(b, '}')
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
	var cur packed
	size := base
	flush := func() error {
		if len(cur.n) == 0 && len(cur.r) == 0 {
			return nil
		}
		b := cur.bytes(o)
		if len(b) > limit {
			return fmt.Errorf("fanout: packed message of %d bytes exceeds %d", len(b), limit)
		}
		payloads = append(payloads, string(b))
		cur, size = packed{}, base
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
			case ref && len(cur.r) == 0:
				return len(item) + len(`,"r":[]`)
			case ref && len(cur.r) > 0, !ref && len(cur.n) > 0:
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
			cur.r = append(cur.r, item)
		} else {
			cur.n = append(cur.n, item)
		}
	}
	if err := flush(); err != nil {
		return nil, 0, err
	}
	return payloads, refs, nil
}
