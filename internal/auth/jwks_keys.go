package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// The JWK to crypto.PublicKey conversion is done by hand rather than with a JOSE library
// (such as lestrrat-go/jwx): notifyd only reads public signature keys of three kinds
// (RSA, EC P-256/384/521, Ed25519), the standard library parses and checks each from its
// raw parts in a few lines, and a full JOSE stack would add a large dependency tree for
// features (encryption, private keys, thumbprints) the service never uses.

// jwk is one JSON Web Key (RFC 7517, RFC 7518 §6, RFC 8037) as far as notifyd reads it.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// publicKey is one usable verification key of a key set.
type publicKey struct {
	kid string
	alg string // the JWK's alg; empty when the JWK names none
	key crypto.PublicKey
}

// minRSABits is the smallest RSA modulus accepted (RFC 7518 §3.3 requires 2048).
const minRSABits = 2048

// parseJWKS decodes a JWK Set and returns its usable signature keys. Keys of an unknown
// type, for encryption, or malformed are skipped; a set without any usable key is an error.
func parseJWKS(body []byte) ([]publicKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	var keys []publicKey
	var errs []error
	for i, raw := range set.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			errs = append(errs, fmt.Errorf("key %d: %w", i, err))
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			errs = append(errs, fmt.Errorf("key %d: %w", i, err))
			continue
		}
		keys = append(keys, publicKey{kid: k.Kid, alg: k.Alg, key: pub})
	}
	if len(keys) == 0 {
		errs = append(errs, errors.New("jwks holds no usable signature key"))
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

func (k *jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "RSA":
		return k.rsa()
	case "EC":
		return k.ec()
	case "OKP":
		return k.okp()
	}
	return nil, fmt.Errorf("unsupported key type %q", truncate(k.Kty))
}

func (k *jwk) rsa() (*rsa.PublicKey, error) {
	n, err := b64(k.N)
	if err != nil {
		return nil, fmt.Errorf("rsa n: %w", err)
	}
	e, err := b64(k.E)
	if err != nil {
		return nil, fmt.Errorf("rsa e: %w", err)
	}
	if len(e) == 0 || len(e) > 4 {
		return nil, errors.New("rsa e: out of range")
	}
	var exp int64
	for _, c := range e {
		exp = exp<<8 | int64(c)
	}
	if exp < 3 || exp > 1<<31-1 || exp%2 == 0 {
		return nil, errors.New("rsa e: out of range")
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp)}
	if pub.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("rsa modulus has %d bits; at least %d are required", pub.N.BitLen(), minRSABits)
	}
	return pub, nil
}

func (k *jwk) ec() (*ecdsa.PublicKey, error) {
	var curve elliptic.Curve
	switch k.Crv {
	case "P-256":
		curve = elliptic.P256()
	case "P-384":
		curve = elliptic.P384()
	case "P-521":
		curve = elliptic.P521()
	default:
		return nil, fmt.Errorf("unsupported curve %q", truncate(k.Crv))
	}
	size := (curve.Params().BitSize + 7) / 8
	x, err := b64(k.X)
	if err != nil {
		return nil, fmt.Errorf("ec x: %w", err)
	}
	y, err := b64(k.Y)
	if err != nil {
		return nil, fmt.Errorf("ec y: %w", err)
	}
	if len(x) != size || len(y) != size {
		return nil, fmt.Errorf("ec coordinates must be %d bytes each", size)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(point, 4) // uncompressed point
	point = append(point, x...)
	point = append(point, y...)
	pub, err := ecdsa.ParseUncompressedPublicKey(curve, point) // checks the point is on the curve
	if err != nil {
		return nil, fmt.Errorf("ec point: %w", err)
	}
	return pub, nil
}

func (k *jwk) okp() (ed25519.PublicKey, error) {
	if k.Crv != "Ed25519" {
		return nil, fmt.Errorf("unsupported curve %q", truncate(k.Crv))
	}
	x, err := b64(k.X)
	if err != nil {
		return nil, fmt.Errorf("okp x: %w", err)
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("ed25519 key must be %d bytes", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(x), nil
}

// fits reports whether a key may verify a token signed with alg. This is what keeps an
// RSA public key from ever being used as an HMAC secret, and a P-256 key from verifying
// an ES384 signature.
func (p publicKey) fits(alg string) bool {
	if p.alg != "" && p.alg != alg {
		return false
	}
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		_, ok := p.key.(*rsa.PublicKey)
		return ok
	case "ES256", "ES384", "ES512":
		k, ok := p.key.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		want := map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg]
		return k.Curve.Params().Name == want
	case "EdDSA":
		_, ok := p.key.(ed25519.PublicKey)
		return ok
	}
	return false
}

// b64 decodes base64url without padding, as JWKs are written; trailing padding is tolerated.
func b64(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("missing")
	}
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// truncate keeps values that came from outside short when they appear in an error.
func truncate(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}
