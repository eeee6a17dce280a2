package ingest_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/ingest"
)

// Prepare hands the store the payload it hashed, so the committer does not encode the
// event a second time; the bytes are the event's JSON and match PayloadHash.
func TestPreparePayload(t *testing.T) {
	svc := newService(t, openStore(t), priceDropRegistry(t))
	evs, err := notify.DecodeEvents([]byte(fmt.Sprintf(priceDrop, "p-1")))
	if err != nil {
		t.Fatal(err)
	}
	in, err := svc.Prepare(ingest.Input{Event: evs[0], Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := in.Prepared.Event.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(in.Payload, want) {
		t.Fatalf("Payload = %s, want %s", in.Payload, want)
	}
	if sum := sha256.Sum256(in.Payload); hex.EncodeToString(sum[:]) != in.PayloadHash {
		t.Fatalf("PayloadHash %s is not the hash of Payload", in.PayloadHash)
	}
}
