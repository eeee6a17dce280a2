// Command notifyd is the notification service: it takes NotificationData events over HTTP
// and SQS, stores them, pushes them live over SSE and sends SMS. Every flag has an
// environment twin; run with -h to list them.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/notifyd/notifyd/internal/app"
	"github.com/notifyd/notifyd/internal/cli"
	"github.com/notifyd/notifyd/internal/suggest"
	"github.com/notifyd/notifyd/internal/telemetry"
	"github.com/notifyd/notifyd/internal/version"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "notifyd:", err)
		os.Exit(1)
	}
}

// settings is what the command line fills: the Config and the few settings main handles.
type settings struct {
	cfg                                   app.Config
	logFormat, logLevel, queues, audience string
	corsOrigins                           string
	traceStdout                           bool
	startPprof                            func(*slog.Logger) func()
}

// register declares every flag (with its environment twin) on e. Defaults come from
// app.Defaults, the one place that holds them; the help shows them.
func register(e *cli.Env) *settings {
	s := &settings{cfg: app.Defaults(), logFormat: "json", logLevel: "info"}
	cfg := &s.cfg
	e.String(&cfg.HTTPAddr, "http-addr", "NOTIFY_HTTP_ADDR", cfg.HTTPAddr, "listen address")
	e.String(&cfg.DatabaseURL, "database-url", "NOTIFY_DATABASE_URL", cfg.DatabaseURL, "sqlite:PATH, mysql://user:pass@host:port/db or postgres://user:pass@host:port/db")
	e.String(&s.queues, "sqs-queues", "NOTIFY_SQS_QUEUES", "", "comma-separated SQS queue names or URLs to consume; empty = no SQS consumer")
	e.String(&cfg.SQSProtocol, "sqs-protocol", "NOTIFY_SQS_PROTOCOL", cfg.SQSProtocol, "SQS wire protocol: json (AWS) or query (goaws and other older SQS-compatible servers)")
	e.Int(&cfg.SQSPollers, "sqs-pollers", "NOTIFY_SQS_POLLERS", cfg.SQSPollers, "long-polling receivers per queue")
	e.Int(&cfg.SQSConcurrency, "sqs-concurrency", "NOTIFY_SQS_CONCURRENCY", cfg.SQSConcurrency, "received SQS batches (of up to 10 messages) not yet committed, across all queues")
	e.Duration(&cfg.SQSWait, "sqs-wait", "NOTIFY_SQS_WAIT", cfg.SQSWait, "SQS long-polling wait (20s is the maximum)")
	e.String(&cfg.RedisURL, "redis-url", "NOTIFY_REDIS_URL", "", "redis://host:port/db for live fan-out across replicas through Redis")
	e.String(&cfg.Fanout, "fanout", "NOTIFY_FANOUT", cfg.Fanout, "live fan-out across replicas: auto (redis with a Redis URL, else postgres with a PostgreSQL store, else local), local (one replica), redis or postgres (LISTEN/NOTIFY on the store's database)")
	e.String(&cfg.SMSProvider, "sms-provider", "NOTIFY_SMS_PROVIDER", cfg.SMSProvider, "SMS provider: log, webhook or sns, or a comma list in failover order (sns,webhook)")
	e.String(&cfg.SMSWebhookURL, "sms-webhook-url", "NOTIFY_SMS_WEBHOOK_URL", "", "URL the webhook provider POSTs each SMS to")
	e.String(&cfg.SMSSNSType, "sms-sns-type", "NOTIFY_SMS_SNS_TYPE", cfg.SMSSNSType, "SNS SMS type: Transactional or Promotional")
	e.String(&cfg.SMSSNSSenderID, "sms-sns-sender-id", "NOTIFY_SMS_SNS_SENDER_ID", "", "SNS SMS sender id, where the destination country supports one")
	e.Float(&cfg.SMSRate, "sms-rate", "NOTIFY_SMS_RATE", cfg.SMSRate, "provider calls per second (0 = no cap)")
	e.Int(&cfg.SMSCapPerRecipient, "sms-cap", "NOTIFY_SMS_CAP", cfg.SMSCapPerRecipient, "SMS per recipient per cap window; over it an SMS is skipped (-1 = no cap)")
	e.Duration(&cfg.SMSCapWindow, "sms-cap-window", "NOTIFY_SMS_CAP_WINDOW", cfg.SMSCapWindow, "the per-recipient cap's window")
	e.Int(&cfg.SMSConcurrency, "sms-concurrency", "NOTIFY_SMS_CONCURRENCY", cfg.SMSConcurrency, "SMS sends in flight")
	e.String(&cfg.KakaoProvider, "kakao-provider", "NOTIFY_KAKAO_PROVIDER", cfg.KakaoProvider, "KakaoTalk AlimTalk provider: log, solapi or nhn, or a comma list in failover order")
	e.String(&cfg.KakaoSenderKey, "kakao-sender-key", "NOTIFY_KAKAO_SENDER_KEY", "", "the Kakao channel's sender key (Solapi pfId, NHN senderKey)")
	e.Int(&cfg.KakaoConcurrency, "kakao-concurrency", "NOTIFY_KAKAO_CONCURRENCY", cfg.KakaoConcurrency, "AlimTalk sends in flight")
	e.String(&cfg.SMSFrom, "sms-from", "NOTIFY_SMS_FROM", "", "the registered sender number (발신번호) for the Korean providers (solapi, nhn)")
	e.String(&cfg.AdFooter, "ad-footer", "NOTIFY_AD_FOOTER", "", "the sender and free opt-out line that ends every advertisement's SMS, email and push text (e.g. \"notifyd 샵 무료수신거부 080-000-0000\")")
	e.String(&cfg.SolapiAPIKey, "solapi-api-key", "NOTIFY_SOLAPI_API_KEY", "", "Solapi API key")
	e.String(&cfg.SolapiAPISecret, "solapi-api-secret", "NOTIFY_SOLAPI_API_SECRET", "", "Solapi API secret")
	e.String(&cfg.SolapiURL, "solapi-url", "NOTIFY_SOLAPI_URL", cfg.SolapiURL, "Solapi API base URL")
	e.String(&cfg.NHNAppKey, "nhn-app-key", "NOTIFY_NHN_APP_KEY", "", "NHN Cloud app key (KakaoTalk Bizmessage and SMS)")
	e.String(&cfg.NHNSecretKey, "nhn-secret-key", "NOTIFY_NHN_SECRET_KEY", "", "NHN Cloud secret key (X-Secret-Key)")
	e.String(&cfg.NHNKakaoURL, "nhn-kakao-url", "NOTIFY_NHN_KAKAO_URL", cfg.NHNKakaoURL, "NHN Cloud KakaoTalk Bizmessage API base URL")
	e.String(&cfg.NHNSMSURL, "nhn-sms-url", "NOTIFY_NHN_SMS_URL", cfg.NHNSMSURL, "NHN Cloud SMS API base URL")
	e.String(&cfg.NHNWebhookSignature, "nhn-webhook-signature", "NOTIFY_NHN_WEBHOOK_SIGNATURE", "", "the signature NHN Cloud's result webhooks carry in X-Toast-Webhook-Signature (empty: NHN reports are refused)")
	e.Duration(&cfg.ReportPoll, "report-poll", "NOTIFY_REPORT_POLL", cfg.ReportPoll, "how often kept delivery reports are applied and Solapi is asked for results")
	e.Duration(&cfg.DeliveryPoll, "delivery-poll", "NOTIFY_DELIVERY_POLL", cfg.DeliveryPoll, "look for due deliveries at least this often")
	e.Duration(&cfg.DeliveryBackoff, "delivery-backoff", "NOTIFY_DELIVERY_BACKOFF", cfg.DeliveryBackoff, "first retry delay of a failed delivery, doubling")
	e.Duration(&cfg.DeliveryMaxDelay, "delivery-max-backoff", "NOTIFY_DELIVERY_MAX_BACKOFF", cfg.DeliveryMaxDelay, "longest retry delay of a failed delivery")
	e.Int(&cfg.DeliveryAttempts, "delivery-max-attempts", "NOTIFY_DELIVERY_MAX_ATTEMPTS", cfg.DeliveryAttempts, "attempts before a transiently failing delivery is recorded failed")
	e.Duration(&cfg.DeliveryLease, "delivery-lease", "NOTIFY_DELIVERY_LEASE", cfg.DeliveryLease, "how long a claimed delivery is held without renewal (renewed every third of it while sending): what a crash delays a delivery")
	e.String(&cfg.EmailProvider, "email-provider", "NOTIFY_EMAIL_PROVIDER", cfg.EmailProvider, "email provider: log, smtp or ses")
	e.String(&cfg.SMTPURL, "smtp-url", "NOTIFY_SMTP_URL", "", "smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (implicit TLS)")
	e.String(&cfg.EmailFrom, "email-from", "NOTIFY_EMAIL_FROM", "", "sender address of emails, e.g. 'Shop <no-reply@shop.example>' (required for smtp and ses)")
	e.String(&cfg.SESConfigurationSet, "ses-configuration-set", "NOTIFY_SES_CONFIGURATION_SET", "", "SES configuration set for sent emails (optional)")
	e.String(&cfg.VAPIDPublicKey, "vapid-public-key", "NOTIFY_VAPID_PUBLIC_KEY", "", "Web Push VAPID public key (notifyctl vapid-keys); empty = web push off")
	e.String(&cfg.VAPIDPrivateKey, "vapid-private-key", "NOTIFY_VAPID_PRIVATE_KEY", "", "Web Push VAPID private key")
	e.String(&cfg.VAPIDSubject, "vapid-subject", "NOTIFY_VAPID_SUBJECT", "", "contact push services may use: mailto:ops@shop.example or https://shop.example")
	e.String(&cfg.FCMCredentials, "fcm-credentials", "NOTIFY_FCM_CREDENTIALS", "", "Firebase service-account JSON file for mobile push through FCM (empty = no FCM)")
	e.String(&cfg.FCMURL, "fcm-url", "NOTIFY_FCM_URL", "https://fcm.googleapis.com", "FCM base URL, before /v1/projects/…")
	e.String(&cfg.APNsKeyFile, "apns-key-file", "NOTIFY_APNS_KEY_FILE", "", "APNs token-auth key (.p8) for mobile push to iOS (empty = no APNs)")
	e.String(&cfg.APNsKeyID, "apns-key-id", "NOTIFY_APNS_KEY_ID", "", "the .p8 key's id")
	e.String(&cfg.APNsTeamID, "apns-team-id", "NOTIFY_APNS_TEAM_ID", "", "the Apple developer team id")
	e.String(&cfg.APNsTopic, "apns-topic", "NOTIFY_APNS_TOPIC", "", "the app's bundle id")
	e.String(&cfg.APNsURL, "apns-url", "NOTIFY_APNS_URL", "https://api.push.apple.com", "APNs base URL: production, or https://api.sandbox.push.apple.com")
	e.Bool(&cfg.WebPushAllowPrivate, "webpush-allow-private", "NOTIFY_WEBPUSH_ALLOW_PRIVATE", false, "accept web push endpoints on private and loopback addresses (a push service inside the network)")
	e.String(&cfg.Auth, "auth", "NOTIFY_AUTH", cfg.Auth, "dev (X-User-Id header or ?user=) or jwt")
	e.Bool(&cfg.AllowPublicDev, "allow-public-dev", "NOTIFY_ALLOW_PUBLIC_DEV", false, "let dev auth listen on a non-loopback address")
	e.String(&cfg.JWTSecret, "jwt-secret", "NOTIFY_JWT_SECRET", "", "HS256 secret for jwt auth")
	e.String(&cfg.JWKSURL, "jwks-url", "NOTIFY_JWKS_URL", "", "JWKS URL for RS256/ES256 jwt auth")
	e.String(&cfg.JWTUserClaim, "jwt-user-claim", "NOTIFY_JWT_USER_CLAIM", cfg.JWTUserClaim, "claim holding the user id")
	e.String(&s.audience, "jwt-audience", "NOTIFY_JWT_AUDIENCE", "", "comma-separated audiences, one of which the token must name (empty = not checked)")
	e.Bool(&cfg.JWKSAllowHTTP, "jwks-allow-http", "NOTIFY_JWKS_ALLOW_HTTP", false, "allow a plain-http JWKS URL on a non-loopback host (inside a private network)")
	e.String(&cfg.JWTIssuer, "jwt-issuer", "NOTIFY_JWT_ISSUER", "", "required issuer, if any")
	e.String(&cfg.JWTCookie, "jwt-cookie", "NOTIFY_JWT_COOKIE", cfg.JWTCookie, "cookie that may carry the token (for EventSource)")
	e.String(&cfg.IngestToken, "ingest-token", "NOTIFY_INGEST_TOKEN", "", "producers' bearer token (comma list to rotate): POST /v1/events and GET /v1/events/{eventId}")
	e.String(&cfg.AdminToken, "admin-token", "NOTIFY_ADMIN_TOKEN", "", "operators' bearer token (comma list to rotate): every admin route, and publishing")
	e.String(&cfg.ConfigFile, "config", "NOTIFY_CONFIG", "", "YAML file of event types, templates and channels per role")
	e.String(&cfg.QuietHours, "quiet-hours", "NOTIFY_QUIET_HOURS", "", "quiet hours of event types with quietHours: true, in each user's zone, e.g. 21:00-08:00 (empty = none)")
	e.String(&cfg.DefaultTZ, "default-tz", "NOTIFY_DEFAULT_TZ", cfg.DefaultTZ, "IANA time zone of users whose profile names none")
	e.Int(&cfg.Limits.MaxRecipients, "max-recipients", "NOTIFY_MAX_RECIPIENTS", cfg.Limits.MaxRecipients, "recipients per event")
	e.Int(&cfg.Limits.MaxMessage, "max-message", "NOTIFY_MAX_MESSAGE", cfg.Limits.MaxMessage, "characters in a message")
	e.Int(&cfg.Limits.MaxURL, "max-url", "NOTIFY_MAX_URL", cfg.Limits.MaxURL, "bytes in a url")
	e.Duration(&cfg.CommitLinger, "commit-linger", "NOTIFY_COMMIT_LINGER", cfg.CommitLinger, "while commits follow each other closely, wait up to this long for events already on their way (requests being read and prepared) before committing (0 = never)")
	e.Duration(&cfg.ScheduleHorizon, "schedule-horizon", "NOTIFY_SCHEDULE_HORIZON", cfg.ScheduleHorizon, "how far ahead publishInformation.sendAt may be; further is a 400")
	e.Int64(&cfg.MaxBody, "max-body", "NOTIFY_MAX_BODY", cfg.MaxBody, "largest POST /v1/events body in bytes")
	e.Duration(&cfg.Heartbeat, "heartbeat", "NOTIFY_HEARTBEAT", cfg.Heartbeat, "SSE heartbeat interval")
	e.Float(&cfg.UserRate, "user-rate", "NOTIFY_USER_RATE", cfg.UserRate, "inbox and stream requests per second per user (0 = no limit)")
	e.Int(&cfg.UserBurst, "user-burst", "NOTIFY_USER_BURST", cfg.UserBurst, "burst above the per-user rate")
	e.String(&s.corsOrigins, "cors-origins", "NOTIFY_CORS_ORIGINS", "", "comma-separated origins (https://shop.example) whose pages may embed the inbox: /embed.js, the inbox API and the stream")
	e.Retention(&cfg.Retention, "retention", "NOTIFY_RETENTION", cfg.Retention, "how long notifications (of types without their own retain in NOTIFY_CONFIG) and delivered webhook messages are kept: whole days such as 30d, or a duration; a purge every minute deletes what is older")
	e.Retention(&cfg.DedupeWindow, "dedupe-window", "NOTIFY_DEDUPE_WINDOW", cfg.DedupeWindow, "how long an event's idempotency key (and payload) is kept at least, so a redelivered event is still recognized: whole days such as 14d, or a duration; an event goes once none of its notifications is left and it is older than this and its type's retention")
	e.Int(&cfg.TopicPage, "topic-page", "NOTIFY_TOPIC_PAGE", cfg.TopicPage, "subscribers one topic fan-out transaction takes at most")
	e.Duration(&cfg.TopicPageTime, "topic-page-time", "NOTIFY_TOPIC_PAGE_TIME", cfg.TopicPageTime, "how long one topic fan-out transaction should hold SQLite's writer; pages are sized by it there (negative: every page takes --topic-page)")
	e.Duration(&cfg.TopicLease, "topic-lease", "NOTIFY_TOPIC_LEASE", cfg.TopicLease, "lease of a topic fan-out job; after a crash another replica resumes it this much later")
	e.Int(&cfg.TopicsPerUser, "topics-per-user", "NOTIFY_TOPICS_PER_USER", cfg.TopicsPerUser, "topics one user may subscribe to; one more is a 409")
	e.Int(&cfg.MaxStreams, "max-streams", "NOTIFY_MAX_STREAMS", cfg.MaxStreams, "SSE streams per user; a new one closes the user's oldest")
	e.String(&s.logFormat, "log-format", "NOTIFY_LOG_FORMAT", s.logFormat, "log format: json or text")
	e.String(&s.logLevel, "log-level", "NOTIFY_LOG_LEVEL", s.logLevel, "log level: debug, info, warn, error")
	e.Bool(&s.traceStdout, "trace-stdout", "NOTIFY_TRACE_STDOUT", false, "write trace spans to stdout as JSON (debugging); OTLP export is set with the OTEL_EXPORTER_OTLP_* variables")
	s.startPprof = pprofFlag(e)
	return s
}

