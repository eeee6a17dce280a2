// Package cli holds what notifyd's commands share: flags that take their default from an
// environment variable twin.
package cli

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	notify "github.com/notifyd/notifyd"
)

// Env registers flags whose defaults come from environment variables; the usage text
// names the variable.
type Env struct {
	FS   *flag.FlagSet
	errs []string
	envs []string // every variable registered
}

func (e *Env) note(name, env, val, kind string) {
	e.errs = append(e.errs, fmt.Sprintf("%s (-%s): %q is not %s", env, name, val, kind))
}

func (e *Env) usage(u, env string) string {
	e.envs = append(e.envs, env)
	return u + " (env " + env + ")"
}

// Names lists the environment variables registered so far.
func (e *Env) Names() []string { return append([]string(nil), e.envs...) }

// String registers a string flag with an environment twin.
func (e *Env) String(p *string, name, env, def, u string) {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	e.FS.StringVar(p, name, def, e.usage(u, env))
}

// Bool registers a bool flag with an environment twin.
func (e *Env) Bool(p *bool, name, env string, def bool, u string) {
	if v, ok := os.LookupEnv(env); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.note(name, env, v, "a boolean")
		}
		def = b
	}
	e.FS.BoolVar(p, name, def, e.usage(u, env))
}

// Int registers an int flag with an environment twin.
func (e *Env) Int(p *int, name, env string, def int, u string) {
	if v, ok := os.LookupEnv(env); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.note(name, env, v, "an integer")
		}
		def = n
	}
	e.FS.IntVar(p, name, def, e.usage(u, env))
}

// Int64 registers an int64 flag with an environment twin.
func (e *Env) Int64(p *int64, name, env string, def int64, u string) {
	if v, ok := os.LookupEnv(env); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.note(name, env, v, "an integer")
		}
		def = n
	}
	e.FS.Int64Var(p, name, def, e.usage(u, env))
}

// Float registers a float64 flag with an environment twin.
func (e *Env) Float(p *float64, name, env string, def float64, u string) {
	if v, ok := os.LookupEnv(env); ok {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			e.note(name, env, v, "a number")
		}
		def = n
	}
	e.FS.Float64Var(p, name, def, e.usage(u, env))
}

// Duration registers a duration flag with an environment twin.
func (e *Env) Duration(p *time.Duration, name, env string, def time.Duration, u string) {
	if v, ok := os.LookupEnv(env); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			e.note(name, env, v, "a duration such as 30s")
		}
		def = d
	}
	e.FS.DurationVar(p, name, def, e.usage(u, env))
}

// retentionValue is a flag.Value of a retention: whole days (30d) or a Go duration.
type retentionValue struct{ p *time.Duration }

func (v retentionValue) String() string {
	if v.p == nil {
		return ""
	}
	return notify.FormatRetention(*v.p)
}

func (v retentionValue) Set(s string) error {
	d, err := notify.ParseRetention(s)
	if err == nil {
		*v.p = d
	}
	return err
}

// Retention registers a retention flag (whole days such as 30d, or a Go duration) with an
// environment twin.
func (e *Env) Retention(p *time.Duration, name, env string, def time.Duration, u string) {
	*p = def
	if v, ok := os.LookupEnv(env); ok {
		if err := (retentionValue{p}).Set(v); err != nil {
			e.note(name, env, v, "whole days such as 30d or a duration such as 720h")
		}
	}
	e.FS.Var(retentionValue{p}, name, e.usage(u, env))
}

// Err reports environment values that did not parse.
func (e *Env) Err() error {
	if len(e.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(e.errs, "; "))
}

// List splits a comma-separated setting, dropping empty items.
func List(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
