package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"
)

// cancelAnswer is DELETE /v1/events/{eventId}'s answer.
type cancelAnswer struct {
	EventID   string `json:"eventId"`
	Cancelled struct {
		Notifications []struct {
			UserID string    `json:"userId"`
			DueAt  time.Time `json:"dueAt"`
			Digest bool      `json:"digest"`
		} `json:"notifications"`
		Deliveries []delivery `json:"deliveries"`
	} `json:"cancelled"`
	AlreadyOut struct {
		Notifications []struct {
			ID  int64 `json:"id"`
			Seq int64 `json:"seq"`
		} `json:"notifications"`
		Deliveries []delivery `json:"deliveries"`
	} `json:"alreadyOut"`
}

type delivery struct {
	ID             int64  `json:"id"`
	NotificationID int64  `json:"notificationId"`
	Channel        string `json:"channel"`
	Status         string `json:"status"`
}

func runCancel(ctx context.Context, e *env, args []string) error {
	fs := e.flags("cancel", "<eventId>")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	var raw json.RawMessage
	path := "/v1/events/" + url.PathEscape(pos[0])
	if _, err := e.g.do(ctx, request{method: http.MethodDelete, path: path, access: asAdmin}, &raw); err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(raw)
	}
	var a cancelAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	fmt.Fprintf(e.Stdout, "event %s: %s and %s cancelled; %s and %s already out\n\n", a.EventID,
		plural(len(a.Cancelled.Notifications), "notification"), deliveries(int64(len(a.Cancelled.Deliveries))),
		plural(len(a.AlreadyOut.Notifications), "notification"), deliveries(int64(len(a.AlreadyOut.Deliveries))))
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHAT\tSTATUS\tDETAIL")
	for _, n := range a.Cancelled.Notifications {
		kind := "scheduled"
		if n.Digest {
			kind = "digest"
		}
		fmt.Fprintf(tw, "notification\tcancelled\tuser %s, %s for %s\n", n.UserID, kind, stamp(n.DueAt))
	}
	for _, n := range a.AlreadyOut.Notifications {
		fmt.Fprintf(tw, "notification %d\tvisible\tseq %d\n", n.ID, n.Seq)
	}
	for _, d := range append(a.Cancelled.Deliveries, a.AlreadyOut.Deliveries...) {
		fmt.Fprintf(tw, "%s %d\t%s\tnotification %d\n", d.Channel, d.ID, d.Status, d.NotificationID)
	}
	return tw.Flush()
}