// otherTools are NOTIFY_* variables notifyd does not read but an operator's shell may hold:
// notifyctl's, and the test harness's. (NOTIFY_FAULT is not here: only a faultinject build
// reads it, and a release build must neither contain its name nor act on it.)
var otherTools = []string{"NOTIFY_SERVER", "NOTIFY_USER", "NOTIFY_AUTH_TOKEN", "NOTIFY_TEST_LOG",
	"NOTIFY_TEST_POSTGRES_URL", "NOTIFY_TEST_MYSQL_URL", "NOTIFY_TEST_REDIS_URL"}

func run(args []string) error {
	if version.Requested(args) {
		fmt.Println(version.Get().String("notifyd"))
		return nil
	}
	fs := flag.NewFlagSet("notifyd", flag.ContinueOnError)
	e := cli.Env{FS: fs}
	s := register(&e)
	fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := e.Err(); err != nil {
		return err
	}
	cfg, logFormat, logLevel, queues, audience := s.cfg, s.logFormat, s.logLevel, s.queues, s.audience
	traceStdout, startPprof := s.traceStdout, s.startPprof
	cfg.SQSQueues = cli.List(queues)
	cfg.JWTAudience = cli.List(audience)
	cfg.CORSOrigins = cli.List(s.corsOrigins)
	var level slog.Level
	if err := level.UnmarshalText([]byte(logLevel)); err != nil {
		return suggest.OneOf("NOTIFY_LOG_LEVEL (-log-level)", logLevel, "debug", "info", "warn", "error")
	}
	if logFormat != "json" && logFormat != "text" {
		return suggest.OneOf("NOTIFY_LOG_FORMAT (-log-format)", logFormat, "json", "text")
	}
	hopts := &slog.HandlerOptions{Level: level}
	if logFormat == "text" {
		cfg.Logger = slog.New(telemetry.LogHandler(slog.NewTextHandler(os.Stderr, hopts)))
	} else {
		cfg.Logger = slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stderr, hopts)))
	}
	slog.SetDefault(cfg.Logger)
	for _, w := range cli.UnknownEnv(os.Environ(), "NOTIFY_", append(e.Names(), otherTools...)) {
		cfg.Logger.Warn(w)
	}
	topts := telemetry.Options{OTLP: telemetry.OTLPConfigured(os.Getenv), Logger: cfg.Logger}
	if traceStdout {
		topts.Stdout = os.Stdout
	}
	shutdownTracing, err := telemetry.Setup(context.Background(), topts)
	if err != nil {
		return err
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := shutdownTracing(ctx); err != nil {
			cfg.Logger.Warn("tracing shutdown", "err", err)
		}
	}()
	defer startPprof(cfg.Logger)()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.New(ctx, cfg)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
