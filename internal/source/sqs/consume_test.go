package sqs

import (
	"context"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/publish"
)

func customerEvent(userID, eventID string) publish.NotificationData {
	return publish.ForOne(publish.Customer(userID, "+821012345678"), publish.Info{
		NotificationType: "ORDER_CREATED", EventID: eventID, Data: map[string]any{"orderId": 1},
	})
}

// Events published with publish/ are consumed, stored, pushed to the fan-out and deleted.
func TestPublishConsumeStore(t *testing.T) {
	for _, base := range []string{"orders", "orders.fifo"} {
		t.Run(base, func(t *testing.T) {
			e := newEnv(t, notify.DefaultRegistry())
			name, url := e.queue(base, 30)
			var evs []publish.NotificationData
			for i := range 12 {
				evs = append(evs, customerEvent(strconv.Itoa(100+i), ""))
			}
			sender := publish.NewSQS(e.client, url)
			ids, err := sender.Send(context.Background(), evs...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := publish.ContextWithTraceParent(context.Background(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			one, err := sender.Send(ctx, customerEvent("200", "order-200-created"))
			if err != nil {
				t.Fatal(err)
			}

			reg := prometheus.NewRegistry()
			c := e.start(e.svc, Options{Queues: []string{name}, Metrics: reg})
			got := c.waitFinal(t, 13)
			if got[accepted] != 13 {
				t.Fatalf("outcomes %v, want 13 accepted", got)
			}
			for i, id := range append(ids, one...) {
				st, err := e.store.EventStatus(context.Background(), id)
				if err != nil {
					t.Fatalf("event %d (%s): %v", i, id, err)
				}
				if st.Source != "sqs:"+name || len(st.Recipients) != 1 {
					t.Errorf("event %s: source %q, %d recipients", id, st.Source, len(st.Recipients))
				}
			}
			if n := len(e.notificationsOf("200")); n != 1 {
				t.Errorf("user 200 has %d notifications, want 1", n)
			}
			if n := e.pushed.count(); n != 13 {
				t.Errorf("%d notifications pushed to the fan-out, want 13", n)
			}
			if n := e.queueLength(url); n != 0 {
				t.Errorf("%d messages left on the queue, want 0", n)
			}
			for metric, want := range map[string]float64{"received": 13, "accepted": 13, "deleted": 13, "rejected": 0} {
				if got := counterValue(t, reg, "notifyd_sqs_"+metric+"_total", name); got != want {
					t.Errorf("%s = %v, want %v", metric, got, want)
				}
			}
			if err := c.src.Ready(context.Background()); err != nil {
				t.Errorf("Ready: %v", err)
			}
		})
	}
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, queue string) float64 {
	t.Helper()
	return queueMetric(t, reg, name, queue).GetCounter().GetValue()
}

// queueMetric is the series of name for queue in reg; empty when there is none.
func queueMetric(t *testing.T, reg *prometheus.Registry, name, queue string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "queue" && l.GetValue() == queue {
					return m
				}
			}
		}
	}
	return &dto.Metric{}
}
