// Package batchsize sizes repeated batches of store work (a topic fan-out's pages, the
// retention purge's deletes) by how long the last one held the store's writer, so each
// costs about a target whatever the machine's load, the table sizes or the rows' shape:
// the size shrinks when batches run slow and grows back, up to a cap, when they run fast.
// Another writer waiting (an accept) then waits at most about the target.
package batchsize

import "time"

// Sizer is one run of batches' size. Not safe for concurrent use.
type Sizer struct {
	size, least, most int
	target            time.Duration
}

// New starts at most, never goes below least (or most, when that is smaller) and aims
// each batch at target. A caller that never reports a time (Took) keeps full batches.
func New(most, least int, target time.Duration) *Sizer {
	return &Sizer{size: most, least: min(least, most), most: most, target: target}
}

// Next is the size of the next batch.
func (s *Sizer) Next() int { return s.size }

// Took records that a batch of rows held the writer for held. A batch smaller than the
// size asked for (the last one of a run) says little about the rate and changes nothing.
func (s *Sizer) Took(rows int, held time.Duration) {
	if rows < s.size || held <= 0 {
		return
	}
	want := float64(rows) * float64(s.target) / float64(held)
	// Halfway from where it is to where the last batch says, so one batch stalled by
	// the machine does not swing the size, and never more than double.
	size := min(int(want), 2*s.size)
	size = int(float64(s.size)*0.5 + float64(size)*0.5)
	s.size = max(s.least, min(s.most, size))
}
