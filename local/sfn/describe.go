package sfn

// DescribeExecution is what clients poll until an execution ends, and for an execution that has ended it
// needs far less than its stored blob holds: the execution's record and end, and, for the redrive status,
// how many events the history has and whether it kept a redrive point. Decoding only those skips
// building every history event and the redrive snapshot, most of the work of reading a blob.

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
		v.counts = &eventCounts{events: len(e.events), redrive: e.point != nil}
		e.mu.Unlock()
		return v, nil
	}
	machineArn, name, ok := s.splitExecutionArn(arn)
	var f finished
	if ok {
		f, ok = s.history.lookup(machineArn, name)
	}
	if !ok { // gone since the first look (its machine deleted)
		return s.view(arn, true)
	}
	b, counts, err := s.history.summary(f)
	if err != nil {
		s.logger.Error("step functions: closed execution unreadable", "execution", arn, "err", err)
		return execView{}, err
	}
	v.rec, v.end, v.counts = b.Execution, b.End, &counts
	return v, nil
}
