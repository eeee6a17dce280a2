package topic

import "time"

// DefaultPageTime is how long one page's transaction should hold the store's writer
// (Options.PageTime).
const DefaultPageTime = 25 * time.Millisecond

// minPage is the smallest page the sizing shrinks to: below it the per-transaction cost
// (begin, the job's row, the commit's fsync) outweighs the rows, and since accepts go
// first between pages, a busy store would give the fan-out one tiny page per commit (16
// rows took 257 s for 100,000 on SQLite at load 50, BENCHMARKS.md).
const minPage = 100

// pageSizer sizes each page by the time the last one held the writer, so that a page
// costs about target whatever the machine's load, the table sizes or the event's
// channels: the rows a page may take shrink when pages run slow and grow back, up to
// most, when they run fast. An accept that finds a page in flight waits at most about
// target for it (the store gives it the writer before the next page).
type pageSizer struct {
	size, least, most int
	target            time.Duration
}

// newPageSizer starts at most: a store that reports no writer time (pageSizer.took is
// never called) keeps full pages.
func newPageSizer(most int, target time.Duration) *pageSizer {
	return &pageSizer{size: most, least: min(minPage, most), most: most, target: target}
}

// next is the size of the next page.
func (p *pageSizer) next() int { return p.size }

// took records that a page of rows held the writer for held.
func (p *pageSizer) took(rows int, held time.Duration) {
	if rows < p.size || held <= 0 {
		return // a last, short page says little about the rate
	}
	want := float64(rows) * float64(p.target) / float64(held)
	// Halfway from where it is to where the last page says, so one
	// page stalled by the machine does not swing the size, and never more than double.
	size := min(int(want), 2*p.size)
	size = int(float64(p.size)*0.5 + float64(size)*0.5)
	p.size = max(p.least, min(p.most, size))
}
