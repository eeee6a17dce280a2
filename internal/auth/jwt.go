package auth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	notify "github.com/notifyd/notifyd"
)

// JWTOptions configure a JWT authenticator. Secret, JWKSURL or both must be set.
type JWTOptions struct {
	// Secret verifies HS256 (and HS384/HS512) tokens. At least 32 bytes (RFC 7518 §3.2).
	Secret []byte
	// JWKSURL serves the public keys for RS*, PS*, ES* and EdDSA tokens. It must be https,
	// unless its host is a loopback address or AllowHTTPJWKS is set.
	JWKSURL       string
	AllowHTTPJWKS bool

	UserClaim string   // the claim holding the user id; default "sub"
	Audience  []string // when set, the token's aud must name at least one of these
	Issuer    string   // when set, the token's iss must equal it
	Cookie    string   // the cookie a token may come in; default "notify_token"
	Leeway    time.Duration

	HTTPClient         *http.Client  // fetches the JWKS; default: http.DefaultTransport
	FetchTimeout       time.Duration // one JWKS fetch; default 10 s
	RefreshInterval    time.Duration // periodic JWKS refresh; default 15 min
	MinRefreshInterval time.Duration // between refreshes for unknown key ids; default 30 s
	Logger             *slog.Logger  // JWKS refresh failures; default slog.Default()
	Now                func() time.Time
}

// Defaults of JWTOptions.
const (
	DefaultUserClaim          = "sub"
	DefaultTokenCookie        = "notify_token"
	DefaultJWTLeeway          = 30 * time.Second
	DefaultRefreshInterval    = 15 * time.Minute
	DefaultMinRefreshInterval = 30 * time.Second
	defaultFetchTimeout       = 10 * time.Second
	// TokenQueryParam carries the token for EventSource, which cannot send headers.
	TokenQueryParam = "access_token"
	// maxTokenBytes bounds the work a request can make the parser do.
	maxTokenBytes = 8 << 10
	maxUserIDLen  = 128
)

var (
	hmacMethods = []string{"HS256", "HS384", "HS512"}
	keyMethods  = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)

// JWT authenticates requests by a signed JSON Web Token. It is safe for concurrent use.
// With a JWKS URL it runs one refresh goroutine: call Close to stop it.
type JWT struct {
	secret    []byte
	keys      *keySet // nil without a JWKS URL
	parser    *jwt.Parser
	userClaim string
	cookie    string
}

var _ Authenticator = (*JWT)(nil)

// NewJWT returns a JWT authenticator. With a JWKS URL it fetches the key set before it
// returns (ctx bounds that first fetch only), so a wrong URL fails at startup.
func NewJWT(ctx context.Context, o JWTOptions) (*JWT, error) {
	if len(o.Secret) == 0 && o.JWKSURL == "" {
		return nil, errors.New("jwt auth: set a secret or a jwks url")
	}
	if len(o.Secret) > 0 && len(o.Secret) < 32 {
		return nil, fmt.Errorf("jwt auth: the secret has %d bytes; HS256 needs at least 32", len(o.Secret))
	}
	j := &JWT{
		secret:    o.Secret,
		userClaim: cmp.Or(o.UserClaim, DefaultUserClaim),
		cookie:    cmp.Or(o.Cookie, DefaultTokenCookie),
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	var methods []string
	if len(o.Secret) > 0 {
		methods = append(methods, hmacMethods...)
	}
	if o.JWKSURL != "" {
		methods = append(methods, keyMethods...)
	}
	popts := []jwt.ParserOption{
		jwt.WithValidMethods(methods), // never "none"
		jwt.WithJSONNumber(),          // numeric user ids stay exact
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cmpDur(o.Leeway, DefaultJWTLeeway)),
		jwt.WithTimeFunc(now),
	}
	if len(o.Audience) > 0 {
		popts = append(popts, jwt.WithAudience(o.Audience...))
	}
	if o.Issuer != "" {
		popts = append(popts, jwt.WithIssuer(o.Issuer))
	}
	j.parser = jwt.NewParser(popts...)

	if o.JWKSURL != "" {
		if err := checkJWKSURL(o.JWKSURL, o.AllowHTTPJWKS); err != nil {
			return nil, err
		}
		client := o.HTTPClient
		if client == nil {
			client = &http.Client{}
		}
		log := o.Logger
		if log == nil {
			log = slog.Default()
		}
		runCtx, cancel := context.WithCancel(context.Background())
		j.keys = &keySet{
			url:         o.JWKSURL,
			client:      client,
			timeout:     cmpDur(o.FetchTimeout, defaultFetchTimeout),
			minInterval: cmpDur(o.MinRefreshInterval, DefaultMinRefreshInterval),
			now:         now,
			log:         log,
			ctx:         runCtx,
			cancel:      cancel,
			done:        make(chan struct{}),
		}
		if err := j.keys.load(ctx); err != nil {
			cancel()
			return nil, fmt.Errorf("jwt auth: %w", err)
		}
		go j.keys.run(cmpDur(o.RefreshInterval, DefaultRefreshInterval))
	}
	return j, nil
}

// Close stops the JWKS refresh goroutine, if any, and waits for it. Safe to call twice.
func (j *JWT) Close() error {
	if j.keys != nil {
		j.keys.close()
	}
	return nil
}

// Authenticate implements Authenticator: the user is the configured claim of a valid token
// taken from the Authorization header, the access_token query parameter or the cookie.
func (j *JWT) Authenticate(r *http.Request) (string, error) {
	raw, err := j.token(r)
	if err != nil {
		return "", err
	}
	claims := jwt.MapClaims{}
	if _, err := j.parser.ParseWithClaims(raw, claims, j.keyfunc(r.Context())); err != nil {
		return "", tokenError(err)
	}
	return userID(claims[j.userClaim], j.userClaim)
}

