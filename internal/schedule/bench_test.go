package schedule_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/notifyd/notifyd/internal/schedule"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/mysql"
	"github.com/notifyd/notifyd/internal/store/sqlite"
	"github.com/notifyd/notifyd/internal/store/storetest"
	"github.com/notifyd/notifyd/internal/testenv"
)

// BenchmarkRelease100k: 100,000 scheduled notifications (10,000 users × 10, each with an
// SMS delivery) all due at the same moment, released by one releaser in batches of 500,
// one transaction per batch. It reports the release rate and the seconds from the due
// time to the last one visible; BENCHMARKS.md has the numbers.
//
//	go test -run '^$' -bench Release100k -benchtime 1x ./internal/schedule/
func BenchmarkRelease100k(b *testing.B) {
	users, each := 10_000, 10
	if testing.Short() { // make test's smoke run: the benchmark works, at a fiftieth of the size
		users = 200
	}
	for _, backend := range []string{"sqlite", "mysql"} {
		b.Run(backend, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				s := openBench(b, backend)
				at := time.Now().Add(time.Hour)
				var batch []store.AcceptInput
				for i := range users * each {
					batch = append(batch, storetest.ScheduledInput(fmt.Sprintf("e%d", i), at, fmt.Sprintf("u%d", i%users)))
					if len(batch) == 500 {
						if _, err := s.Accept(context.Background(), batch); err != nil {
							b.Fatal(err)
						}
						batch = batch[:0]
					}
				}
				r := schedule.New(s, schedule.Options{Batch: 500, Now: func() time.Time { return at }})
				b.StartTimer()
				start := time.Now()
				n, err := r.ReleaseNow(context.Background())
				took := time.Since(start)
				b.StopTimer()
				if err != nil || n != users*each {
					b.Fatalf("released %d, %v", n, err)
				}
				b.ReportMetric(float64(n)/took.Seconds(), "released/s")
				b.ReportMetric(took.Seconds(), "s-to-release-all")
				s.Close()
			}
		})
	}
}

func openBench(b *testing.B, backend string) store.Store {
	var s store.Store
	var err error
	if backend == "sqlite" {
		s, err = sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "notify.db"))
	} else {
		s, err = mysql.Open(context.Background(), testenv.MySQLURL(b))
	}
	if err != nil {
		b.Fatal(err)
	}
	return s
}
