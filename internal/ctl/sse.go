package ctl

import (
	"bufio"
	"io"
	"strings"
)

// sseEvent is one dispatched Server-Sent Event.
type sseEvent struct {
	ID    string
	Event string
	Data  string
}

// readSSE calls fn for each event on r until r ends or fn returns false. Comments
// (heartbeats) are skipped; multi-line data is joined with \n, as EventSource does. An
// event's ID is the last id the stream gave, as EventSource's lastEventId; a block with
// an id and no data (the stream's opening position) comes to fn as an event with only
// an ID, which moves the reader's position without being an event to show.
func readSSE(r io.Reader, fn func(sseEvent) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var ev sseEvent
	var data []string
	lastID, sawID := "", false // EventSource's last event id: it outlives the block that set it
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			ev.ID = lastID
			switch {
			case len(data) > 0:
				ev.Data = strings.Join(data, "\n")
				if ev.Event == "" {
					ev.Event = "message"
				}
				if !fn(ev) {
					return nil
				}
			case sawID: // an id-only block (the stream's opening position): no event, a new id
				if !fn(sseEvent{ID: lastID}) {
					return nil
				}
			}
			ev, data, sawID = sseEvent{}, nil, false
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			lastID, sawID = value, true
		case "event":
			ev.Event = value
		case "data":
			data = append(data, value)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}
