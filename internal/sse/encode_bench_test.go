package sse_test

import (
	"testing"
	"time"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/sse"
)

// BenchmarkEncodeNotification renders one notification as an SSE frame.
func BenchmarkEncodeNotification(b *testing.B) {
	n := &notify.Notification{ID: 123456, UserID: "7", Seq: 42, EventID: "order-1001-delivery-started", Type: "DELIVERY_STARTED",
		Message: "배송이 시작되었습니다.", URL: "https://mypage/orders/1001", CreatedAt: time.Date(2026, 5, 1, 9, 30, 0, 123e6, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if f := sse.EncodeNotification(n); len(f) == 0 {
			b.Fatal("empty frame")
		}
	}
}
