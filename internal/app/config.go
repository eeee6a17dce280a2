// Package app wires notifyd together from a Config: store, ingest, live fan-out, delivery
// workers, sources and the HTTP server, with one Run that serves until its context ends
// and then shuts down without losing anything. cmd/notifyd fills the Config from flags
// and environment; end-to-end tests build an App directly on port 0.
package app

import (
	"log/slog"
	"net/http"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/auth"
	"github.com/notifyd/notifyd/internal/channel/nhn"
	"github.com/notifyd/notifyd/internal/channel/solapi"
	"github.com/notifyd/notifyd/internal/delivery"
	"github.com/notifyd/notifyd/internal/ingest"
	"github.com/notifyd/notifyd/internal/sse"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/topic"
)

// Config is every setting of a notifyd process.
type Config struct {
	HTTPAddr    string // listen address; port 0 picks one (Addr tells which)
	DatabaseURL string // sqlite:PATH, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db
	RedisURL    string // redis://host:port/db
	Fanout      string // auto (or empty), local, redis or postgres: how live pushes reach other replicas

	SQSQueues   []string // names or URLs; empty = no SQS consumer
	SQSProtocol string   // json (AWS) or query (goaws and older local servers)
	SQSPollers  int      // pollers per queue
	SQSWait     time.Duration
	// SQSConcurrency bounds the received batches not yet committed (0: the source's
	// default).
	SQSConcurrency int

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
	DeliveryMaxDelay   time.Duration // longest retry delay
	DeliveryAttempts   int           // attempts before a transient failure is final
	DeliveryLease      time.Duration
	DeliveryTimeout    time.Duration // one provider call (0: the engine's 30s); tests shorten it

	// The kakao channel and the Korean SMS providers (docs/kakao.md).
	KakaoProvider       string // log, solapi, nhn or a comma list in failover order
	KakaoSenderKey      string // Solapi pfId / NHN senderKey
	KakaoConcurrency    int
	SMSFrom             string // the registered sender number (+82 or national form)
	AdFooter            string // the sender and free opt-out line that ends an advertisement (NOTIFY_AD_FOOTER)
	SolapiAPIKey        string
	SolapiAPISecret     string
	SolapiURL           string
	NHNAppKey           string
	NHNSecretKey        string
	NHNKakaoURL         string
	NHNSMSURL           string
	NHNWebhookSignature string        // X-Toast-Webhook-Signature of NHN's result webhooks
	ReportPoll          time.Duration // how often stored reports are applied and Solapi asked for results

	EmailProvider       string // log, smtp or ses
	SMTPURL             string // smtp://user:pass@host:587 or smtps://…
	EmailFrom           string
	SESConfigurationSet string
	VAPIDPublicKey      string // web push keys (notifyctl vapid-keys); empty = web push off
	VAPIDPrivateKey     string
	VAPIDSubject        string // mailto: or https: contact sent to push services
	WebPushAllowPrivate bool   // push to endpoints on private addresses too (a push service inside the network; tests)

	// Mobile push (internal/channel/mobile): FCM when FCMCredentials is set, APNs when
	// APNsKeyFile is.
	FCMCredentials string // a Firebase service-account JSON file
	FCMURL         string // default https://fcm.googleapis.com
	APNsKeyFile    string // the .p8 token-auth key
	APNsKeyID      string
	APNsTeamID     string
	APNsTopic      string // the app's bundle id
	APNsURL        string // default production, https://api.push.apple.com
	// MobileClient replaces the HTTP client of both platforms (nil: HTTP/2 over TLS with
	// the system's roots). Only Go code sets it: tests whose fakes have their own CA.
	MobileClient *http.Client

	Auth           string // dev or jwt
	AllowPublicDev bool   // let dev auth listen on a non-loopback address
	JWTSecret      string
	JWKSURL        string
	JWTUserClaim   string
	JWTAudience    []string
	JWKSAllowHTTP  bool
	JWTIssuer      string
	JWTCookie      string
	IngestToken    string // comma list: producers (publish, read an event's status)
	AdminToken     string // comma list: operators (every admin route; may publish too)

	CommitLinger time.Duration // how long a busy group commit waits for events on their way
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
	CORSOrigins     []string // origins whose pages may embed the inbox
	Logger          *slog.Logger
	ShutdownWait    time.Duration // how long shutdown waits for in-flight work (default 30s)
	// Retention is how long notifications (of types without their own retain) and
	// delivered webhook outbox rows are kept (default 180 days).
	Retention time.Duration
	// DedupeWindow is how long an event's idempotency key is kept at least (default 14
	// days): an event goes at the later of it and its type's retention.
	DedupeWindow time.Duration

	// Topics: subscribers per fan-out transaction at most, how long one should hold the
	// store's writer (negative: every page takes TopicPage), the lease of a fan-out job,
	// and how many topics one user may subscribe to.
	TopicPage     int
	TopicPageTime time.Duration
	TopicLease    time.Duration
	TopicsPerUser int
}

// DefaultTimeZone is the zone of users whose profile names none (NOTIFY_DEFAULT_TZ).
const DefaultTimeZone = "Asia/Seoul"

