package app

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/notifyd/notifyd/internal/suggest"
)

// checkConfig refuses, before anything is opened, a setting whose value cannot work; each
// error names the variable and its flag and says what would be valid.
func checkConfig(cfg Config) error {
	if err := checkListenAddr(cfg.HTTPAddr); err != nil {
		return err
	}
	for _, c := range []struct {
		setting, got string
		valid        []string
	}{
		{"NOTIFY_AUTH (-auth)", cfg.Auth, []string{"dev", "jwt"}},
		{"NOTIFY_FANOUT (-fanout)", cfg.Fanout, []string{"auto", "local", "redis", "postgres"}},
		{"NOTIFY_EMAIL_PROVIDER (-email-provider)", cfg.EmailProvider, []string{"log", "smtp", "ses"}},
		{"NOTIFY_SQS_PROTOCOL (-sqs-protocol)", cfg.SQSProtocol, []string{"json", "query"}},
	} {
		if !slices.Contains(c.valid, c.got) {
			return suggest.OneOf(c.setting, c.got, c.valid...)
		}
	}
	for _, l := range []struct {
		setting, got string
		valid        []string
	}{
		{"NOTIFY_SMS_PROVIDER (-sms-provider)", cfg.SMSProvider, []string{"log", "webhook", "sns", "solapi", "nhn"}},
		{"NOTIFY_KAKAO_PROVIDER (-kakao-provider)", cfg.KakaoProvider, []string{"log", "solapi", "nhn"}},
	} {
		for _, p := range strings.Split(l.got, ",") {
			if p = strings.TrimSpace(p); !slices.Contains(l.valid, p) {
				return suggest.OneOf(l.setting, p, l.valid...)
			}
		}
	}
	if cfg.Auth == "jwt" && cfg.JWTSecret == "" && cfg.JWKSURL == "" {
		return fmt.Errorf("NOTIFY_AUTH=jwt needs NOTIFY_JWT_SECRET (-jwt-secret: an HS256 secret of at least 32 bytes) or NOTIFY_JWKS_URL (-jwks-url: your identity provider's key set), or both")
	}
	return nil
}

// checkListenAddr: a listen address is host:port with a port number (an empty host
// listens on every interface).
func checkListenAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = fmt.Errorf("port %q is not a number from 0 to 65535", port)
		}
	}
	if err != nil {
		hint := ""
		if _, perr := strconv.Atoi(addr); perr == nil {
			hint = fmt.Sprintf(" (for port %s on loopback: 127.0.0.1:%s)", addr, addr)
		}
		return fmt.Errorf("NOTIFY_HTTP_ADDR (-http-addr): %q is not host:port such as 127.0.0.1:8080%s: %v", addr, hint, err)
	}
	return nil
}
