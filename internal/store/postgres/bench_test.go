package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/postgres"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkAccept accepts events (two recipients each) from parallel goroutines, one per
// transaction and in batches of 64 as the group committer does under load. ns/op is per
// event.
func BenchmarkAccept(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s, err := postgres.Open(context.Background(), testenv.PostgresURL(b))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var in []store.AcceptInput
				for more := pb.Next(); more || len(in) > 0; more = more && pb.Next() {
					if more {
						i := n.Add(1)
						in = append(in, storetest.Input(fmt.Sprintf("bench-%d", i), fmt.Sprintf("u%d", i%100), fmt.Sprintf("v%d", i%1000)))
						if len(in) < batch {
							continue
						}
					}
					if _, err := s.Accept(context.Background(), in); err != nil {
						b.Error(err)
						return
					}
					in = in[:0]
				}
			})
		})
	}
}
