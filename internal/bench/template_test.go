package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestTemplateExpandsKnownPlaceholdersOnly(t *testing.T) {
	tm, err := ParseTemplate(`{"channel":"#{user}","data":{event},"x":{other}}`, "{user}", "{event}")
	if err != nil {
		t.Fatal(err)
	}
	got := string(tm.Append([]byte(">"), Values{User: "u7", Event: []byte(`{"a":1}`)}))
	want := `>{"channel":"#u7","data":{"a":1},"x":{other}}`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
	if !tm.Uses("{user}") || tm.Uses("{token}") {
		t.Fatalf("Uses: user %v token %v", tm.Uses("{user}"), tm.Uses("{token}"))
	}
}

func TestTemplateRefusesPlaceholderNotAllowed(t *testing.T) {
	if _, err := ParseTemplate("http://127.0.0.1:1/api/{event}", "{user}"); err == nil || !strings.Contains(err.Error(), "{event}") {
		t.Fatalf("err = %v, want one naming {event}", err)
	}
}

func TestTemplateEdges(t *testing.T) {
	for _, s := range []string{"", "plain", "{", "}{", "{user", "a{user}{user}b", "{{user}}"} {
		tm, err := ParseTemplate(s, "{user}")
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		got := string(tm.Append(nil, Values{User: "U"}))
		if want := strings.ReplaceAll(s, "{user}", "U"); got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

func TestStreamRequestEncodesQueryAndKeepsLoopback(t *testing.T) {
	tm, err := ParseTemplate(`http://127.0.0.1:8000/connection/uni_sse?cf_connect={"token":"{token}"}`, "{user}", "{token}")
	if err != nil {
		t.Fatal(err)
	}
	host, target, err := StreamRequest(tm, Values{User: "u1", Token: "a.b-c_d"})
	if err != nil {
		t.Fatal(err)
	}
	if host != "127.0.0.1:8000" {
		t.Fatalf("host %q", host)
	}
	u, err := url.ParseRequestURI(target)
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "/connection/uni_sse" || u.Query().Get("cf_connect") != `{"token":"a.b-c_d"}` {
		t.Fatalf("target %q: path %q cf_connect %q", target, u.Path, u.Query().Get("cf_connect"))
	}
	if strings.ContainsAny(target, `{}" `) {
		t.Fatalf("target %q is not escaped", target)
	}
	for _, bad := range []string{"http://10.0.0.1:8000/x", "https://127.0.0.1:8000/x", "http://example.com/x"} {
		tm, _ := ParseTemplate(bad)
		if _, _, err := StreamRequest(tm, Values{}); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestParseHeader(t *testing.T) {
	k, v, err := ParseHeader(" X-API-Key:  s3cret ")
	if err != nil || k != "X-API-Key" || v != "s3cret" {
		t.Fatalf("got %q %q %v", k, v, err)
	}
	for _, bad := range []string{"no colon", ": v", "Bad Name: v", "K: a\r\nInjected: 1"} {
		if _, _, err := ParseHeader(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHS256IsAVerifiableJWT(t *testing.T) {
	tok := SubjectTokens("secret")("u42")
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("%q: %d parts", tok, len(parts))
	}
	var head, claims map[string]any
	for i, dst := range []*map[string]any{&head, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	if head["alg"] != "HS256" || claims["sub"] != "u42" {
		t.Fatalf("head %v claims %v", head, claims)
	}
	m := hmac.New(sha256.New, []byte("secret"))
	m.Write([]byte(parts[0] + "." + parts[1]))
	if want := base64.RawURLEncoding.EncodeToString(m.Sum(nil)); parts[2] != want {
		t.Fatalf("signature %s, want %s", parts[2], want)
	}
}
