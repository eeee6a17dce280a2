package sse

import (
	"encoding/json"

	notify "github.com/notifyd/notifyd"
)

// DeliverState tells every open stream of sc's user that notifications changed state on
// another tab or device (or on this one: the tab that made the change gets it too, which
// is harmless, as applying a state twice changes nothing).
//
// The frame is "event: state" with no id line, so a client's Last-Event-ID stays the
// sequence of the last notification it saw, and a reconnect replays notifications only.
// State frames are not replayed: a stream that was down when one was sent shows the new
// state when it next lists (the notifications the replay sends carry their current state).
// Like Deliver, it never blocks on a client.
func (h *Hub) DeliverState(sc notify.StateChange) {
	var local [4]*conn
	sh := h.shard(sc.UserID)
	sh.mu.RLock()
	cs := append(local[:0], sh.users[sc.UserID]...)
	sh.mu.RUnlock()
	if len(cs) == 0 {
		return
	}
	h.writeState(cs, EncodeState(sc))
}

// writeState writes a state frame to each started, open stream of cs, dropping one too
// slow to take it.
func (h *Hub) writeState(cs []*conn, frame []byte) {
	for _, c := range cs {
		c.mu.Lock()
		if c.closed || !c.started {
			c.mu.Unlock()
			continue
		}
		ok := c.writeLocked(h, frame)
		c.mu.Unlock()
		if ok {
			h.m.states.Inc()
		} else {
			h.drop(c, "slow client")
		}
	}
}

// EncodeState returns the SSE frame of a state change: event "state", no id, data the
// StateChange JSON ({"ids":[…]} or {"upToSeq":n,"type":…}, and the fields that changed).
func EncodeState(sc notify.StateChange) []byte {
	data, _ := json.Marshal(sc)
	return AppendFrame(make([]byte, 0, len(data)+32), Frame{Event: "state", Data: string(data)})
}
