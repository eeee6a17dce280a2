package bench

import (
	"bufio"
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestBroadcastEventsSplitsIntoTheFewest(t *testing.T) {
	for _, tc := range []struct {
		n, max int
		want   [][2]int
	}{
		{95000, 95000, [][2]int{{0, 95000}}},
		{95000, 100000, [][2]int{{0, 95000}}},
		{25000, 10000, [][2]int{{0, 10000}, {10000, 20000}, {20000, 25000}}},
	} {
		if got := broadcastEvents(tc.n, tc.max); !slices.Equal(got, tc.want) {
			t.Errorf("broadcastEvents(%d, %d) = %v, want %v", tc.n, tc.max, got, tc.want)
		}
	}
}

// A load process reads its phase, n and latency back from the eventId the coordinator
// wrote, and counts repeated and skipped SSE ids.
func TestLoaderRecordsPhasesAndIDs(t *testing.T) {
	l := &loader{cfg: LoadConfig{Run: "abc"}, prefix: []byte(`"eventId":"rabc`), closing: make(chan struct{})}
	s := &loadStream{}
	sent := strconv.FormatInt(time.Now().Add(-5*time.Millisecond).UnixNano(), 36)
	body := broadcastBody("abc", 0, 0, 3, time.Now())
	if !bytes.Contains(body, []byte(`"eventId":"rabcb-0-`)) {
		t.Fatalf("broadcast body %s has no eventId rabcb-0-…", body)
	}
	lines := []string{
		"id: 1\n", `data: {"eventId":"rabcb-0-` + sent + `","type":"RESTOCK"}` + "\n",
		"id: 2\n", `data: {"eventId":"rabcs-41-` + sent + `"}` + "\n",
		"id: 2\n", `data: {"eventId":"rabcs-41-` + sent + `"}` + "\n", // the same again
		"id: 5\n", `data: {"eventId":"rabcb-0-` + sent + `"}` + "\n", // skipped 3 and 4
		"id: 6\n", `data: {"eventId":"rOTHERs-7-` + sent + `"}` + "\n", // another run
	}
	s.br = bufio.NewReaderSize(strings.NewReader(strings.Join(lines, "")), 1024)
	close(l.closing) // the end of the text is then the bench closing the stream
	l.read(s)
	if n := l.streamErrors.Load(); n != 0 {
		t.Errorf("%d stream errors", n)
	}
	l.streams = []*loadStream{s}
	r := l.report()
	if r.SeqDups != 1 || r.SeqGaps != 1 {
		t.Errorf("ids: %d repeated, %d gaps; want 1 and 1", r.SeqDups, r.SeqGaps)
	}
	if r.BcastMissing != 0 || r.BcastDups != 1 || len(r.BcastLatNs) != 1 {
		t.Errorf("broadcast: missing %d, duplicates %d, %d latencies; want 0, 1, 1", r.BcastMissing, r.BcastDups, len(r.BcastLatNs))
	}
	if !slices.Equal(r.Steady, []int64{0, 41, 0, 41}) {
		t.Errorf("steady pairs %v, want [0 41 0 41]", r.Steady)
	}
	if len(r.SteadyLatNs) != 2 || r.SteadyLatNs[0] < int64(5*time.Millisecond) {
		t.Errorf("steady latencies %v, want two of at least 5ms", r.SteadyLatNs)
	}
}

// The coordinator's check finds every kind of error in what the streams received.
func TestSteadyCheck(t *testing.T) {
	st := &steadyRun{seed: 7, users: 50, events: 6, accepted: []bool{true, true, true, true, false, false}}
	u := func(n int64) int64 { return int64(steadyUser(st.seed, n, st.users)) }
	pairs := []int64{
		u(0), 0,
		u(1), 1, u(1), 1, // duplicate
		(u(2) + 1) % 50, 2, // on another user's stream
		u(4), 4, // arrived though its POST failed
		// 3 missing; 2 missing too (its only arrival was a stray)
	}
	missing, dups, strays, late := st.check(pairs)
	if missing != 2 || dups != 1 || strays != 1 || late != 1 {
		t.Errorf("check = missing %d, dups %d, strays %d, late %d; want 2, 1, 1, 1", missing, dups, strays, late)
	}
}
