package sfn

import "sync"

// DescribeExecution is what clients poll until an execution ends, and for an execution that has ended it
// needs far less than its stored blob holds: the execution's record and end, and, for the redrive status,
// how many events the history has and whether it kept a redrive point. The executions that ended last,
// those pollers are about to ask for, keep that summary in memory (a bounded number and size of them);
// for any other, decoding only those parts skips building every history event and the redrive snapshot.

// blobSummary is the part of a historyBlob that DescribeExecution reads.
type blobSummary struct {
	Execution executionRecord `json:"ex"`
	End       endRecord       `json:"end"`
	Events    []skipped       `json:"evs"`
	Redrive   *skipped        `json:"redrive,omitempty"`
}

// skipped is a JSON value read only as far as knowing it is there: a slice of them counts an array's
// elements without decoding them (it has no size, so the slice allocates nothing for them).
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// eventCounts is what a summary view knows of the history it did not load.
type eventCounts struct {
	events  int  // history events
	redrive bool // a redrive point was kept
}

// eventCount is how many history events the execution has.
func (v execView) eventCount() int {
	if v.counts != nil {
		return v.counts.events
	}
	return len(v.events)
}

// hasRedrivePoint reports whether the execution kept a point a redrive continues from.
func (v execView) hasRedrivePoint() bool {
	if v.counts != nil {
		return v.counts.redrive
	}
	return v.point != nil
}

// summary reads a finished execution's blob as DescribeExecution needs it; a blob decoded whole
// recently (GetExecutionHistory paging through it) is used as it is.
func (h *historyStore) summary(f finished) (blobSummary, eventCounts, error) {
	if r, ok := h.recent.get(f.seg, f.off); ok {
		return blobSummary{Execution: r.rec, End: r.end}, r.counts, nil
	}
	if b := h.cache.get(f.seg, f.off); b != nil {
		return blobSummary{Execution: b.Execution, End: b.End}, eventCounts{events: len(b.Events), redrive: b.Redrive != nil}, nil
	}
	var b blobSummary
	if err := h.decode(f, &b); err != nil {
		return blobSummary{}, eventCounts{}, err
	}
	return b, eventCounts{events: len(b.Events), redrive: b.Redrive != nil}, nil
}

// describeView is view(arn, true) for DescribeExecution, with the counts of the history instead of the
// history (events and point stay nil): a running execution's events are not copied, and an execution
// that has ended and left memory comes with its record and end from its blob's summary.
func (s *Service) describeView(arn string) (execView, error) {
	v, err := s.view(arn, false)
	if err != nil {
		return execView{}, err
	}
	if e := v.live; e != nil {
		e.mu.Lock()
		v.status, v.end = e.status, e.end
		v.counts = &eventCounts{events: e.eventCount(), redrive: e.point != nil}
		e.mu.Unlock()
		return v, nil
	}
	if !v.hasStored {
		return s.view(arn, true) // (view finds an execution in memory or in the store: not reached)
	}
	b, counts, err := s.history.summary(v.stored) // the entry view found
	if err != nil {
		// Gone since (its segment past retention), or unreadable: as GetExecutionHistory answers.
		return s.view(arn, true)
	}
	v.rec, v.end, v.counts = b.Execution, b.End, &counts
	return v, nil
}

// Bounds of the summaries kept of the executions that ended last: how many, and how many bytes of input,
// output and cause they hold together (a summary larger than that is not kept).
const (
	maxRecentSummaries    = 256
	maxRecentSummaryBytes = 4 << 20
)

// recentSummaries keeps the summaries of the executions that ended last, in a ring: the oldest is
// overwritten, or dropped to stay within the bytes allowed, without moving the others. The zero value is
// ready; it is safe for concurrent use.
type recentSummaries struct {
	mu    sync.Mutex
	items []recentSummary // a ring of up to maxRecentSummaries, the oldest at head
	head  int
	n     int
	bytes int
}

type recentSummary struct {
	seg    uint32
	off    int64
	rec    executionRecord
	end    endRecord
	counts eventCounts
}

func (r recentSummary) size() int { return len(r.rec.Input) + len(r.end.Output) + len(r.end.Cause) }

func (c *recentSummaries) put(seg uint32, off int64, b *historyBlob) {
	rec := b.Execution
	rec.Definition, rec.RedriveTokens = "", nil // DescribeExecution reads neither
	it := recentSummary{seg: seg, off: off, rec: rec, end: b.End, counts: eventCounts{events: b.eventCount(), redrive: b.Redrive != nil}}
	n := it.size()
	if n > maxRecentSummaryBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = make([]recentSummary, maxRecentSummaries)
	}
	for c.n > 0 && (c.n == len(c.items) || c.bytes+n > maxRecentSummaryBytes) {
		c.bytes -= c.items[c.head].size()
		c.items[c.head] = recentSummary{} // let go of what it held
		c.head = (c.head + 1) % len(c.items)
		c.n--
	}
	c.items[(c.head+c.n)%len(c.items)] = it
	c.n++
	c.bytes += n
}

func (c *recentSummaries) get(seg uint32, off int64) (recentSummary, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := c.n - 1; i >= 0; i-- {
		if it := &c.items[(c.head+i)%len(c.items)]; it.seg == seg && it.off == off {
			return *it, true
		}
	}
	return recentSummary{}, false
}

func (c *recentSummaries) clear() {
	c.mu.Lock()
	c.items, c.head, c.n, c.bytes = nil, 0, 0, 0
	c.mu.Unlock()
}
