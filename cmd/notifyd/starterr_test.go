package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/notifyd/notifyd/internal/testenv"
)

// Each start-up error names the variable (and flag) at fault and what would be valid.
// Tried, one at a time, on a fresh environment: a bare port as the listen address, a log
// level that does not exist, jwt auth with neither a secret nor a key set, a misspelled
// auth mode and fan-out, a SQLite path that is a folder, and an advertising type with no
// NOTIFY_AD_FOOTER (its texts would go out without the opt-out line the law asks for).
func TestStartupErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	adConfig := filepath.Join(dir, "ad.yaml")
	if err := os.WriteFile(adConfig, []byte("types:\n  SALE:\n    advertising: true\n    channels: {CUSTOMER: [inbox, sms]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"NOTIFY_HTTP_ADDR": "8080"}, []string{"NOTIFY_HTTP_ADDR (-http-addr)", `"8080"`, "127.0.0.1:8080"}},
		{map[string]string{"NOTIFY_LOG_LEVEL": "verbose"}, []string{"NOTIFY_LOG_LEVEL (-log-level)", "debug, info, warn, error"}},
		{map[string]string{"NOTIFY_LOG_FORMAT": "txt"}, []string{"NOTIFY_LOG_FORMAT", "json, text", `did you mean "text"`}},
		{map[string]string{"NOTIFY_AUTH": "jwt"}, []string{"NOTIFY_JWT_SECRET", "NOTIFY_JWKS_URL"}},
		{map[string]string{"NOTIFY_AUTH": "jwtt"}, []string{"NOTIFY_AUTH (-auth)", "dev, jwt", `did you mean "jwt"`}},
		{map[string]string{"NOTIFY_FANOUT": "redsi"}, []string{"NOTIFY_FANOUT", "auto, local, redis, postgres", `did you mean "redis"`}},
		{map[string]string{"NOTIFY_SMS_CAP": "ten"}, []string{"NOTIFY_SMS_CAP (-sms-cap)", `"ten" is not an integer`}},
		{map[string]string{"NOTIFY_DATABASE_URL": "sqlite:" + dir, "NOTIFY_HTTP_ADDR": "127.0.0.1:0"}, []string{"NOTIFY_DATABASE_URL", dir}},
		{map[string]string{"NOTIFY_CONFIG": adConfig, "NOTIFY_DATABASE_URL": "sqlite:" + filepath.Join(dir, "ad.db"), "NOTIFY_HTTP_ADDR": "127.0.0.1:0"}, []string{"NOTIFY_AD_FOOTER", "type SALE is advertising"}},
	} {
		notifydFlags(t) // clears NOTIFY_* for this case
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		err := run(nil)
		if err == nil {
			t.Fatalf("%v: notifyd started", c.env)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %q does not say %q", c.env, err, w)
			}
		}
		for k := range c.env {
			os.Unsetenv(k)
		}
	}
}

// A misspelled NOTIFY_* variable draws one warning naming it and the nearest setting;
// notifyctl's variables draw none.
func TestUnknownVariablesWarned(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds notifyd")
	}
	bin := testenv.GoBuild(t, ".")
	cmd := exec.Command(bin)
	cmd.Env = []string{"NOTIFY_HTTP_ADDRESS=:9999", "NOTIFY_SERVER=http://127.0.0.1:1", "NOTIFY_HTTP_ADDR=8080", "NOTIFY_LOG_FORMAT=text"}
	out, _ := cmd.CombinedOutput()
	s := string(out)
	if strings.Count(s, "unknown environment variable") != 1 || !strings.Contains(s, "NOTIFY_HTTP_ADDRESS") || !strings.Contains(s, `did you mean \"NOTIFY_HTTP_ADDR\"?`) {
		t.Errorf("want one warning about NOTIFY_HTTP_ADDRESS with a suggestion; got:\n%s", s)
	}
}
