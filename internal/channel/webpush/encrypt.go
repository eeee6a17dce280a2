package webpush

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
)

// Payload encryption per RFC 8291 (Message Encryption for Web Push) in the aes128gcm
// content coding of RFC 8188, written with the standard library (crypto/ecdh, crypto/hkdf,
// crypto/aes). By hand because the Go web-push libraries are thin, rarely released and
// pull in their own JWT and crypto dependencies, while the whole scheme is one ECDH, two
// HKDFs and one AES-GCM seal; the test decrypts what this produces exactly as a browser
// does, from the subscription's private key.

// recordSize is the record size written in the header. A push message is one record, and
// push services accept at most 4096 bytes of body, so one record always suffices.
const recordSize = 4096

// headerLen is salt (16) + rs (4) + idlen (1) + keyid (65-byte uncompressed P-256 point).
const headerLen = 16 + 4 + 1 + 65

// MaxPayload is the longest plaintext that fits a 4096-byte push body: header, the
// padding delimiter and the 16-byte GCM tag take the rest.
const MaxPayload = recordSize - headerLen - 1 - 16

// encrypt seals plaintext for the user agent whose public key and auth secret a
// subscription carries. It returns the aes128gcm body.
func encrypt(plaintext []byte, uaPublic *ecdh.PublicKey, authSecret []byte) ([]byte, error) {
	if len(plaintext) > MaxPayload {
		return nil, fmt.Errorf("webpush: payload of %d bytes exceeds %d", len(plaintext), MaxPayload)
	}
	asPrivate, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return seal(plaintext, uaPublic, authSecret, asPrivate, salt)
}

// seal is encrypt with the ephemeral key and salt given (RFC 8291 §3.3–3.4, RFC 8188 §2).
func seal(plaintext []byte, uaPublic *ecdh.PublicKey, authSecret []byte, asPrivate *ecdh.PrivateKey, salt []byte) ([]byte, error) {
	ecdhSecret, err := asPrivate.ECDH(uaPublic)
	if err != nil {
		return nil, fmt.Errorf("webpush: ecdh: %w", err)
	}
	asPublic := asPrivate.PublicKey().Bytes()
	// IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
	keyInfo := append(append([]byte("WebPush: info\x00"), uaPublic.Bytes()...), asPublic...)
	ikm, err := hkdf.Key(sha256.New, ecdhSecret, authSecret, string(keyInfo), 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	// The only (so the last) record: the plaintext, then the delimiter 0x02, no padding.
	record := append(append(make([]byte, 0, len(plaintext)+1+16), plaintext...), 0x02)
	out := make([]byte, headerLen, headerLen+len(record)+16)
	copy(out, salt)
	binary.BigEndian.PutUint32(out[16:20], recordSize)
	out[20] = byte(len(asPublic))
	copy(out[21:], asPublic)
	return gcm.Seal(out, nonce, record, nil), nil
}
