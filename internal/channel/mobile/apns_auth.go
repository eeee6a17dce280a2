package mobile

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// loadAPNsKey reads the .p8 key Apple hands out for token auth: a PKCS#8 P-256 key in PEM.
func loadAPNsKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := readKeyFile("NOTIFY_APNS_KEY_FILE", path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("NOTIFY_APNS_KEY_FILE: %s is not a PEM .p8 key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("NOTIFY_APNS_KEY_FILE: %s is not a PKCS#8 key: %w", path, err)
	}
	ec, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("NOTIFY_APNS_KEY_FILE: %s is a %T, not the EC (P-256) key of an APNs auth key", path, k)
	}
	return ec, nil
}

// The provider token's life. Apple refuses a token older than an hour
// (ExpiredProviderToken) and one replaced more often than every 20 minutes
// (TooManyProviderTokenUpdates), so a token is made once and reused by every worker, and
// made again once it is providerTokenAge old; a refused one is replaced early only when
// it is at least providerTokenMinAge old.
const (
	providerTokenAge    = 40 * time.Minute
	providerTokenMinAge = 20 * time.Minute
)

// providerTokens is the APNs provider token (an ES256 JWT with kid, iss and iat) shared by
// every worker. golang-jwt signs it: a small, well-kept library the module already uses.
type providerTokens struct {
	key         *ecdsa.PrivateKey
	keyID, team string
	now         func() time.Time
	mu          sync.Mutex
	tok         string
	at          time.Time
	made        int
}

// token returns the shared provider token, made anew once it is providerTokenAge old.
func (p *providerTokens) token() (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.tok != "" && now.Sub(p.at) < providerTokenAge {
		return p.tok, nil
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": p.team, "iat": now.Unix()})
	t.Header["kid"] = p.keyID
	s, err := t.SignedString(p.key)
	if err != nil {
		return "", fmt.Errorf("apns: signing the provider token: %w", err)
	}
	p.tok, p.at, p.made = s, now, p.made+1
	return s, nil
}

// drop forgets tok after APNs called it expired, so the next call makes a fresh one. It
// reports false when tok is younger than providerTokenMinAge: replacing it would break
// Apple's 20-minute rule, and a young token called expired means a wrong clock or key,
// which a new token does not fix. Another worker having replaced tok already is true.
func (p *providerTokens) drop(tok string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tok != tok {
		return true
	}
	if p.now().Sub(p.at) < providerTokenMinAge {
		return false
	}
	p.tok = ""
	return true
}

// Made reports how many provider tokens were made.
func (p *providerTokens) Made() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.made
}
