package bench

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Template is a string with placeholders, parsed once and expanded per stream or event
// without allocating: {user} (the user id, u<n>), {token} (a connection token for that
// user) and {event} (the event's JSON). Any other brace is literal, so a JSON body template
// like {"channel":"#{user}","data":{event}} needs no escaping.
type Template struct {
	raw   string
	parts []part
}

type part struct {
	lit string
	ph  placeholder // 0: lit
}

type placeholder uint8

const (
	phNone placeholder = iota
	phUser
	phToken
	phEvent
)

var placeholders = map[string]placeholder{"{user}": phUser, "{token}": phToken, "{event}": phEvent}

// ParseTemplate parses s; allowed lists the placeholders it may use (e.g. "{user}").
func ParseTemplate(s string, allowed ...string) (Template, error) {
	t := Template{raw: s}
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '{' {
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		name := s[i : i+end+1]
		ph, ok := placeholders[name]
		if !ok {
			continue
		}
		if !contains(allowed, name) {
			return Template{}, fmt.Errorf("template %q: %s is not allowed here (allowed: %s)", s, name, strings.Join(allowed, " "))
		}
		if i > lit {
			t.parts = append(t.parts, part{lit: s[lit:i]})
		}
		t.parts = append(t.parts, part{ph: ph})
		i += end
		lit = i + 1
	}
	if lit < len(s) {
		t.parts = append(t.parts, part{lit: s[lit:]})
	}
	return t, nil
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// Uses reports whether the template has the placeholder name ("{token}").
func (t Template) Uses(name string) bool {
	ph := placeholders[name]
	for _, p := range t.parts {
		if p.ph == ph && ph != phNone {
			return true
		}
	}
	return false
}

// String is the template as given.
func (t Template) String() string { return t.raw }

// Values are what the placeholders expand to.
type Values struct {
	User, Token string
	Event       []byte
}

// Append appends the expansion to b.
func (t Template) Append(b []byte, v Values) []byte {
	for _, p := range t.parts {
		switch p.ph {
		case phNone:
			b = append(b, p.lit...)
		case phUser:
			b = append(b, v.User...)
		case phToken:
			b = append(b, v.Token...)
		case phEvent:
			b = append(b, v.Event...)
		}
	}
	return b
}

// StreamRequest expands a subscribe URL template for one user and returns the host:port
// to dial and the request target (path and query). The query is re-encoded, so a template
// may carry raw JSON in it (cf_connect={"token":"{token}"}). Only http:// on a loopback
// address is accepted: the bench never loads another host.
func StreamRequest(t Template, v Values) (hostport, target string, err error) {
	u, err := url.Parse(string(t.Append(nil, v)))
	if err != nil {
		return "", "", fmt.Errorf("subscribe URL: %w", err)
	}
	if u.Scheme != "http" {
		return "", "", fmt.Errorf("subscribe URL %q: want http://", u.Redacted())
	}
	if err := Loopback(u.Host); err != nil {
		return "", "", fmt.Errorf("subscribe URL: %w", err)
	}
	if u.RawQuery != "" {
		u.RawQuery = u.Query().Encode()
	}
	return u.Host, u.RequestURI(), nil
}

// Loopback refuses anything but a loopback host:port.
func Loopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("%q: %w", hostport, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return errors.New("not a loopback address: " + hostport)
	}
	return nil
}

// ParseHeader parses "Name: value".
func ParseHeader(s string) (name, value string, err error) {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return "", "", fmt.Errorf("header %q: want \"Name: value\"", s)
	}
	return name, value, nil
}
