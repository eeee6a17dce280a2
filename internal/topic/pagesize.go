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
