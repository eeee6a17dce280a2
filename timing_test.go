package notify

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestDecodeSendAtAndCollapseKey(t *testing.T) {
	ev, err := DecodeEvent([]byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"REVIEW_REMINDER","message":"m","sendAt":"2026-12-08T10:00:00+09:00","collapseKey":" order-1 "}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	if ev.SendAt == nil || !ev.SendAt.Equal(want) || ev.CollapseKey != "order-1" {
		t.Fatalf("got sendAt %v, collapseKey %q", ev.SendAt, ev.CollapseKey)
	}
	out, _ := ev.MarshalJSON()
	if !strings.Contains(string(out), `"sendAt":"2026-12-08T01:00:00Z","collapseKey":"order-1"`) {
		t.Errorf("normalised form %s", out)
	}
	for _, bad := range []string{`"tomorrow"`, `"2026-12-08 10:00"`, `"2026-12-08"`} {
		_, err := DecodeEvent([]byte(`{"whoToNotify":{"userId":7,"role":"CUSTOMER"},"publishInformation":{"notificationType":"T","sendAt":` + bad + `}}`))
		if e, ok := err.(*Error); !ok || e.Code != CodeInvalidEvent || e.Field != "publishInformation.sendAt" {
			t.Errorf("sendAt %s: %v", bad, err)
		}
	}
	ev.CollapseKey = "a\x00b"
	if err := ev.Validate(DefaultLimits); err == nil {
		t.Error("a collapse key with a control character passed")
	}
}

func TestDigestConfig(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader("types:\n  QUESTION_REGISTERED:\n    digest: {window: 10m, key: \"{{.storeId}}\", message: \"새 문의 {{.count}}건이 등록되었습니다.\"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{Type: "QUESTION_REGISTERED", Recipients: []Recipient{{UserID: "31", Role: RoleOwner}}, Data: []byte(`{"storeId":31,"questionId":5}`)}
	p, err := reg.Prepare(ev, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest == nil || p.Digest.Key != "31" || p.Digest.Window != 10*time.Minute {
		t.Fatalf("digest %+v", p.Digest)
	}
	msg, err := RenderDigest(p.Digest.Message, 3, ev.Data)
	if err != nil || msg != "새 문의 3건이 등록되었습니다." {
		t.Fatalf("RenderDigest = %q, %v", msg, err)
	}
	ev.Data = []byte(`{"questionId":5}`)
	if _, err := reg.Prepare(ev, DefaultLimits); err == nil {
		t.Error("an event without the digest key's data passed")
	}
	for _, bad := range []string{"window: 0s, message: m", "window: soon, message: m", "window: 1m"} {
		if _, err := LoadRegistry(strings.NewReader("types:\n  T:\n    message: m\n    digest: {" + bad + "}\n")); err == nil {
			t.Errorf("digest {%s} loaded", bad)
		}
	}
}

func TestTimingExampleConfigLoads(t *testing.T) {
	reg := loadExample(t, "examples/timing.yaml")
	if q, _ := reg.Lookup("QUESTION_REGISTERED"); q.Digest == nil {
		t.Error("QUESTION_REGISTERED has no digest")
	}
}

// loadExample loads an example NOTIFY_CONFIG file.
func loadExample(t *testing.T, path string) *Registry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg, err := LoadRegistry(f)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}
