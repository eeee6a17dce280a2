package sqlstore

import (
	"context"
	"database/sql"
	"maps"
	"slices"
	"time"

	"github.com/notifyd/notifyd/internal/store"
)

// bucketOf is the SQL for the start of a row's bucket as an offset from since, in whole
// buckets: col - since, less its remainder. Integer division differs between the three
// (MySQL's / gives a decimal), the remainder does not.
func bucketOf(col string) string {
	return `(` + col + ` - ?) - ((` + col + ` - ?) % ?)`
}

// TrafficStats implements store.Store. The counts are grouped in SQL, on the indexes
// events_created and delivery_attempts_at; the latency percentiles are computed here from
// the newest store.LatencySample sent attempts.
func (s *Store) TrafficStats(ctx context.Context, since, until time.Time, bucket time.Duration) (*store.Traffic, error) {
	from, to, width := ms(since), ms(until), bucket.Milliseconds()
	start := func(offset int64) time.Time { return fromMS(from + offset) }
	t := &store.Traffic{Events: []store.Count{}, Outcomes: []store.OutcomeCount{}, Fallbacks: []store.FallbackCount{}, Latency: []store.Latency{}}

	counts := func(what, query string, add func(offset int64, n int)) error {
		r, err := s.db.R.QueryContext(ctx, query, from, from, width, from, to)
		if err != nil {
			return dbErr(what, err)
		}
		defer r.Close()
		for r.Next() {
			var offset int64
			var n int
			if err := r.Scan(&offset, &n); err != nil {
				return dbErr(what, err)
			}
			add(offset, n)
		}
		return dbErr(what, r.Err())
	}
	err := counts("count events", `SELECT `+bucketOf("created_at")+`, COUNT(*) FROM events WHERE created_at >= ? AND created_at < ? GROUP BY 1 ORDER BY 1`,
		func(offset int64, n int) { t.Events = append(t.Events, store.Count{Start: start(offset), N: n}) })
	if err != nil {
		return nil, err
	}
	err = queryEach(ctx, s.db.R, `SELECT `+bucketOf("at")+`, fallback, COUNT(*) FROM delivery_attempts WHERE at >= ? AND at < ? AND fallback <> '' GROUP BY 1, fallback ORDER BY 1, fallback`,
		[]any{from, from, width, from, to}, func(r *sql.Rows) error {
			var offset int64
			var c store.FallbackCount
			if err := r.Scan(&offset, &c.To, &c.N); err != nil {
				return err
			}
			c.Start = start(offset)
			t.Fallbacks = append(t.Fallbacks, c)
			return nil
		})
	if err != nil {
		return nil, dbErr("count fallbacks", err)
	}

	r, err := s.db.R.QueryContext(ctx, `SELECT `+bucketOf("at")+`, channel, status, COUNT(*) FROM delivery_attempts WHERE at >= ? AND at < ? GROUP BY 1, channel, status ORDER BY 1, channel, status`,
		from, from, width, from, to)
	if err != nil {
		return nil, dbErr("count outcomes", err)
	}
	for r.Next() {
		var offset int64
		var o store.OutcomeCount
		if err := r.Scan(&offset, &o.Channel, &o.Status, &o.N); err != nil {
			r.Close()
			return nil, dbErr("count outcomes", err)
		}
		o.Start = start(offset)
		t.Outcomes = append(t.Outcomes, o)
	}
	r.Close()
	if err := r.Err(); err != nil {
		return nil, dbErr("count outcomes", err)
	}
	t.Latency, err = s.latency(ctx, from, to, width)
	return t, err
}

// latency reads the newest sent attempts' latencies and returns each bucket's p50 and p99.
func (s *Store) latency(ctx context.Context, from, to, width int64) ([]store.Latency, error) {
	r, err := s.db.R.QueryContext(ctx, `SELECT at, latency_ms FROM delivery_attempts WHERE at >= ? AND at < ? AND status = 'sent' ORDER BY at DESC LIMIT ?`, from, to, store.LatencySample)
	if err != nil {
		return nil, dbErr("select latency", err)
	}
	defer r.Close()
	byBucket := map[int64][]int64{}
	for r.Next() {
		var at, lat int64
		if err := r.Scan(&at, &lat); err != nil {
			return nil, dbErr("scan latency", err)
		}
		b := (at - from) / width
		byBucket[b] = append(byBucket[b], lat)
	}
	if err := r.Err(); err != nil {
		return nil, dbErr("select latency", err)
	}
	out := []store.Latency{}
	for _, b := range slices.Sorted(maps.Keys(byBucket)) {
		v := byBucket[b]
		slices.Sort(v)
		out = append(out, store.Latency{Start: fromMS(from + b*width), P50: percentile(v, 50), P99: percentile(v, 99), N: len(v)})
	}
	return out, nil
}

// percentile is the nearest-rank percentile of sorted values.
func percentile(sorted []int64, p int) int64 {
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	return sorted[max(rank, 1)-1]
}
