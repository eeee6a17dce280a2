package email

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

// received is one message the test SMTP server took.
type received struct {
	from, to string
	tls      bool
	authUser string
	data     []byte
}

// mailServer is an SMTP server in process (github.com/emersion/go-smtp) that keeps what
// arrives and answers RCPT TO with rcptErr when set.
type mailServer struct {
	mu       sync.Mutex
	got      []received
	rcptErr  error
	authUser string
	authPass string
	auths    int
}

func (b *mailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, c: c}, nil
}

type session struct {
	b    *mailServer
	c    *smtp.Conn
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		s.b.mu.Lock()
		defer s.b.mu.Unlock()
		s.b.auths++
		if user != s.b.authUser || pass != s.b.authPass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.user = user
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.authUser != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	_, s.cur.tls = s.c.TLSConnectionState()
	s.cur.from, s.cur.authUser = from, s.user
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if s.b.rcptErr != nil {
		return s.b.rcptErr
	}
	s.cur.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.b.mu.Lock()
	s.b.got = append(s.b.got, s.cur)
	s.b.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// startSMTP serves b on 127.0.0.1: with STARTTLS offered when starttls, behind implicit
// TLS when implicit. It returns the port and the CA pool that trusts its certificate.
func startSMTP(t *testing.T, b *mailServer, starttls, implicit bool) (int, *x509.CertPool) {
	t.Helper()
	cert, pool := testCert(t)
	srv := smtp.NewServer(b)
	srv.Domain = "mx.test"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	if starttls {
		srv.TLSConfig = tc
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		ln = tls.NewListener(ln, tc)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port, pool
}

func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: c}, pool
}

