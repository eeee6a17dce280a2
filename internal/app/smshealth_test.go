package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

type scriptedSender struct{ errs []error }

func (s *scriptedSender) Send(context.Context, notify.Message) (channel.Receipt, error) {
	err := s.errs[0]
	s.errs = s.errs[1:]
	return channel.Receipt{ProviderID: "id"}, err
}

// The provider is down from a retryable failure until a send gets an answer; a permanent
// failure is an answer.
func TestProviderHealth(t *testing.T) {
	down := channel.Transient("503", errors.New("gateway unavailable"))
	h := &providerHealth{name: "webhook", Sender: &scriptedSender{errs: []error{
		nil, down, down, channel.Permanent("400", errors.New("invalid number")), down, nil,
	}}}
	want := []string{"", "gateway unavailable", "gateway unavailable", "", "gateway unavailable", ""}
	var since string
	for i, w := range want {
		_, _ = h.Send(context.Background(), notify.Message{})
		err := h.Check(context.Background())
		switch {
		case w == "" && err != nil:
			t.Errorf("after send %d: Check = %v, want nil", i, err)
		case w != "" && (err == nil || !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), "sms provider webhook failing since")):
			t.Errorf("after send %d: Check = %v, want the provider failing with %q", i, err, w)
		}
		if i == 1 {
			since = err.Error()
		}
		if i == 2 && err.Error() != since {
			t.Errorf("a second failure moved the start of the outage: %q, then %q", since, err)
		}
	}
}
