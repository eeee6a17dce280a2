package webpush

import (
	"context"
	"net/netip"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/channel"
)

func TestIsPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700::1111": true, "142.250.76.142": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.9": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fd00::1": false, "100.64.0.1": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
	} {
		if got := IsPublic(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsPublic(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, c := range []struct {
		url          string
		allowPrivate bool
		ok           bool
	}{
		{"https://fcm.googleapis.com/fcm/send/abc", false, true},
		{"https://updates.push.services.mozilla.com/wpush/v2/x", false, true},
		{"http://fcm.googleapis.com/fcm/send/abc", false, false}, // not https
		{"https://169.254.169.254/latest/meta-data/", false, false},
		{"https://10.0.0.5:8443/admin", false, false},
		{"https://[::1]/x", false, false},
		{"https://localhost/x", false, false},
		{"https://push.localhost/x", false, false},
		{"http://127.0.0.1:9999/sub", false, false},
		{"/relative", false, false},
		{"https://10.0.0.5:8443/push", true, true},
		{"http://127.0.0.1:9999/sub", true, true},
		{"http://10.0.0.5/sub", true, false}, // http only on loopback, even when allowed
	} {
		if err := CheckEndpoint(c.url, c.allowPrivate); (err == nil) != c.ok {
			t.Errorf("CheckEndpoint(%q, allowPrivate=%v) = %v, want ok=%v", c.url, c.allowPrivate, err, c.ok)
		}
	}
}

// A subscription saved before the guard (or one whose public name resolves to a private
// address) is refused on the dialled address: nothing reaches the service, the subscription
// is dropped and the delivery skipped.
func TestSendRefusesAPrivateAddress(t *testing.T) {
	keys, err := GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	ps := newPushService(t, keys.Public) // listens on 127.0.0.1
	st := &memStore{}
	st.subs = append(st.subs, ps.subscribe(t, "u1", "/sub/inside", 201).sub)
	s, err := NewSender(st, Options{Keys: keys, Subject: "mailto:ops@shop.example"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), notify.Message{DeliveryID: 1, Channel: notify.ChannelWebPush, UserID: "u1", Text: "x"})
	if channel.KindOf(err) != channel.KindSkip {
		t.Errorf("Send to 127.0.0.1 = %v, want a skip (no subscription left)", err)
	}
	ps.mu.Lock()
	got := len(ps.got)
	ps.mu.Unlock()
	if got != 0 {
		t.Errorf("the push service on 127.0.0.1 received %d pushes, want none", got)
	}
	if subs, _ := st.PushSubscriptions(context.Background(), "u1"); len(subs) != 0 {
		t.Errorf("the subscription to a private address was kept: %+v", subs)
	}
}
