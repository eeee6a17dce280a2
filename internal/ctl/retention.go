package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// purgeAnswer is what GET /v1/admin/retention and POST /v1/admin/retention/purge answer.
type purgeAnswer struct {
	DryRun  bool `json:"dryRun"`
	Cutoffs *struct {
		Types  map[string]time.Time `json:"types"`
		Events map[string]time.Time `json:"events"`
		Outbox time.Time            `json:"outbox"`
	} `json:"cutoffs"`
	Purged struct {
		Notifications, Deliveries, Scheduled, Outbox, Events int64
	} `json:"purged"`
}

func runPurge(ctx context.Context, e *env, args []string) error {
	fs := e.flags("purge", "[--dry-run]")
	dry := fs.Bool("dry-run", false, "count what would be deleted now, deleting nothing")
	if _, err := parse(fs, args, 0, 0); err != nil {
		return err
	}
	r := request{method: http.MethodPost, path: "/v1/admin/retention/purge", access: asAdmin}
	if *dry {
		r = request{method: http.MethodGet, path: "/v1/admin/retention", access: asAdmin}
	}
	var raw json.RawMessage
	if _, err := e.g.do(ctx, r, &raw); err != nil {
		return err
	}
	if e.g.JSON {
		return e.printJSON(raw)
	}
	var a purgeAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Errorf("the answer is not the JSON expected: %w", err)
	}
	verb := "purged"
	if a.DryRun {
		verb = "would purge"
	}
	p := a.Purged
	fmt.Fprintf(e.Stdout, "%s %d notifications, %s, %d scheduled rows, %d events and %d webhook messages\n", verb, p.Notifications, deliveries(p.Deliveries), p.Scheduled, p.Events, p.Outbox)
	if a.Cutoffs != nil {
		types := make([]string, 0, len(a.Cutoffs.Types))
		for t := range a.Cutoffs.Types {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, t := range types {
			fmt.Fprintf(e.Stdout, "  %-24s created before %s\n", t, stamp(a.Cutoffs.Types[t]))
		}
		types = types[:0]
		for t := range a.Cutoffs.Events {
			types = append(types, t)
		}
		slices.Sort(types)
		for _, t := range types {
			fmt.Fprintf(e.Stdout, "  %-24s created before %s (events none of whose notifications is left)\n", t+" events", stamp(a.Cutoffs.Events[t]))
		}
		fmt.Fprintf(e.Stdout, "  %-24s created before %s (delivered ones)\n", "webhook messages", stamp(a.Cutoffs.Outbox))
	}
	return nil
}

// runBackup copies the SQLite database notifyd uses while it runs (sqlite.Backup). It
// reads the file itself, so it runs where the file is (the host, or the container with
// kubectl exec); MySQL and PostgreSQL have their own tools (docs/deploy.md).
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := e.flags("backup", "FILE [--database-url sqlite:PATH]")
	def := os.Getenv("NOTIFY_DATABASE_URL")
	if def == "" {
		def = "sqlite:data/notify.db"
	}
	dbURL := fs.String("database-url", def, "the database notifyd uses (env NOTIFY_DATABASE_URL)")
	pos, err := parse(fs, args, 1, 1)
	if err != nil {
		return err
	}
	dsn, ok := strings.CutPrefix(*dbURL, "sqlite:")
	if !ok {
		return fmt.Errorf("backup copies SQLite databases; for MySQL use mariadb-dump --single-transaction, for PostgreSQL pg_dump (docs/deploy.md)")
	}
	if err := sqlite.Backup(ctx, dsn, pos[0]); err != nil {
		return err
	}
	st, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "backed up %s to %s (%d bytes, integrity ok)\n", dsn, pos[0], st.Size())
	return nil
}
