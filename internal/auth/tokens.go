package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Tokens are static bearer tokens (NOTIFY_INGEST_TOKEN, NOTIFY_ADMIN_TOKEN). A setting
// holds a comma list so a token can be rotated: deploy the new one beside the old, move
// the callers, then drop the old.
type Tokens struct {
	sums [][sha256.Size]byte
}

// ParseTokens reads a comma list of tokens; blanks are dropped, so "" is no token.
func ParseTokens(list string) Tokens {
	var t Tokens
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			t.sums = append(t.sums, sha256.Sum256([]byte(p)))
		}
	}
	return t
}

// Configured reports whether any token is set.
func (t Tokens) Configured() bool { return len(t.sums) > 0 }

// Match reports whether r carries one of the tokens in Authorization: Bearer. Each token
// is compared in constant time by its SHA-256 (so neither a token's length nor which token
// matched shows in the timing), and every token is compared, not just up to the first hit.
func (t Tokens) Match(r *http.Request) bool {
	got, ok := BearerToken(r)
	if !ok || len(t.sums) == 0 {
		return false
	}
	sum := sha256.Sum256([]byte(got))
	hit := 0
	for _, s := range t.sums {
		hit |= subtle.ConstantTimeCompare(sum[:], s[:])
	}
	return hit == 1
}

// BearerToken returns the credential of an Authorization: Bearer header.
func BearerToken(r *http.Request) (string, bool) {
	scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	return rest, rest != ""
}

// AdminChecker is an Authenticator whose credentials can carry the admin role (a JWT
// whose role claim is ADMIN).
type AdminChecker interface {
	IsAdmin(r *http.Request) bool
}
