package sse

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// FuzzAppendFrame: whatever id, event and data hold, a WHATWG event-stream parser reads
// the frame back as exactly one event with the same fields (id and event without CR, LF
// and NUL, data with its line breaks normalised to LF), and a frame written after it is
// read intact: no input can inject a field or an event.
func FuzzAppendFrame(f *testing.F) {
	for _, s := range [][3]string{
		{"1", "notification", `{"id":1,"message":"hi"}`},
		{"", "", ""},
		{"7\nretry: 1", "x\r\nevent: evil", "a\n\nid: 9\n\ndata: injected"},
		{"\r", "\r\n", "\r"},
		{"a\x00b", "e\x00", "\x00"},
		{" lead", ":comment", ": not a comment"},
		{"", "", "line1\r\nline2\rline3\nline4"},
		{"", "", "\n\n\n"},
		{"\xff\xfe", "\xef\xbb\xbf", "\xef\xbb\xbfdata"},
		{"", "", "trailing\r"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	probe := Frame{ID: "probe-id", Event: "probe", Data: "probe-data"}
	f.Fuzz(func(t *testing.T, id, event, data string) {
		stream := AppendFrame(nil, Frame{ID: id, Event: event, Data: data})
		stream = AppendFrame(stream, probe)
		events, err := parseEventStream(stream)
		if err != nil {
			t.Fatalf("%v in stream %q", err, stream)
		}
		if len(events) != 2 {
			t.Fatalf("parsed %d events, want 2, from %q", len(events), stream)
		}
		want := parsedEvent{
			id:    stripLineBreaks(id),
			event: stripLineBreaks(event),
			data:  strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(data),
		}
		if events[0] != want {
			t.Fatalf("parsed %+v, want %+v, from %q", events[0], want, stream)
		}
		if p := (parsedEvent{id: probe.ID, event: probe.Event, data: probe.Data}); events[1] != p {
			t.Fatalf("the frame after it parsed as %+v, want %+v, from %q", events[1], p, stream)
		}
	})
}

func stripLineBreaks(s string) string {
	return strings.NewReplacer("\r", "", "\n", "", "\x00", "").Replace(s)
}

// parsedEvent is one dispatched event: id is the last event ID buffer at dispatch.
type parsedEvent struct {
	id, event, data string
}

// parseEventStream interprets b by the WHATWG HTML "Interpreting an event stream" rules
// (https://html.spec.whatwg.org/multipage/server-sent-events.html), with two
// strictnesses for the test: a field other than id, event and data, a comment, and bytes
// after the last blank line are errors, since AppendFrame never writes them. It works on
// bytes and skips the spec's UTF-8 decode step: AppendFrame passes bytes through
// unchanged, and the decode would map invalid bytes on both sides of the comparison alike.
func parseEventStream(b []byte) ([]parsedEvent, error) {
	var (
		events                  []parsedEvent
		data, eventType, lastID string
	)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // one leading BOM is dropped
	for len(b) > 0 {
		// A line ends at CRLF, LF or CR; a stream that does not end with one is cut short.
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			return nil, fmt.Errorf("unterminated line %q at the end", b)
		}
		line := string(b[:i])
		if b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
		}
		b = b[i+1:]

		if line == "" { // dispatch
			if data == "" { // no data line: nothing is dispatched
				eventType = ""
				continue
			}
			events = append(events, parsedEvent{id: lastID, event: eventType, data: strings.TrimSuffix(data, "\n")})
			data, eventType = "", "" // the last event ID buffer persists
			continue
		}
		if line[0] == ':' {
			return nil, fmt.Errorf("comment line %q", line)
		}
		field, value, ok := strings.Cut(line, ":")
		if ok {
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "event":
			eventType = value
		case "data":
			data += value + "\n"
		case "id":
			if !strings.Contains(value, "\x00") {
				lastID = value
			}
		default:
			return nil, fmt.Errorf("field %q in line %q", field, line)
		}
	}
	if data != "" || eventType != "" {
		return nil, fmt.Errorf("an event is left without the blank line that dispatches it")
	}
	return events, nil
}

// TestParseEventStream checks the fuzz oracle itself: it must see injections.
func TestParseEventStream(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int // events; -1 = error
	}{
		{"id: 1\nevent: e\ndata: x\n\n", 1},
		{"data: a\n\ndata: b\n\n", 2},
		{"data: a\r\rdata: b\r\n\r\n", 2},
		{"data: a\nretry: 1\n\n", -1},
		{"data: a\n: comment\n\n", -1},
		{"data: a\n", -1},
		{"data: a\n\ndata", -1},
		{"event: e\n\n", 0},
	} {
		got, err := parseEventStream([]byte(tt.in))
		if n := len(got); (tt.want < 0) != (err != nil) || (err == nil && n != tt.want) {
			t.Errorf("parseEventStream(%q) = %d events, %v; want %d", tt.in, n, err, tt.want)
		}
	}
	got, _ := parseEventStream([]byte("id: 5\ndata: a\ndata:b\n\ndata: c\n\n"))
	if want := []parsedEvent{{"5", "", "a\nb"}, {"5", "", "c"}}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("parsed %+v, want %+v", got, want)
	}
}
