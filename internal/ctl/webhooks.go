package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/notifyd/notifyd/internal/channel/webpush"
)

// runVAPIDKeys prints a new Web Push key pair as NOTIFY_VAPID_* lines (no server needed).
func runVAPIDKeys(_ context.Context, e *env, args []string) error {
	fs := e.flags("vapid-keys", "")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	k, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(map[string]string{"publicKey": k.Public, "privateKey": k.Private})
	}
	fmt.Fprintf(e.Stdout, "NOTIFY_VAPID_PUBLIC_KEY=%s\nNOTIFY_VAPID_PRIVATE_KEY=%s\n", k.Public, k.Private)
	return nil
}

type webhookMessage struct {
	ID            int64           `json:"id"`
	Endpoint      string          `json:"endpoint"`
	Event         string          `json:"event"`
	Payload       json.RawMessage `json:"payload"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	NextAttemptAt time.Time       `json:"nextAttemptAt"`
	LastError     string          `json:"lastError,omitempty"`
	CreatedAt     time.Time       `json:"createdAt"`
	DeliveredAt   *time.Time      `json:"deliveredAt,omitempty"`
}

type webhookPage struct {
	Webhooks  []webhookMessage `json:"webhooks"`
	NextAfter int64            `json:"nextAfter,omitempty"`
}

func runWebhooks(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.Stderr, "usage: notifyctl webhooks list [--status pending|sending|delivered|failed] [--limit N] [--all]\n       notifyctl webhooks replay <id>...")
		return errUsage
	}
	switch args[0] {
	case "list":
		return webhooksList(ctx, e, args[1:])
	case "replay":
		return webhooksReplay(ctx, e, args[1:])
	default:
		fmt.Fprintf(e.Stderr, "notifyctl: webhooks %q: want list or replay\n", args[0])
		return errUsage
	}
}

func webhooksList(ctx context.Context, e *env, args []string) error {
	fs := e.flags("webhooks list", "[--status S] [--limit N] [--after ID] [--all]")
	status := fs.String("status", "", "pending, sending, delivered or failed (given up)")
	pf := addPageFlags(fs)
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	rows, next, err := listByID[webhookMessage](ctx, e, "/v1/admin/webhooks", "webhooks", *status, *pf.after, *pf.limit, *pf.all)
	if err != nil {
		return err
	}
	out := webhookPage{Webhooks: rows, NextAfter: next}
	if e.g.JSON {
		return e.printJSON(out)
	}
	if len(out.Webhooks) == 0 {
		fmt.Fprintln(e.Stdout, "no webhook messages")
		return nil
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tEVENT\tSTATUS\tATTEMPTS\tENDPOINT\tLAST ERROR")
	for _, w := range out.Webhooks {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", w.ID, stamp(w.CreatedAt), w.Event, w.Status, w.Attempts, w.Endpoint, oneLine(w.LastError))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if out.NextAfter != 0 {
		fmt.Fprintf(e.Stdout, "more: notifyctl webhooks list --after %d (or --all)\n", out.NextAfter)
	}
	return nil
}

func webhooksReplay(ctx context.Context, e *env, args []string) error {
	fs := e.flags("webhooks replay", "<id>...")
	pos, err := parse(fs, args, 1, -1)
	if err != nil {
		return err
	}
	for _, p := range pos {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil || id < 1 {
			return fmt.Errorf("%q is not a webhook message id", p)
		}
		if _, err := e.g.do(ctx, request{method: http.MethodPost, path: "/v1/admin/webhooks/" + p + "/replay", access: asAdmin}, nil); err != nil {
			return fmt.Errorf("replay %d: %w", id, err)
		}
		if !e.g.JSON {
			fmt.Fprintf(e.Stdout, "webhook %d is due again (same webhook-id)\n", id)
		}
	}
	return nil
}
