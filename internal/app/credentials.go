package app

import (
	"strings"

	"github.com/notifyd/notifyd/internal/auth"
	"github.com/notifyd/notifyd/internal/httpapi"
)

// logClosedRoutes says at start-up which routes a missing credential leaves closed (jwt
// auth: they answer 401 to all but an ADMIN JWT) or open (dev auth beyond loopback).
func (a *App) logClosedRoutes(api *httpapi.Server) {
	admin, producer := api.GuardedRoutes()
	ingest, adm := a.cfg.IngestToken != "", a.cfg.AdminToken != ""
	if a.cfg.Auth != "jwt" {
		if !ingest && !adm && auth.CheckDevListen(a.cfg.HTTPAddr, false) != nil {
			a.log.Warn("no NOTIFY_INGEST_TOKEN or NOTIFY_ADMIN_TOKEN while listening beyond loopback: anyone who reaches notifyd can publish events and use admin routes", "addr", a.Addr())
		}
		return
	}
	if !ingest {
		a.log.Warn("NOTIFY_INGEST_TOKEN is not set: the producer routes answer 401 except to the admin token or a JWT whose role is ADMIN",
			"routes", strings.Join(producer, ", "))
	}
	if !adm {
		a.log.Warn("NOTIFY_ADMIN_TOKEN is not set: the admin routes answer 401 except to a JWT whose role is ADMIN",
			"routes", strings.Join(admin, ", "))
	}
}

// Routes lists every route the HTTP server registered ("METHOD /path").
func (a *App) Routes() []string { return a.server.Handler.(*httpapi.Server).Routes() }
