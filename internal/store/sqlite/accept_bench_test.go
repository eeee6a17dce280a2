package sqlite_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	notify "github.com/notifyd/notifyd"
	"github.com/notifyd/notifyd/internal/store"
	"github.com/notifyd/notifyd/internal/store/sqlite"
)

// BenchmarkAccept stores batches through the shared SQL store on a SQLite file, the way
// the group committer does: one transaction per batch, one recipient per event, over a
// pool of users that already have sequence rows. Reported per batch, with events/s.
//
// The inputs carry their encoded payload, as ingest's do; "/encode" leaves it out, so the
// store encodes each event on the committer (the cost that carrying it saves). "/normal"
// opens the file with ?sync=normal: no fsync at commit, so the time is the CPU of a
// transaction (statement parsing, VDBE, WAL writes), the part the single writer spends.
func BenchmarkAccept(b *testing.B) {
	type variant struct {
		size   int
		encode bool
		normal bool
	}
	for _, v := range []variant{{1, false, false}, {64, false, false}, {512, false, false}, {512, true, false}, {1, false, true}, {4, false, true}, {8, false, true}} {
		size := v.size
		name := "batch" + strconv.Itoa(size)
		dsn := filepath.Join(b.TempDir(), "bench.db")
		if v.encode {
			name += "/encode"
		}
		if v.normal {
			name += "/normal"
			dsn += "?sync=normal"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			const users = 10000
			key := 0
			batch := func() []store.AcceptInput {
				in := make([]store.AcceptInput, size)
				for i := range in {
					key++
					in[i] = acceptInput("bench-"+strconv.Itoa(key), "u"+strconv.Itoa(key%users))
					if !v.encode {
						in[i].Payload, _ = in[i].Prepared.Event.MarshalJSON()
					}
				}
				return in
			}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer() // building the inputs is ingest's work, on other goroutines
				in := batch()
				b.StartTimer()
				if _, err := st.Accept(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

func acceptInput(key, user string) store.AcceptInput {
	r := notify.Recipient{UserID: user, Role: notify.RoleOwner}
	ev := notify.Event{Type: "DELIVERY_STARTED", Message: "배송이 시작되었습니다.", URL: "https://mypage/orders/1", EventID: key, Recipients: []notify.Recipient{r}}
	p := &notify.Prepared{Event: ev, Targets: []notify.Target{{Recipient: r, Channels: []notify.Channel{notify.ChannelInbox}}}}
	return store.AcceptInput{Key: key, PayloadHash: "h-" + key, Source: "bench", Prepared: p}
}
