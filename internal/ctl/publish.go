package ctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

type accepted struct {
	EventID         string  `json:"eventId"`
	Duplicate       bool    `json:"duplicate"`
	NotificationIDs []int64 `json:"notificationIds"`
	Scheduled       []struct {
		UserID string    `json:"userId"`
		DueAt  time.Time `json:"dueAt"`
		Digest bool      `json:"digest"`
	} `json:"scheduled"`
}

// publishAnswer is either one accepted event or {"events":[…]} for an array.
type publishAnswer struct {
	accepted
	Events []accepted `json:"events,omitempty"`
}

func runPublish(ctx context.Context, e *env, args []string) error {
	fs := e.flags("publish", "[-f FILE|-] | --type T --user-id ID [--role R --phone P --message M --url U --event-id K --data JSON]")
	var file, typ, userID, role, phone, message, link, eventID, data, key string
	fs.StringVar(&file, "f", "", "read the event JSON (one NotificationData or an array) from FILE, or - for stdin")
	fs.StringVar(&typ, "type", "", "notificationType")
	fs.StringVar(&userID, "user-id", "", "recipient user id")
	fs.StringVar(&role, "role", "CUSTOMER", "recipient role: CUSTOMER, OWNER or ADMIN")
	fs.StringVar(&phone, "phone", "", "recipient phone number, E.164 (for SMS)")
	fs.StringVar(&message, "message", "", "message (default: the type's template)")
	fs.StringVar(&link, "url", "", "link, http or https (default: the type's template)")
	fs.StringVar(&eventID, "event-id", "", "idempotency key (eventId)")
	fs.StringVar(&data, "data", "", "template data, a JSON object")
	fs.StringVar(&key, "idempotency-key", "", "Idempotency-Key header, for events without eventId")
	sendIn := fs.Duration("send-in", 0, "schedule the event(s) this long from now (sets publishInformation.sendAt, e.g. 10m)")
	pos, err := parse(fs, args, 0, 1)
	if err != nil {
		return err
	}
	if len(pos) == 1 && file == "" {
		file = pos[0] // notifyctl publish event.json
	}

	var body []byte
	switch {
	case file != "":
		if typ != "" || userID != "" {
			return fmt.Errorf("give the event either as a file (-f) or as flags (--type, --user-id), not both")
		}
		if body, err = readInput(e.Stdin, file); err != nil {
			return err
		}
	case typ == "" || userID == "":
		return fmt.Errorf("give the event with -f FILE (or - for stdin), or with at least --type and --user-id")
	default:
		if body, err = eventFromFlags(typ, userID, role, phone, message, link, eventID, data); err != nil {
			return err
		}
	}

	if *sendIn != 0 {
		if *sendIn < 0 {
			return fmt.Errorf("--send-in %s: give a time ahead, such as 10m", *sendIn)
		}
		if body, err = withSendAt(body, time.Now().Add(*sendIn)); err != nil {
			return err
		}
	}

	h := http.Header{}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	var out publishAnswer
	var raw json.RawMessage
	_, err = e.g.do(ctx, request{method: http.MethodPost, path: "/v1/events", body: body, header: h, access: asProducer}, &raw)
	if err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(raw)
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	list := out.Events
	if len(list) == 0 {
		list = []accepted{out.accepted}
	}
	for _, a := range list {
		verb := "accepted"
		if a.Duplicate {
			verb = "duplicate (already stored)"
		}
		if len(a.Scheduled) > 0 && len(a.NotificationIDs) == 0 {
			what := "scheduled for"
			if a.Scheduled[0].Digest {
				what = "in a digest due"
			}
			fmt.Fprintf(e.Stdout, "%s %s: %s %s %s\n", verb, a.EventID, plural(len(a.Scheduled), "notification"), what, stamp(a.Scheduled[0].DueAt))
			continue
		}
		fmt.Fprintf(e.Stdout, "%s %s: notifications %s\n", verb, a.EventID, joinIDs(a.NotificationIDs))
	}
	return nil
}

func readInput(stdin io.Reader, file string) ([]byte, error) {
	var b []byte
	var err error
	if file == "-" {
		b, err = io.ReadAll(stdin)
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("read the event: %w", err)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s is not valid JSON", map[bool]string{true: "stdin", false: file}[file == "-"])
	}
	return bytes.TrimSpace(b), nil
}

// eventFromFlags builds the NotificationData JSON. A numeric user id is sent as a
// number, as Spring producers do.
func eventFromFlags(typ, userID, role, phone, message, link, eventID, data string) ([]byte, error) {
	who := map[string]any{"userId": userID, "role": strings.ToUpper(role)}
	if n, err := strconv.ParseInt(userID, 10, 64); err == nil {
		who["userId"] = n
	}
	if phone != "" {
		who["phoneNumber"] = phone
	}
	pub := map[string]any{"notificationType": typ}
	for k, v := range map[string]string{"message": message, "url": link, "eventId": eventID} {
		if v != "" {
			pub[k] = v
		}
	}
	if data != "" {
		var d map[string]any
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			return nil, fmt.Errorf("--data must be a JSON object: %w", err)
		}
		pub["data"] = d
	}
	return json.Marshal(map[string]any{"whoToNotify": who, "publishInformation": pub})
}

func joinIDs(ids []int64) string {
	if len(ids) == 0 {
		return "(none)"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

// withSendAt sets publishInformation.sendAt of one event, or of each in an array, to at
// (RFC 3339 in UTC), keeping every other field as it was (numbers exactly).
func withSendAt(body []byte, at time.Time) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("the event is not JSON: %w", err)
	}
	events, isArray := v.([]any)
	if !isArray {
		events = []any{v}
	}
	for i, ev := range events {
		obj, ok := ev.(map[string]any)
		pub, ok2 := obj["publishInformation"].(map[string]any)
		if !ok || !ok2 {
			return nil, fmt.Errorf("event %d has no publishInformation object to set sendAt in", i)
		}
		pub["sendAt"] = at.UTC().Format(time.RFC3339)
	}
	return json.Marshal(v)
}
