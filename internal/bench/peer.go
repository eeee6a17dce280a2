package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// Peer is another SSE server the same load runs against: streams are opened from
// Subscribe (one per user), events are POSTed to Publish with Body and Header. Its
// notifications are found by the eventId inside the event JSON, as notifyd's are.
type Peer struct {
	Name      string
	Subscribe Template // {user}, {token}
	Publish   Template // {user}
	Body      Template // {user}, {event}
	Header    http.Header
	// Token mints the {token} of a user; nil when the templates do not use it.
	Token func(user string) string
}

// HS256 returns a compact JWT signed with HMAC-SHA256 over claims.
func HS256(secret []byte, claims map[string]any) (string, error) {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	s := head + "." + base64.RawURLEncoding.EncodeToString(body)
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return s + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// SubjectTokens mints HS256 tokens whose sub is the user (Centrifugo's connection token).
func SubjectTokens(secret string) func(user string) string {
	return func(user string) string {
		t, _ := HS256([]byte(secret), map[string]any{"sub": user}) // a map of strings always marshals
		return t
	}
}
