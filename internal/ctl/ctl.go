// Package ctl is notifyctl, the operator's CLI over notifyd's HTTP API: publish events,
// tail a user's stream, list notifications, show an event's delivery status and replay
// rejected messages. cmd/notifyctl only calls Main.
package ctl

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/notifyd/notifyd/internal/cli"
	"github.com/notifyd/notifyd/internal/version"
)

// IO is where a command reads and writes; tests give buffers.
type IO struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// StderrTTY draws the progress bar in place (else one plain line per step).
	StderrTTY bool
	// CacheDir keeps tail's resume positions (default: the user's cache dir).
	CacheDir string
}

// globals are the flags every command takes.
type globals struct {
	Client
	JSON bool
}

// errUsage marks a usage error (exit 2); the usage was printed already.
var errUsage = errors.New("usage")

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"publish", "[-f FILE|-] [--type T --user-id ID --role R ...]", "ingest an event from a file, stdin or flags", runPublish},
		{"tail", "<user> [--from SEQ]", "stream a user's notifications, resuming where the last tail stopped", runTail},
		{"list", "<user> [--limit N] [--all]", "list a user's notifications, newest first", runList},
		{"status", "<eventId>", "show an event's notifications and each delivery's status", runStatus},
		{"cancel", "<eventId>", "cancel what of an event has not gone out (scheduled notifications, unsent deliveries)", runCancel},
		{"rejected", "list [--status S] [--all] | replay <id>|--all", "show or replay messages SQS could not accept", runRejected},
		{"webhooks", "list [--status S] [--all] | replay <id>...", "show or resend outbound webhook messages", runWebhooks},
		{"vapid-keys", "", "print a new Web Push (VAPID) key pair for NOTIFY_VAPID_*", runVAPIDKeys},
		{"user", "get <user> | set <user> [--phone P] [--email E] [--tz ZONE] [--locale ko|en] | delete <user>", "show, change or erase a user's profile (delete erases everything about them)", runUser},
		{"purge", "[--dry-run]", "delete what is older than its retention now (--dry-run: count it)", runPurge},
		{"backup", "FILE [--database-url sqlite:PATH]", "copy the SQLite database while notifyd runs, and check the copy", runBackup},
		{"topic", topicUsage, "subscribe users to topics (restock alerts), unsubscribe them, list a user's topics or a topic's subscribers", runTopic},
		{"prefs", "get <user> | set <user> [--sms on|off] [--email on|off] [--webpush on|off] [--type T.CHANNEL=on|off]... [--quiet HH:MM-HH:MM|off]", "show or change a user's notification preferences", runPrefs},
	}
}

// env is what a running command has.
type env struct {
	IO
	g globals
}

// Main runs notifyctl with args (without the program name) and returns the exit code:
// 0 done, 1 failed, 2 bad usage.
func Main(ctx context.Context, args []string, io IO) int {
	e := &env{IO: io}
	err := e.main(ctx, args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(e.Stderr, "notifyctl:", err)
		return 1
	}
}

func (e *env) main(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("notifyctl", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	env := cli.Env{FS: fs}
	env.String(&e.g.Server, "server", "NOTIFY_SERVER", "http://127.0.0.1:8080", "notifyd base URL")
	env.String(&e.g.Token, "token", "NOTIFY_INGEST_TOKEN", "", "producers' bearer token (publish, status)")
	env.String(&e.g.AdminToken, "admin-token", "NOTIFY_ADMIN_TOKEN", "", "operators' bearer token (cancel, user, prefs, rejected, webhooks; publish and status too)")
	env.String(&e.g.User, "user", "NOTIFY_USER", "", "dev auth: act as this user (default: the command's <user>)")
	env.String(&e.g.AuthToken, "auth-token", "NOTIFY_AUTH_TOKEN", "", "jwt auth: the user's bearer token")
	fs.BoolVar(&e.g.JSON, "json", false, "print machine-readable JSON")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() { e.usage(fs) }
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if *showVersion {
		fmt.Fprintln(e.Stdout, version.Get().String("notifyctl"))
		return nil
	}
	if err := env.Err(); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		e.usage(fs)
		return errUsage
	}
	name, rest := fs.Arg(0), fs.Args()[1:]
	if name == "help" {
		e.usage(fs)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, rest)
		}
	}
	fmt.Fprintf(e.Stderr, "notifyctl: unknown command %q\n", name)
	e.usage(fs)
	return errUsage
}

func (e *env) usage(fs *flag.FlagSet) {
	w := e.Stderr
	fmt.Fprintln(w, "usage: notifyctl [global flags] <command> [args]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n            %s\n", c.name, c.args, c.help)
	}
	fmt.Fprintln(w, "\nglobal flags (also accepted after the command):")
	fs.PrintDefaults()
}

// flags returns a command's flag set, which also takes the global flags (their current
// values as defaults, so a flag given before the command is kept).
func (e *env) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet("notifyctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.StringVar(&e.g.Server, "server", e.g.Server, "notifyd base URL (env NOTIFY_SERVER)")
	fs.StringVar(&e.g.Token, "token", e.g.Token, "producers' bearer token: publish, status (env NOTIFY_INGEST_TOKEN)")
	fs.StringVar(&e.g.AdminToken, "admin-token", e.g.AdminToken, "operators' bearer token: cancel, user, prefs, rejected, webhooks (env NOTIFY_ADMIN_TOKEN)")
	fs.StringVar(&e.g.User, "user", e.g.User, "dev auth: act as this user")
	fs.StringVar(&e.g.AuthToken, "auth-token", e.g.AuthToken, "jwt auth: the user's bearer token (env NOTIFY_AUTH_TOKEN)")
	fs.BoolVar(&e.g.JSON, "json", e.g.JSON, "print machine-readable JSON")
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "usage: notifyctl %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags wherever they stand among the positional arguments, and checks
// the number of positional arguments is from min to max (max < 0: any).
func parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagErr(err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if len(args) > 0 && args[0] == "--" {
			pos = append(pos, args[1:]...)
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// flagErr turns a flag parse error (already printed with the usage) into errUsage.
func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}

// userArg picks the user an inbox command acts as: the <user> argument, else --user.
// With --auth-token the token says who the user is and the argument is only a label.
func (e *env) userArg(cmd string, pos []string) (string, error) {
	u := e.g.User
	if len(pos) > 0 {
		u = pos[0]
	}
	if u == "" && e.g.AuthToken == "" {
		return "", fmt.Errorf("name the user: notifyctl %s <user> (dev auth), or pass --auth-token (jwt auth)", cmd)
	}
	return u, nil
}

// printJSON writes v indented, for --json.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// cacheDir is where tail keeps its positions.
func (e *env) cacheDir() (string, error) {
	if e.CacheDir != "" {
		return e.CacheDir, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache dir for tail's position (set XDG_CACHE_HOME or use --from): %w", err)
	}
	return d + string(os.PathSeparator) + "notifyctl", nil
}

// oneLine flattens text for a table cell.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
