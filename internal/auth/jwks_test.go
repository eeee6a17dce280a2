package auth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"
)

func jwksBody(t *testing.T, keys ...map[string]string) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseJWKS(t *testing.T) {
	rk := rsaKeys()[0]
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	good := ecJWK(t, "ec", &ek.PublicKey)
	offCurve := ecJWK(t, "off", &ek.PublicKey)
	offCurve["y"] = offCurve["x"]
	enc := rsaJWK("enc", &rk.PublicKey)
	enc["use"] = "enc"
	padded := rsaJWK("padded", &rk.PublicKey)
	padded["e"] += "=="
	evenE := rsaJWK("even", &rk.PublicKey)
	evenE["e"] = b64u([]byte{1, 0, 0})
	shortX := edJWK("short", edPub[:31])
	secp := ecJWK(t, "k", &ek.PublicKey)
	secp["crv"] = "secp256k1"

	keys, err := parseJWKS(jwksBody(t,
		rsaJWK("rsa", &rk.PublicKey), good, edJWK("ed", edPub), padded,
		offCurve, enc, rsaJWK("small", &small.PublicKey), evenE, shortX, secp,
		map[string]string{"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
	))
	if err != nil {
		t.Fatalf("parseJWKS: %v", err)
	}
	var kids []string
	for _, k := range keys {
		kids = append(kids, k.kid)
	}
	if got, want := strings.Join(kids, ","), "rsa,ec,ed,padded"; got != want {
		t.Fatalf("usable keys = %s, want %s", got, want)
	}

	for name, body := range map[string][]byte{
		"not json":       []byte("<html>"),
		"no keys":        []byte(`{"keys":[]}`),
		"only unusable":  jwksBody(t, enc, offCurve),
		"keys not array": []byte(`{"keys":{}}`),
	} {
		if _, err := parseJWKS(body); err == nil {
			t.Errorf("%s: parseJWKS succeeded, want an error", name)
		}
	}
}
