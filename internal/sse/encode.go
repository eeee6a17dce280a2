package sse

import (
	"encoding/json"
	"strconv"
	"strings"

	notify "github.com/notifyd/notifyd"
)

// Frame is one server-sent event.
type Frame struct {
	ID    string
	Event string
	Data  string
}

// AppendFrame appends f in text/event-stream form to b. Data is split on every line break
// (CRLF, CR or LF) into data: lines, and CR/LF are dropped from id and event, so no input
// can end an event early or inject a field of its own.
func AppendFrame(b []byte, f Frame) []byte {
	if f.ID != "" {
		b = append(b, "id: "...)
		b = appendOneLine(b, f.ID)
		b = append(b, '\n')
	}
	if f.Event != "" {
		b = append(b, "event: "...)
		b = appendOneLine(b, f.Event)
		b = append(b, '\n')
	}
	data := f.Data
	for {
		i := strings.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		b = append(b, "data: "...)
		b = append(b, data[:i]...)
		b = append(b, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b = append(b, "data: "...)
	b = append(b, data...)
	return append(b, '\n', '\n')
}

func appendOneLine(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '\r' && c != '\n' && c != 0 {
			b = append(b, c)
		}
	}
	return b
}

// EncodeNotification returns the SSE frame of one notification: id is the user's sequence
// number, event is "notification", data the contract's JSON.
func EncodeNotification(n *notify.Notification) []byte {
	data, _ := json.Marshal(n.View())
	return AppendFrame(make([]byte, 0, len(data)+48), Frame{ID: strconv.FormatInt(n.Seq, 10), Event: "notification", Data: string(data)})
}
