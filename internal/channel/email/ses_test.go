package email

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/notifyd/notifyd/internal/channel"
)

// sesServer speaks the SES v2 REST-JSON SendEmail call: it checks the signed request and
// answers with the next status and error type queued (200 with a MessageId when none).
type sesServer struct {
	t       *testing.T
	mu      sync.Mutex
	answers []string // "" = success, else the x-amzn-ErrorType with status
	status  []int
	bodies  []map[string]any
}

func (s *sesServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		s.t.Errorf("request %s %s, want POST /v2/email/outbound-emails", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if a := r.Header.Get("Authorization"); !strings.Contains(a, "AWS4-HMAC-SHA256") || !strings.Contains(a, "/us-east-1/ses/aws4_request") {
		s.t.Errorf("Authorization = %q, want SigV4 for ses in us-east-1", a)
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		s.t.Errorf("body: %v", err)
	}
	s.mu.Lock()
	s.bodies = append(s.bodies, body)
	answer, status := "", 200
	if len(s.answers) > 0 {
		answer, status, s.answers, s.status = s.answers[0], s.status[0], s.answers[1:], s.status[1:]
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if answer != "" {
		w.Header().Set("X-Amzn-ErrorType", answer)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"message": answer + " from the test"})
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"MessageId": "0100018c-ses-id"})
}

func TestSESSendEmail(t *testing.T) {
	fake := &sesServer{t: t,
		answers: []string{"", "TooManyRequestsException", "LimitExceededException", "MessageRejected", "InternalServiceErrorException"},
		status:  []int{200, 429, 400, 400, 500}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
	r, _ := NewRenderer(nil)
	s, err := NewSender(NewSES(cfg, "notifyd"), r, "no-reply@shop.example")
	if err != nil {
		t.Fatal(err)
	}

	rc, err := s.Send(context.Background(), paymentFailed)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Provider != "ses" || rc.ProviderID != "0100018c-ses-id" {
		t.Fatalf("receipt = %+v", rc)
	}
	b := fake.bodies[0]
	simple := b["Content"].(map[string]any)["Simple"].(map[string]any)
	if b["FromEmailAddress"] != "no-reply@shop.example" || b["ConfigurationSetName"] != "notifyd" ||
		b["Destination"].(map[string]any)["ToAddresses"].([]any)[0] != "buyer@example.com" {
		t.Errorf("request = %v", b)
	}
	if subj := simple["Subject"].(map[string]any); subj["Data"] != "결제에 실패했습니다." || subj["Charset"] != "UTF-8" {
		t.Errorf("subject = %v", subj)
	}
	body := simple["Body"].(map[string]any)
	if !strings.Contains(body["Text"].(map[string]any)["Data"].(string), "https://mypage/orders/1001/payment") ||
		!strings.Contains(body["Html"].(map[string]any)["Data"].(string), `<a href="https://mypage/orders/1001/payment">`) {
		t.Errorf("body = %v", body)
	}

	for _, want := range []channel.Kind{channel.KindTransient, channel.KindTransient, channel.KindPermanent, channel.KindTransient} {
		_, err := s.Send(context.Background(), paymentFailed)
		if err == nil || channel.KindOf(err) != want {
			t.Errorf("err = %v (kind %d), want kind %d", err, channel.KindOf(err), want)
		}
	}
	if len(fake.bodies) != 5 {
		t.Errorf("%d requests, want 5: the SDK must not retry on its own", len(fake.bodies))
	}
}