// Defaults returns every setting's default: the one place that holds them. The flags of
// cmd/notifyd take their defaults (and so their help) from here, New fills a Config's
// zero fields from here, and a test in cmd/notifyd holds the README's table to the flags.
func Defaults() Config {
	return Config{
		HTTPAddr:           "127.0.0.1:8080",
		DefaultTZ:          DefaultTimeZone,
		DatabaseURL:        "sqlite:data/notify.db",
		Fanout:             "auto",
		SQSProtocol:        "json",
		SQSPollers:         2,
		SQSWait:            20 * time.Second,
		SQSConcurrency:     8,
		SMSProvider:        "log",
		EmailProvider:      "log",
		KakaoProvider:      "log",
		KakaoConcurrency:   8,
		SolapiURL:          solapi.DefaultURL,
		NHNKakaoURL:        nhn.DefaultKakaoURL,
		NHNSMSURL:          nhn.DefaultSMSURL,
		ReportPoll:         30 * time.Second,
		SMSSNSType:         "Transactional",
		SMSCapPerRecipient: 10,
		SMSCapWindow:       time.Hour,
		SMSConcurrency:     8,
		DeliveryPoll:       time.Second,
		DeliveryBackoff:    2 * time.Second,
		DeliveryMaxDelay:   10 * time.Minute,
		DeliveryAttempts:   8,
		DeliveryLease:      delivery.DefaultLease,
		Auth:               "dev",
		JWTUserClaim:       auth.DefaultUserClaim,
		JWTCookie:          auth.DefaultTokenCookie,
		CommitLinger:       500 * time.Microsecond,
		ScheduleHorizon:    ingest.DefaultHorizon,
		Limits:             notify.DefaultLimits,
		MaxBody:            1 << 20,
		Heartbeat:          sse.DefaultHeartbeat,
		MaxStreams:         8,
		UserRate:           20,
		UserBurst:          40,
		ShutdownWait:       30 * time.Second,
		Retention:          180 * 24 * time.Hour,
		DedupeWindow:       14 * 24 * time.Hour,
		TopicPage:          topic.DefaultPage,
		TopicPageTime:      topic.DefaultPageTime,
		TopicLease:         topic.DefaultLease,
		TopicsPerUser:      store.MaxTopicsPerUser,
	}
}

// defaults fills the zero fields that have a default. (A zero SMSRate, UserRate or
// CommitLinger means "none" and stays.)
func (c *Config) defaults() {
	d := Defaults()
	fill(&c.HTTPAddr, d.HTTPAddr)
	fill(&c.DefaultTZ, d.DefaultTZ)
	fill(&c.DatabaseURL, d.DatabaseURL)
	fill(&c.Fanout, d.Fanout)
	fill(&c.SQSProtocol, d.SQSProtocol)
	fill(&c.SQSPollers, d.SQSPollers)
	fill(&c.SQSWait, d.SQSWait)
	fill(&c.SMSProvider, d.SMSProvider)
	fill(&c.EmailProvider, d.EmailProvider)
	fill(&c.KakaoProvider, d.KakaoProvider)
	fill(&c.KakaoConcurrency, d.KakaoConcurrency)
	fill(&c.SolapiURL, d.SolapiURL)
	fill(&c.NHNKakaoURL, d.NHNKakaoURL)
	fill(&c.NHNSMSURL, d.NHNSMSURL)
	fill(&c.ReportPoll, d.ReportPoll)
	fill(&c.SMSSNSType, d.SMSSNSType)
	fill(&c.SMSCapPerRecipient, d.SMSCapPerRecipient)
	fill(&c.SMSCapWindow, d.SMSCapWindow)
	fill(&c.SMSConcurrency, d.SMSConcurrency)
	fill(&c.DeliveryPoll, d.DeliveryPoll)
	fill(&c.DeliveryBackoff, d.DeliveryBackoff)
	fill(&c.DeliveryMaxDelay, d.DeliveryMaxDelay)
	fill(&c.DeliveryAttempts, d.DeliveryAttempts)
	fill(&c.DeliveryLease, d.DeliveryLease)
	fill(&c.Auth, d.Auth)
	fill(&c.JWTUserClaim, d.JWTUserClaim)
	fill(&c.JWTCookie, d.JWTCookie)
	fill(&c.Limits, d.Limits)
	fill(&c.ScheduleHorizon, d.ScheduleHorizon)
	fill(&c.MaxBody, d.MaxBody)
	fill(&c.Heartbeat, d.Heartbeat)
	fill(&c.Retention, d.Retention)
	fill(&c.DedupeWindow, d.DedupeWindow)
	fill(&c.MaxStreams, d.MaxStreams)
	fill(&c.UserBurst, d.UserBurst)
	fill(&c.ShutdownWait, d.ShutdownWait)
	fill(&c.TopicPage, d.TopicPage)
	fill(&c.TopicPageTime, d.TopicPageTime)
	fill(&c.TopicLease, d.TopicLease)
	fill(&c.TopicsPerUser, d.TopicsPerUser)
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

func fill[T comparable](p *T, def T) {
	var zero T
	if *p == zero {
		*p = def
	}
}
