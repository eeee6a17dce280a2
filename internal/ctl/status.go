package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"
)

type eventStatus struct {
	EventID    string      `json:"eventId"`
	Type       string      `json:"type"`
	Source     string      `json:"source"`
	ReceivedAt time.Time   `json:"receivedAt"`
	Recipients []recipient `json:"recipients"`
	Scheduled  []struct {
		UserID         string    `json:"userId"`
		Status         string    `json:"status"`
		DueAt          time.Time `json:"dueAt"`
		Digest         bool      `json:"digest"`
		NotificationID int64     `json:"notificationId"`
	} `json:"scheduled"`
}

type recipient struct {
	UserID         string          `json:"userId"`
	Role           string          `json:"role"`
	NotificationID int64           `json:"notificationId"`
	Seq            int64           `json:"seq"`
	Read           bool            `json:"read"`
	Channels       []channelStatus `json:"channels"`
}

type channelStatus struct {
	Channel           string     `json:"channel"`
	Status            string     `json:"status"`
	Attempts          int        `json:"attempts"`
	LastError         string     `json:"lastError"`
	Reason            string     `json:"reason"`
	Provider          string     `json:"provider"`
	ProviderMessageID string     `json:"providerMessageId"`
	FailedOver        []string   `json:"failedOver"`
	SentAt            *time.Time `json:"sentAt"`
	NextAttemptAt     *time.Time `json:"nextAttemptAt"`
	UpdatedAt         *time.Time `json:"updatedAt"`
}

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := e.flags("status", "<eventId>")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	path := "/v1/events/" + url.PathEscape(pos[0])
	if _, err := e.g.do(ctx, request{method: http.MethodGet, path: path, access: asProducer}, &raw); err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(raw)
	}
	var st eventStatus
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	fmt.Fprintf(e.Stdout, "event     %s\ntype      %s\nsource    %s\nreceived  %s\n\n", st.EventID, st.Type, st.Source, stamp(st.ReceivedAt))
	if len(st.Scheduled) > 0 {
		tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USER\tSCHEDULED\tDUE\tNOTIFICATION")
		for _, p := range st.Scheduled {
			status, note := p.Status, "-"
			if p.Digest {
				status += " (digest)"
			}
			if p.NotificationID != 0 {
				note = fmt.Sprint(p.NotificationID)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.UserID, status, stamp(p.DueAt), note)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout)
	}
	if len(st.Recipients) == 0 && len(st.Scheduled) > 0 {
		fmt.Fprintln(e.Stdout, "no notification visible yet")
		return nil
	}
	if len(st.Recipients) == 0 {
		fmt.Fprintln(e.Stdout, "no recipients")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tROLE\tNOTIFICATION\tCHANNEL\tSTATUS\tDETAIL")
	for _, r := range st.Recipients {
		for i, c := range r.Channels {
			user, role, note := r.UserID, r.Role, fmt.Sprintf("%d (seq %d)", r.NotificationID, r.Seq)
			if i > 0 {
				user, role, note = "", "", ""
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", user, role, note, c.Channel, c.Status, channelDetail(r, c))
		}
	}
	return tw.Flush()
}

// channelDetail says what an operator wants to know about one delivery.
func channelDetail(r recipient, c channelStatus) string {
	var parts []string
	switch c.Status {
	case "stored":
		if r.Read {
			parts = append(parts, "read")
		} else {
			parts = append(parts, "unread")
		}
	case "sent":
		if c.Provider != "" {
			parts = append(parts, "via "+c.Provider)
		}
		if c.ProviderMessageID != "" {
			parts = append(parts, "provider id "+c.ProviderMessageID)
		}
		for _, f := range c.FailedOver {
			parts = append(parts, "failed over from "+oneLine(f))
		}
		if c.SentAt != nil {
			parts = append(parts, "at "+stamp(*c.SentAt))
		}
	case "failed":
		parts = append(parts, plural(c.Attempts, "attempt"))
		if c.LastError != "" {
			parts = append(parts, "last error: "+oneLine(c.LastError))
		}
	case "skipped":
		parts = append(parts, "reason: "+oneLine(c.Reason))
		if c.LastError != "" {
			parts = append(parts, oneLine(c.LastError))
		}
	case "scheduled":
		if c.NextAttemptAt != nil {
			parts = append(parts, "due "+stamp(*c.NextAttemptAt))
		}
	case "pending", "sending":
		if c.Attempts > 0 {
			parts = append(parts, plural(c.Attempts, "attempt")+" so far")
		}
		if c.NextAttemptAt != nil {
			parts = append(parts, "next attempt "+stamp(*c.NextAttemptAt))
		}
		if c.LastError != "" {
			parts = append(parts, "last error: "+oneLine(c.LastError))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
