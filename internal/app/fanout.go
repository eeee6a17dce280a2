package app

import (
	"fmt"

	"github.com/notifyd/notifyd/internal/fanout"
	"github.com/notifyd/notifyd/internal/httpapi"
	"github.com/notifyd/notifyd/internal/ingest"
)

// fanoutKind resolves NOTIFY_FANOUT: auto picks redis when a Redis URL is set, else
// postgres when the store is PostgreSQL, else local.
func fanoutKind(cfg Config) (string, error) {
	switch cfg.Fanout {
	case "", "auto":
		switch {
		case cfg.RedisURL != "":
			return "redis", nil
		case isPostgres(cfg.DatabaseURL):
			return "postgres", nil
		}
		return "local", nil
	case "local":
		return "local", nil
	case "redis":
		if cfg.RedisURL == "" {
			return "", fmt.Errorf("NOTIFY_FANOUT=redis needs NOTIFY_REDIS_URL")
		}
		return "redis", nil
	case "postgres":
		if !isPostgres(cfg.DatabaseURL) {
			return "", fmt.Errorf("NOTIFY_FANOUT=postgres needs a postgres:// NOTIFY_DATABASE_URL (it listens on the store's database)")
		}
		return "postgres", nil
	}
	return "", fmt.Errorf("NOTIFY_FANOUT: %q is not auto, local, redis or postgres", cfg.Fanout)
}

// fanoutPublisher is what every fan-out is: the ingest's publisher, the publisher of
// inbox state changes, and the closer of erased users' streams on every replica.
type fanoutPublisher interface {
	ingest.Publisher
	httpapi.StatePublisher
	httpapi.StreamCloser
}

// publisher starts the fan-out of kind and returns it with its readiness check, if any.
func (a *App) publisher(kind string) (fanoutPublisher, []httpapi.Checker, error) {
	switch kind {
	case "redis":
		r, err := fanout.NewRedis(a.cfg.RedisURL, a.Hub, fanout.RedisOptions{Logger: a.log, Metrics: a.reg})
		if err != nil {
			return nil, nil, fmt.Errorf("NOTIFY_REDIS_URL: %w", err)
		}
		a.closers = append([]func(){func() { r.Close() }}, a.closers...)
		return r, []httpapi.Checker{{Name: "redis", Check: r.Ping}}, nil
	case "postgres":
		p, err := fanout.NewPostgres(a.cfg.DatabaseURL, a.Hub, a.Store, fanout.PostgresOptions{Logger: a.log, Metrics: a.reg})
		if err != nil {
			return nil, nil, fmt.Errorf("NOTIFY_FANOUT=postgres: %w", err)
		}
		a.closers = append([]func(){func() { p.Close() }}, a.closers...)
		return p, []httpapi.Checker{{Name: "fanout", Check: p.Ping}}, nil
	}
	return fanout.Local{Hub: a.Hub}, nil, nil
}
