package main

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/cli"
)

// readmeSettings parses the README's configuration table: for each NOTIFY_* variable
// named in a row's first cell, that row's default cell.
func readmeSettings(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	envName := regexp.MustCompile("`(NOTIFY_[A-Z0-9_]+)`")
	rows := map[string]string{}
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if !strings.HasPrefix(line, "|") || len(cells) != 3 {
			continue
		}
		for _, m := range envName.FindAllStringSubmatch(cells[0], -1) {
			rows[m[1]] = cells[2]
		}
	}
	if len(rows) == 0 {
		t.Fatal("no NOTIFY_* rows found in the README's configuration table")
	}
	return rows
}

// notifydFlags is notifyd's flag set as a fresh process without NOTIFY_* variables sees it.
func notifydFlags(t *testing.T) *flag.FlagSet {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "NOTIFY_") {
			t.Setenv(k, "") // restores it after the test
			os.Unsetenv(k)
		}
	}
	fs := flag.NewFlagSet("notifyd", flag.ContinueOnError)
	register(&cli.Env{FS: fs})
	return fs
}

var envOfUsage = regexp.MustCompile(`\(env (NOTIFY_[A-Z0-9_]+)\)$`)

// The flags' defaults (which -h prints), the code's defaults (the flags take theirs from
// app.Defaults) and the README's configuration table agree: every flag's variable has a
// row, every NOTIFY_* row is a flag, and the row names the flag's default.
func TestREADMEMatchesFlagDefaults(t *testing.T) {
	rows := readmeSettings(t)
	seen := map[string]bool{}
	notifydFlags(t).VisitAll(func(f *flag.Flag) {
		m := envOfUsage.FindStringSubmatch(f.Usage)
		if m == nil {
			t.Errorf("-%s: usage %q names no environment variable", f.Name, f.Usage)
			return
		}
		env := m[1]
		seen[env] = true
		if strings.Contains(f.Usage, "(default ") {
			t.Errorf("-%s: the help states a default of its own (%q); the flag's default is shown by -h", f.Name, f.Usage)
		}
		cell, ok := rows[env]
		if !ok {
			t.Errorf("%s (-%s) is not in the README's configuration table", env, f.Name)
			return
		}
		if !cellNames(cell, f) {
			t.Errorf("README: %s default cell %q does not name the flag's default %q", env, cell, f.DefValue)
		}
	})
	for env := range rows {
		if !seen[env] {
			t.Errorf("README names %s, which is no flag's variable", env)
		}
	}
}

var backticked = regexp.MustCompile("`([^`]*)`")

// cellNames reports whether a README default cell names f's default: as a backticked
// value (durations compared as durations), or, for an empty, zero or false default, in
// words.
func cellNames(cell string, f *flag.Flag) bool {
	def := f.DefValue
	switch def {
	case "", "0", "false", "0s":
		for _, w := range []string{"empty", "none", "off", "no cap", "no limit", "`0`", "`false`"} {
			if strings.Contains(cell, w) {
				return true
			}
		}
		return false
	}
	want, isDur := time.ParseDuration(def)
	for _, m := range backticked.FindAllStringSubmatch(cell, -1) {
		v := m[1]
		if v == def {
			return true
		}
		if d, err := time.ParseDuration(v); isDur == nil && err == nil && d == want {
			return true
		}
	}
	return false
}
