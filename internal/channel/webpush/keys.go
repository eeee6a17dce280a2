package webpush

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// b64 is the unpadded base64url the Push API and VAPID use for keys.
var b64 = base64.RawURLEncoding

// decodeB64 accepts base64url with or without padding (browsers and libraries differ).
func decodeB64(s string) ([]byte, error) {
	return b64.DecodeString(strings.TrimRight(strings.TrimSpace(s), "="))
}

// VAPIDKeys is an application server's P-256 key pair, each half in base64url as the
// Push API and NOTIFY_VAPID_* want them: the public key uncompressed (65 bytes), the
// private key as its 32-byte scalar.
type VAPIDKeys struct {
	Public, Private string
	key             *ecdsa.PrivateKey
}

// GenerateVAPIDKeys makes a new key pair (notifyctl vapid-keys).
func GenerateVAPIDKeys() (VAPIDKeys, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return VAPIDKeys{}, err
	}
	d, err := k.Bytes()
	if err != nil {
		return VAPIDKeys{}, err
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return VAPIDKeys{}, err
	}
	return VAPIDKeys{Public: b64.EncodeToString(pub), Private: b64.EncodeToString(d), key: k}, nil
}

// ParseVAPIDKeys checks a configured pair: the private scalar must be on P-256 and the
// public key must be its own.
func ParseVAPIDKeys(public, private string) (VAPIDKeys, error) {
	d, err := decodeB64(private)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("NOTIFY_VAPID_PRIVATE_KEY: not base64url: %w", err)
	}
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), d)
	if err != nil {
		return VAPIDKeys{}, fmt.Errorf("NOTIFY_VAPID_PRIVATE_KEY: %w", err)
	}
	pub, err := k.PublicKey.Bytes()
	if err != nil {
		return VAPIDKeys{}, err
	}
	if got, err := decodeB64(public); err != nil || string(got) != string(pub) {
		return VAPIDKeys{}, fmt.Errorf("NOTIFY_VAPID_PUBLIC_KEY is not the public half of NOTIFY_VAPID_PRIVATE_KEY")
	}
	return VAPIDKeys{Public: b64.EncodeToString(pub), Private: b64.EncodeToString(d), key: k}, nil
}

// parseSubscriptionKeys decodes a PushSubscription's p256dh (the browser's P-256 public
// key) and auth (16-byte secret).
func parseSubscriptionKeys(p256dh, auth string) (*ecdh.PublicKey, []byte, error) {
	raw, err := decodeB64(p256dh)
	if err != nil {
		return nil, nil, fmt.Errorf("keys.p256dh is not base64url")
	}
	pub, err := ecdh.P256().NewPublicKey(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("keys.p256dh is not an uncompressed P-256 point")
	}
	secret, err := decodeB64(auth)
	if err != nil || len(secret) != 16 {
		return nil, nil, fmt.Errorf("keys.auth must be 16 bytes in base64url")
	}
	return pub, secret, nil
}

// CheckSubscriptionKeys reports whether a PushSubscription's keys are usable.
func CheckSubscriptionKeys(p256dh, auth string) error {
	_, _, err := parseSubscriptionKeys(p256dh, auth)
	return err
}
