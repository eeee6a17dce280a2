// Package app wires notifyd together from a Config: store, ingest, live fan-out, delivery
// workers, sources and the HTTP server, with one Run that serves until its context ends
// and then shuts down without losing anything. cmd/notifyd fills the Config from flags
// and environment; end-to-end tests build an App directly on port 0.
package app

import (
	"log/slog"
	"time"

	notify "github.com/notifyd/notifyd"
)

// Config is every setting of a notifyd process.
type Config struct {
	HTTPAddr    string // listen address; port 0 picks one (Addr tells which)
	DatabaseURL string // sqlite:PATH or mysql://user:pass@host:port/db
	RedisURL    string // redis://host:port/db; empty = this process only

	SQSQueues   []string // names or URLs; empty = no SQS consumer
	SQSProtocol string   // json (AWS) or query (goaws and older local servers)
	SQSPollers  int      // pollers per queue
	SQSWait     time.Duration

	SMSProvider        string // log, webhook or sns
	SMSWebhookURL      string
	SMSSNSType         string // Transactional or Promotional
	SMSSNSSenderID     string
	SMSRate            float64       // provider calls per second (0 = no cap)
	SMSCapPerRecipient int           // SMS per recipient per SMSCapWindow (0 = default 10, <0 = none)
	SMSCapWindow       time.Duration // default 1h
	SMSConcurrency     int
	DeliveryPoll       time.Duration
	DeliveryBackoff    time.Duration // first retry delay
	DeliveryLease      time.Duration

	Auth           string // dev or jwt
	AllowPublicDev bool   // let dev auth listen on a non-loopback address
	JWTSecret      string
	JWKSURL        string
	JWTUserClaim   string
	JWTAudience    []string
	JWKSAllowHTTP  bool
	JWTIssuer      string
	JWTCookie      string
	IngestToken    string

	CommitLinger time.Duration // how long a busy group commit waits for more events
	// ScheduleHorizon bounds how far ahead a sendAt may be (0: ingest.DefaultHorizon, 30 days).
	ScheduleHorizon time.Duration
	ConfigFile      string // NOTIFY_CONFIG: event types YAML
	QuietHours      string // NOTIFY_QUIET_HOURS: window of types with quietHours: true, e.g. 21:00-08:00; empty = none
	DefaultTZ       string // NOTIFY_DEFAULT_TZ: zone of users without one (default DefaultTimeZone)
	Limits          notify.Limits
	MaxBody         int64
	Heartbeat       time.Duration
	MaxStreams      int     // SSE streams per user
	UserRate        float64 // inbox/stream requests per second per user (0 = no limit)
	UserBurst       int
	Logger          *slog.Logger
	ShutdownWait    time.Duration // how long shutdown waits for in-flight work (default 30s)
}

// DefaultTimeZone is the zone of users whose profile names none (NOTIFY_DEFAULT_TZ).
const DefaultTimeZone = "Asia/Seoul"

func (c *Config) defaults() {
	if c.DefaultTZ == "" {
		c.DefaultTZ = DefaultTimeZone
	}
	if c.HTTPAddr == "" {
		c.HTTPAddr = "127.0.0.1:8080"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:data/notify.db"
	}
	if c.SMSProvider == "" {
		c.SMSProvider = "log"
	}
	if c.Auth == "" {
		c.Auth = "dev"
	}
	if c.SQSProtocol == "" {
		c.SQSProtocol = "json"
	}
	if c.Limits == (notify.Limits{}) {
		c.Limits = notify.DefaultLimits
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.ShutdownWait <= 0 {
		c.ShutdownWait = 30 * time.Second
	}
}
