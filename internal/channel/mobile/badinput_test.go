package mobile

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
)

func writeFile(t *testing.T, name, body string, mode os.FileMode) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// What was tried: credentials missing, unreadable, not JSON, a user's OAuth client file
// instead of a service account, one without its key; each is a clear start-up error.
func TestFCMCredentialsThatCannotWork(t *testing.T) {
	unreadable := writeFile(t, "sa.json", `{"type":"service_account"}`, 0o000)
	for name, tc := range map[string]struct{ path, want string }{
		"missing":              {filepath.Join(t.TempDir(), "nope.json"), "does not exist"},
		"not json":             {writeFile(t, "sa.json", "-----BEGIN PRIVATE KEY-----", 0o600), "is not JSON"},
		"not a service acount": {writeFile(t, "sa.json", `{"type":"authorized_user","client_id":"x"}`, 0o600), "is not a service-account key"},
		"no key":               {writeFile(t, "sa.json", `{"type":"service_account","project_id":"p","client_email":"a@b","token_uri":"https://t"}`, 0o600), "has no private_key"},
		"key not pem":          {writeFile(t, "sa.json", `{"type":"service_account","project_id":"p","client_email":"a@b","token_uri":"https://t","private_key":"xyz"}`, 0o600), "not PEM"},
	} {
		_, err := NewFCM(tc.path, "https://fcm.example", Client(), time.Now)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "NOTIFY_FCM_CREDENTIALS") {
			t.Errorf("%s: %v; want an error naming NOTIFY_FCM_CREDENTIALS and %q", name, err, tc.want)
		}
	}
	if os.Geteuid() != 0 { // root reads a 0000 file
		if _, err := NewFCM(unreadable, "https://fcm.example", Client(), time.Now); err == nil || !strings.Contains(err.Error(), "cannot read") {
			t.Errorf("unreadable: %v", err)
		}
	}
}

// What was tried: a .p8 that is an RSA key, not PEM, missing, and a key id left out.
func TestAPNsKeyThatCannotWork(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	der, _ := x509.MarshalPKCS8PrivateKey(rk)
	rsaP8 := writeFile(t, "AuthKey.p8", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), 0o600)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ = x509.MarshalPKCS8PrivateKey(ek)
	good := writeFile(t, "AuthKey.p8", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), 0o600)
	cfg := func(key string) APNsConfig {
		return APNsConfig{KeyFile: key, KeyID: "ABC123DEFG", TeamID: "DEF123GHIJ", Topic: "com.shop.app", URL: "https://apns.example"}
	}
	noKeyID := cfg(good)
	noKeyID.KeyID = ""
	for name, tc := range map[string]struct {
		c    APNsConfig
		want string
	}{
		"rsa key":   {cfg(rsaP8), "not the EC (P-256) key"},
		"not pem":   {cfg(writeFile(t, "AuthKey.p8", "MIGTAgEAMBMGByqGSM49", 0o600)), "is not a PEM .p8 key"},
		"missing":   {cfg(filepath.Join(t.TempDir(), "AuthKey.p8")), "does not exist"},
		"no key id": {noKeyID, "NOTIFY_APNS_KEY_ID is required"},
	} {
		if _, err := NewAPNs(tc.c, Client(), time.Now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want %q", name, err, tc.want)
		}
	}
	if _, err := NewAPNs(cfg(good), Client(), time.Now); err != nil {
		t.Fatalf("a good key: %v", err)
	}
}

func TestCheckDevice(t *testing.T) {
	for _, tc := range []struct {
		d     store.Device
		field string // "" = valid
	}{
		{store.Device{Platform: "fcm", Token: androidToken}, ""},
		{store.Device{Platform: "apns", Token: strings.ToUpper(iosToken), Locale: "en-US"}, ""},
		{store.Device{Platform: "fcm", Token: "short"}, "token"},
		{store.Device{Platform: "fcm", Token: androidToken + " <script>"}, "token"},
		{store.Device{Platform: "apns", Token: strings.Repeat("zz", 32)}, "token"},
		{store.Device{Platform: "apns", Token: iosToken[:62]}, "token"},
		{store.Device{Platform: "apns", Token: iosToken + "a"}, "token"},
		{store.Device{Platform: "huawei", Token: androidToken}, "platform"},
		{store.Device{Platform: "", Token: androidToken}, "platform"},
		{store.Device{Platform: "fcm", Token: androidToken, Locale: "Korean!"}, "locale"},
	} {
		d, err := CheckDevice(tc.d)
		var fe *notify.Error
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v refused: %v", tc.d, err)
		case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field || fe.Code != notify.CodeInvalidEvent):
			t.Errorf("%+v: %v; want an error on %s", tc.d, err, tc.field)
		case tc.field == "" && tc.d.Platform == "apns" && d.Token != iosToken:
			t.Errorf("apns token not lower-cased: %s", d.Token)
		}
	}
}
