package mysql_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkAccept accepts events (two recipients each) from parallel goroutines, one per
// transaction and in batches of 64 as the group committer does under load, with the driver
// interpolating parameters (the default) and with server-side prepared statements.
// ns/op is per event.
func BenchmarkAccept(b *testing.B) {
	for _, bc := range []struct {
		interpolate bool
		batch       int
	}{{true, 1}, {false, 1}, {true, 64}, {false, 64}} {
		b.Run(fmt.Sprintf("interpolateParams=%v/batch=%d", bc.interpolate, bc.batch), func(b *testing.B) {
			interpolate := bc.interpolate
			url := testenv.MySQLURL(b) + fmt.Sprintf("?interpolateParams=%v", interpolate)
			s, err := mysql.Open(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var batch []store.AcceptInput
				for more := pb.Next(); more || len(batch) > 0; more = more && pb.Next() {
					if more {
						i := n.Add(1)
						batch = append(batch, storetest.Input(fmt.Sprintf("bench-%d", i), fmt.Sprintf("u%d", i%100), fmt.Sprintf("v%d", i%1000)))
						if len(batch) < bc.batch {
							continue
						}
					}
					if _, err := s.Accept(context.Background(), batch); err != nil {
						b.Error(err)
						return
					}
					batch = batch[:0]
				}
			})
		})
	}
}
