package fanout

import (
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
)

// TestPackFitsAndRoundTrips: packed messages stay within the limit, carry every
// notification once in order, and a notification too big for any message goes as a
// reference.
func TestPackFitsAndRoundTrips(t *testing.T) {
	ns := append(notes("사용자-1", 1, 80), notes("u2", 1, 3)...)
	ns[7].Message = strings.Repeat("가", 4000) // 12,000 bytes: never fits
	ns[81].Message = strings.Repeat("x", 600)
	for _, limit := range []int{pgMaxPayload, 1000} {
		payloads, refs, err := pack("me", ns, limit)
		if err != nil {
			t.Fatal(err)
		}
		if refs != 1 || (limit == pgMaxPayload && len(payloads) < 2) {
			t.Fatalf("limit %d: %d payloads, %d refs", limit, len(payloads), refs)
		}
		var got []notify.Notification
		var gotRefs []wireRef
		for _, p := range payloads {
			if len(p) > limit {
				t.Fatalf("limit %d: payload of %d bytes", limit, len(p))
			}
			origin, inline, _, err := decode(p)
			if err != nil || origin != "me" {
				t.Fatalf("decode: %v (origin %q)", err, origin)
			}
			refs, err := decodeRefs(p)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, inline...)
			gotRefs = append(gotRefs, refs...)
		}
		if len(gotRefs) != 1 || gotRefs[0] != (wireRef{User: "사용자-1", Seq: 8}) {
			t.Fatalf("limit %d: refs %+v, want 사용자-1 #8", limit, gotRefs)
		}
		if len(got) != len(ns)-1 {
			t.Fatalf("limit %d: %d inline notifications, want %d", limit, len(got), len(ns)-1)
		}
		k := 0
		for i, n := range ns {
			if i == 7 {
				continue
			}
			if got[k].UserID != n.UserID || got[k].Seq != n.Seq || got[k].Message != n.Message {
				t.Fatalf("limit %d: notification %d is %s#%d, want %s#%d", limit, k, got[k].UserID, got[k].Seq, n.UserID, n.Seq)
			}
			k++
		}
	}
}

func TestDecodeRefsRejectsBadReferences(t *testing.T) {
	for _, payload := range []string{`nope`, `{"n":[],"r":[{"s":1}]}`, `{"n":[],"r":[{"u":"x"}]}`} {
		if _, err := decodeRefs(payload); err == nil {
			t.Errorf("decodeRefs(%s) succeeded, want an error", payload)
		}
	}
}
