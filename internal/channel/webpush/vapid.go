package webpush

import (
	"fmt"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// vapidAuthorization returns the RFC 8292 Authorization header for a push to endpoint:
// "vapid t=<ES256 JWT>, k=<public key>", the JWT's audience the endpoint's origin, its
// subject the operator's contact (mailto: or https:), valid for 12 hours.
func (k VAPIDKeys) vapidAuthorization(endpoint, subject string, now time.Time) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("webpush: endpoint is not an absolute URL")
	}
	claims := jwt.MapClaims{
		"aud": u.Scheme + "://" + u.Host,
		"exp": now.Add(12 * time.Hour).Unix(),
		"sub": subject,
	}
	t, err := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(k.key)
	if err != nil {
		return "", fmt.Errorf("webpush: signing the VAPID JWT: %w", err)
	}
	return "vapid t=" + t + ", k=" + k.Public, nil
}