// token finds the raw token: Authorization: Bearer, else ?access_token=, else the cookie.
func (j *JWT) token(r *http.Request) (string, error) {
	var raw string
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return "", unauthorized("the Authorization header must use the Bearer scheme", nil)
		}
		raw = rest
	} else if q := r.URL.Query().Get(TokenQueryParam); q != "" {
		raw = q
	} else if c, err := r.Cookie(j.cookie); err == nil {
		raw = c.Value
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", unauthorized(fmt.Sprintf("missing token: send Authorization: Bearer <jwt>, the %s query parameter or the %s cookie", TokenQueryParam, j.cookie), nil)
	}
	if len(raw) > maxTokenBytes {
		return "", unauthorized(fmt.Sprintf("token is longer than %d bytes", maxTokenBytes), nil)
	}
	return raw, nil
}

// keyfunc picks the verification key by the token's alg: the shared secret for HS*, a JWKS
// key of the matching type for the rest. An HS* token never meets a public key, which is
// what defeats algorithm confusion; WithValidMethods already refused "none".
func (j *JWT) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		alg := t.Method.Alg()
		if strings.HasPrefix(alg, "HS") {
			if len(j.secret) == 0 {
				return nil, errNoKey
			}
			return j.secret, nil
		}
		if j.keys == nil {
			return nil, errNoKey
		}
		kid, _ := t.Header["kid"].(string)
		return j.keys.key(ctx, kid, alg)
	}
}

var errNoKey = errors.New("no key for the token's algorithm")

// userID reads the user id claim: a non-empty string (trimmed, as event user ids are) or
// an integer, written the way DecodeEvents writes numeric user ids.
func userID(v any, claim string) (string, error) {
	var id string
	switch v := v.(type) {
	case nil:
		return "", unauthorized(fmt.Sprintf("token has no %q claim", claim), nil)
	case string:
		id = strings.TrimSpace(v)
	case json.Number:
		if _, err := strconv.ParseInt(v.String(), 10, 64); err != nil {
			return "", unauthorized(fmt.Sprintf("the %q claim must be a string or an integer", claim), nil)
		}
		id = v.String()
	default:
		return "", unauthorized(fmt.Sprintf("the %q claim must be a string or an integer", claim), nil)
	}
	if id == "" {
		return "", unauthorized(fmt.Sprintf("the %q claim is empty", claim), nil)
	}
	if len(id) > maxUserIDLen || !printableID(id) {
		return "", unauthorized(fmt.Sprintf("the %q claim must be at most %d printable characters", claim, maxUserIDLen), nil)
	}
	return id, nil
}

// tokenError turns a parse failure into a 401 that says what is wrong without echoing the
// token or any header value from it. Err keeps the jwt sentinel for errors.Is.
func tokenError(err error) error {
	for _, c := range []struct {
		err error
		msg string
	}{
		{jwt.ErrTokenMalformed, "token is malformed"},
		{jwt.ErrTokenExpired, "token has expired"},
		{jwt.ErrTokenNotValidYet, "token is not valid yet"},
		{jwt.ErrTokenUsedBeforeIssued, "token is issued in the future"},
		{jwt.ErrTokenInvalidAudience, "token audience is not accepted"},
		{jwt.ErrTokenInvalidIssuer, "token issuer is not accepted"},
		{jwt.ErrTokenRequiredClaimMissing, "token lacks a required claim (exp, or aud/iss where configured)"},
		{errUnknownKey, "token is signed by an unknown key"},
		{errNoKey, "token algorithm is not accepted"},
		{jwt.ErrTokenSignatureInvalid, "token signature is invalid or its algorithm is not accepted"},
		{jwt.ErrTokenUnverifiable, "token cannot be verified"},
		{jwt.ErrInvalidType, "token has a claim of the wrong type"},
	} {
		if errors.Is(err, c.err) {
			return unauthorized(c.msg, c.err)
		}
	}
	return unauthorized("token is invalid", nil)
}

func unauthorized(msg string, err error) *notify.Error {
	return &notify.Error{Code: notify.CodeUnauthorized, Message: "jwt auth: " + msg, Err: err}
}

func checkJWKSURL(raw string, allowHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("jwt auth: jwks url %q is not an absolute URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if allowHTTP || isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("jwt auth: jwks url must be https (keys fetched over plain http can be forged in transit)")
	}
	return fmt.Errorf("jwt auth: jwks url must be https")
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func printableID(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func cmpDur(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// RoleClaim is the claim that names a token's role; RoleAdmin in it makes the caller an
// operator, allowed on every admin route.
const (
	RoleClaim = "role"
	RoleAdmin = "ADMIN"
)

var _ AdminChecker = (*JWT)(nil)

// IsAdmin reports whether r carries a valid token whose role claim is ADMIN (a string, or
// a list that holds it). Only the Authorization header counts: an admin token in a query
// parameter or a cookie would leak into logs and ride along cross-site requests.
func (j *JWT) IsAdmin(r *http.Request) bool {
	raw, ok := BearerToken(r)
	if !ok || len(raw) > maxTokenBytes {
		return false
	}
	claims := jwt.MapClaims{}
	if _, err := j.parser.ParseWithClaims(raw, claims, j.keyfunc(r.Context())); err != nil {
		return false
	}
	switch v := claims[RoleClaim].(type) {
	case string:
		return v == RoleAdmin
	case []any:
		for _, e := range v {
			if e == RoleAdmin {
				return true
			}
		}
	}
	return false
}
