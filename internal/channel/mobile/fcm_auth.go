package mobile

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// FCMScope is the OAuth2 scope of the FCM HTTP v1 API.
const FCMScope = "https://www.googleapis.com/auth/firebase.messaging"

// serviceAccount is the part of a Firebase service-account key file notifyd uses.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// loadServiceAccount reads and checks a service-account file, so a wrong file fails at
// start-up with its reason, not at the first push.
func loadServiceAccount(path string) (serviceAccount, error) {
	var sa serviceAccount
	b, err := readKeyFile("NOTIFY_FCM_CREDENTIALS", path)
	if err != nil {
		return sa, err
	}
	if err := json.Unmarshal(b, &sa); err != nil {
		return sa, fmt.Errorf("NOTIFY_FCM_CREDENTIALS: %s is not JSON: %w", path, err)
	}
	if sa.Type != "service_account" {
		return sa, fmt.Errorf("NOTIFY_FCM_CREDENTIALS: %s is not a service-account key (its type is %q; download one under Project settings → Service accounts)", path, sa.Type)
	}
	for field, v := range map[string]string{"project_id": sa.ProjectID, "client_email": sa.ClientEmail, "token_uri": sa.TokenURI, "private_key": sa.PrivateKey} {
		if v == "" {
			return sa, fmt.Errorf("NOTIFY_FCM_CREDENTIALS: %s has no %s", path, field)
		}
	}
	blk, _ := pem.Decode([]byte(sa.PrivateKey))
	if blk == nil {
		return sa, fmt.Errorf("NOTIFY_FCM_CREDENTIALS: %s: private_key is not PEM", path)
	}
	if _, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err != nil {
		if _, err1 := x509.ParsePKCS1PrivateKey(blk.Bytes); err1 != nil {
			return sa, fmt.Errorf("NOTIFY_FCM_CREDENTIALS: %s: private_key: %w", path, err)
		}
	}
	return sa, nil
}

// readKeyFile reads the key file named by env, saying which of the two usual mistakes it
// is (a wrong path, a file the service's user may not read).
func readKeyFile(env, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %s does not exist", env, path)
	case err != nil:
		return nil, fmt.Errorf("%s: cannot read %s: %w", env, path, err)
	}
	return b, nil
}

// fcmTokens makes the OAuth2 access token of the service account and shares it between
// every worker: one token for all sends, made again a few minutes before it expires, or
// at once when FCM refuses it.
//
// The token exchange is golang.org/x/oauth2/jwt (the JWT bearer grant: an RS256 assertion
// of the account's client_email and the scope, sent to the file's token_uri). Not
// golang.org/x/oauth2/google or the Firebase Admin SDK: both look beyond the one file they
// are given (application default credentials, the GCE metadata server), which a service
// that must name its credentials explicitly, and be tested against a local token
// endpoint, does not want; the SDK also pulls in a large tree for one HTTP call.
type fcmTokens struct {
	conf   *jwt.Config
	client *http.Client
	now    func() time.Time
	early  time.Duration // made again this long before expiry

	mu   sync.Mutex
	tok  *oauth2.Token
	made int // tokens made, for tests and logs
}

func newFCMTokens(sa serviceAccount, client *http.Client, now func() time.Time) *fcmTokens {
	return &fcmTokens{conf: &jwt.Config{Email: sa.ClientEmail, PrivateKey: []byte(sa.PrivateKey), PrivateKeyID: sa.PrivateKeyID,
		Scopes: []string{FCMScope}, TokenURL: sa.TokenURI}, client: client, now: now, early: 5 * time.Minute}
}

// token returns the shared access token, making one when there is none or it is due.
// Workers asking meanwhile wait for the one being made.
func (t *fcmTokens) token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && (t.tok.Expiry.IsZero() || t.now().Before(t.tok.Expiry.Add(-t.early))) {
		return t.tok, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, t.client)
	tok, err := t.conf.TokenSource(ctx).Token()
	if err != nil {
		return nil, err
	}
	t.tok, t.made = tok, t.made+1
	return tok, nil
}

// drop forgets tok after FCM refused it (401), unless another worker already replaced
// it, so the next token call makes a fresh one.
func (t *fcmTokens) drop(tok *oauth2.Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == tok {
		t.tok = nil
	}
}

// Made reports how many access tokens were made.
func (t *fcmTokens) Made() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.made
}