func newSMTPSender(t *testing.T, url string, pool *x509.CertPool) *Sender {
	t.Helper()
	p, err := NewSMTP(SMTPOptions{URL: url, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := notify.LoadRegistry(strings.NewReader(`
types:
  PAYMENT_FAILED:
    message: "결제에 실패했습니다."
    email:
      subject: "[주문 {{.orderId}}] 결제 실패 안내"
      text: "결제에 실패했습니다. {{.url}} 에서 확인해 주세요."
      html: "<p>{{.note}}</p><p><a href=\"{{.url}}\">결제 수단 확인</a></p>"
`))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSender(p, r, "notifyd <no-reply@shop.example>")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var paymentFailed = notify.Message{DeliveryID: 42, Attempt: 1, Channel: notify.ChannelEmail, UserID: "u1", To: "buyer@example.com",
	Type: "PAYMENT_FAILED", Text: "결제에 실패했습니다.", URL: "https://mypage/orders/1001/payment",
	Data: []byte(`{"orderId": 1001, "note": "<script>alert(1)</script> & co"}`)}

// parsed is a received message taken apart as a mail client would.
type parsed struct {
	header     mail.Header
	subject    string
	text, html string
}

func parseMessage(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, data)
	}
	var p parsed
	p.header = msg.Header
	raw := msg.Header.Get("Subject")
	for _, r := range raw {
		if r > 127 {
			t.Fatalf("the Subject header is not RFC 2047 encoded: %q", raw)
		}
	}
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(raw); err != nil {
		t.Fatalf("subject %q: %v", raw, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, want multipart/alternative", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable as a mail client does
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part)
		body := strings.ReplaceAll(string(b), "\r\n", "\n")
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			p.text = body
		case "text/html":
			p.html = body
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	return p
}

func TestSMTPStartTLSAuthBothPartsKoreanSubject(t *testing.T) {
	b := &mailServer{authUser: "notifyd", authPass: "s3cret"}
	port, pool := startSMTP(t, b, true, false)
	s := newSMTPSender(t, fmt.Sprintf("smtp://notifyd:s3cret@127.0.0.1:%d", port), pool)

	rc, err := s.Send(context.Background(), paymentFailed)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Provider != "smtp" || rc.ProviderID != "notifyd.42@shop.example" {
		t.Fatalf("receipt = %+v", rc)
	}
	if len(b.got) != 1 {
		t.Fatalf("the server got %d messages", len(b.got))
	}
	got := b.got[0]
	if !got.tls || got.authUser != "notifyd" || got.from != "no-reply@shop.example" || got.to != "buyer@example.com" {
		t.Fatalf("envelope: tls=%v auth=%q from=%q to=%q", got.tls, got.authUser, got.from, got.to)
	}
	p := parseMessage(t, got.data)
	if p.subject != "[주문 1001] 결제 실패 안내" {
		t.Errorf("subject = %q", p.subject)
	}
	if p.header.Get("Message-Id") != "<notifyd.42@shop.example>" {
		t.Errorf("Message-Id = %q", p.header.Get("Message-Id"))
	}
	if !strings.Contains(p.text, "결제에 실패했습니다. https://mypage/orders/1001/payment 에서") {
		t.Errorf("text part = %q", p.text)
	}
	if !strings.Contains(p.html, `&lt;script&gt;alert(1)&lt;/script&gt; &amp; co`) || strings.Contains(p.html, "<script>") ||
		!strings.Contains(p.html, `<a href="https://mypage/orders/1001/payment">결제 수단 확인</a>`) {
		t.Errorf("html part = %q", p.html)
	}
}

func TestSMTPImplicitTLSDefaultLayout(t *testing.T) {
	b := &mailServer{authUser: "u", authPass: "p"}
	port, pool := startSMTP(t, b, false, true)
	s := newSMTPSender(t, fmt.Sprintf("smtps://u:p@127.0.0.1:%d", port), pool)
	m := paymentFailed
	m.Type, m.Text, m.URL = "REVIEW_REMINDER", "리뷰를 남겨 주세요 <3", "https://shop/reviews?id=1&x=2"
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(b.got) != 1 || !b.got[0].tls {
		t.Fatalf("got %+v", b.got)
	}
	p := parseMessage(t, b.got[0].data)
	if p.subject != "리뷰를 남겨 주세요 <3" {
		t.Errorf("subject = %q", p.subject)
	}
	if p.text != "리뷰를 남겨 주세요 <3\n\nhttps://shop/reviews?id=1&x=2\n" {
		t.Errorf("text = %q", p.text)
	}
	if !strings.Contains(p.html, "<p>리뷰를 남겨 주세요 &lt;3</p>") || !strings.Contains(p.html, `href="https://shop/reviews?id=1&amp;x=2"`) {
		t.Errorf("html = %q", p.html)
	}
}

func TestSMTPPlainRelayWithoutCredentials(t *testing.T) {
	b := &mailServer{}
	port, pool := startSMTP(t, b, false, false)
	s := newSMTPSender(t, fmt.Sprintf("smtp://127.0.0.1:%d", port), pool)
	if _, err := s.Send(context.Background(), paymentFailed); err != nil {
		t.Fatal(err)
	}
	if len(b.got) != 1 || b.got[0].tls {
		t.Fatalf("got %+v", b.got)
	}
}

func TestSMTPCredentialsNeverInTheClear(t *testing.T) {
	b := &mailServer{authUser: "u", authPass: "p"}
	port, pool := startSMTP(t, b, false, false) // offers no STARTTLS
	s := newSMTPSender(t, fmt.Sprintf("smtp://u:p@127.0.0.1:%d", port), pool)
	_, err := s.Send(context.Background(), paymentFailed)
	if err == nil || channel.KindOf(err) != channel.KindTransient {
		t.Fatalf("err = %v, want a transient failure", err)
	}
	if b.auths != 0 || len(b.got) != 0 {
		t.Fatalf("credentials went over plain text: auths=%d got=%d", b.auths, len(b.got))
	}
}

func TestSMTPErrorsClassified(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		kind channel.Kind
	}{
		{"4xx retries", &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}, channel.KindTransient},
		{"5xx fails", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}, channel.KindPermanent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &mailServer{rcptErr: tc.err}
			port, pool := startSMTP(t, b, true, false)
			s := newSMTPSender(t, fmt.Sprintf("smtp://127.0.0.1:%d", port), pool)
			_, err := s.Send(context.Background(), paymentFailed)
			if err == nil || channel.KindOf(err) != tc.kind {
				t.Fatalf("err = %v (kind %d), want kind %d", err, channel.KindOf(err), tc.kind)
			}
		})
	}
	s := newSMTPSender(t, "smtp://127.0.0.1:1", nil)
	for to, reason := range map[string]string{"": "no_email", "not an address": "invalid_email"} {
		m := paymentFailed
		m.To = to
		if _, err := s.Send(context.Background(), m); channel.SkipReason(err) != reason {
			t.Errorf("to %q: err = %v, want skip %s", to, err, reason)
		}
	}
}
