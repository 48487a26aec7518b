package logs

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
	"unsafe"
)

// Limits of PutLogEvents, https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html:
// the batch size is the sum of the messages' UTF-8 bytes plus 26 bytes per event.
const (
	maxBatchBytes    = 1048576
	eventOverhead    = 26
	maxBatchEvents   = 10000
	maxBatchSpan     = 24 * time.Hour
	maxFutureSkew    = 2 * time.Hour
	maxPastAge       = 14 * 24 * time.Hour
	sequenceTokenLen = 56
)

// wireEvent is an InputLogEvent.
type wireEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

type rejectedInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

func (s *Service) putLogEvents(ctx context.Context, body []byte) (any, error) {
	var in struct {
		LogGroupName  string      `json:"logGroupName"`
		LogStreamName string      `json:"logStreamName"`
		LogEvents     []wireEvent `json:"logEvents"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := checkGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if err := checkStreamName(in.LogStreamName); err != nil {
		return nil, err
	}
	if len(in.LogEvents) == 0 {
		return nil, validationErrorf("Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(in.LogEvents) > maxBatchEvents {
		return nil, validationErrorf("Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to %d", maxBatchEvents)
	}
	size := 0
	for i, e := range in.LogEvents {
		if e.Message == "" {
			return nil, validationErrorf("Value '' at 'logEvents.%d.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1", i+1)
		}
		if e.Timestamp < 0 {
			return nil, validationErrorf("Value '%d' at 'logEvents.%d.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0", e.Timestamp, i+1)
		}
		if i > 0 && e.Timestamp < in.LogEvents[i-1].Timestamp {
			return nil, apiErrorf(CodeInvalidParameter, "Log events in a single PutLogEvents request must be in chronological order.")
		}
		size += len(e.Message) + eventOverhead
	}
	if size > maxBatchBytes {
		return nil, apiErrorf(CodeInvalidParameter, "Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if time.Duration(in.LogEvents[len(in.LogEvents)-1].Timestamp-in.LogEvents[0].Timestamp)*time.Millisecond > maxBatchSpan {
		return nil, apiErrorf(CodeInvalidParameter, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	p := &pendingPut{ctx: ctx, group: in.LogGroupName, stream: in.LogStreamName, evs: in.LogEvents}
	if err := s.commit(p); err != nil {
		return nil, err
	}
	out := struct {
		NextSequenceToken     string        `json:"nextSequenceToken,omitempty"`
		RejectedLogEventsInfo *rejectedInfo `json:"rejectedLogEventsInfo,omitempty"`
	}{RejectedLogEventsInfo: p.info}
	if p.last != nil {
		out.NextSequenceToken = fmt.Sprintf("%0*d", sequenceTokenLen, p.last.seq)
	}
	return out, nil
}

// admit drops the events PutLogEvents rejects without failing: more than 2 hours in the future, more than
// 14 days old, or older than the group's retention. Events are in chronological order, so the rejected
// ones are a prefix and a suffix.
func (s *Service) admit(g *group, evs []wireEvent) ([]wireEvent, *rejectedInfo) {
	now := s.now()
	tooNew := now.Add(maxFutureSkew).UnixMilli()
	tooOld := now.Add(-maxPastAge).UnixMilli()
	expired := int64(-1)
	if g.retention > 0 {
		expired = now.Add(-time.Duration(g.retention) * 24 * time.Hour).UnixMilli()
	}
	var info rejectedInfo
	lo, hi := 0, len(evs)
	for i, e := range evs {
		if e.Timestamp < expired {
			idx := i
			info.ExpiredLogEventEndIndex, lo = &idx, i+1
		} else if e.Timestamp < tooOld {
			idx := i
			info.TooOldLogEventEndIndex, lo = &idx, i+1
		}
	}
	for i := len(evs) - 1; i >= lo; i-- {
		if evs[i].Timestamp > tooNew {
			idx := i
			info.TooNewLogEventStartIndex, hi = &idx, i
		}
	}
	if info == (rejectedInfo{}) {
		return evs, nil
	}
	return evs[lo:hi], &info
}

// Put appends events to a stream of a group, creating the stream when it does not exist (as Lambda and
// Step Functions do for their own streams). Events are sorted by time and split into batches within
// PutLogEvents' limits; events PutLogEvents would reject for their age are dropped. It returns once the
// events are durable (commit.go: concurrent calls share a segment write and a journal append).
func (s *Service) Put(ctx context.Context, groupName, streamName string, events []Event) error {
	if err := checkStreamName(streamName); err != nil {
		return err
	}
	evs := make([]wireEvent, 0, len(events))
	for _, e := range events {
		if e.Message == "" {
			continue
		}
		evs = append(evs, wireEvent{Timestamp: max(e.Timestamp.UnixMilli(), 0), Message: e.Message})
	}
	return s.put(ctx, groupName, streamName, evs)
}

// LentEvent is a log event whose message is lent to PutLent for the call.
type LentEvent struct {
	Timestamp time.Time
	Message   []byte
}

// PutLent is Put for events whose messages are lent: it reads their bytes only until it returns, and never
// writes them, so the caller may reuse them after. The events are copied once, as they are written into
// the segment (or, without a data directory, into the batch's bytes in memory), as Put's are; Put's events
// given as strings are often copied out of a buffer first (Step Functions' execution log records are).
func (s *Service) PutLent(ctx context.Context, groupName, streamName string, events []LentEvent) error {
	if err := checkStreamName(streamName); err != nil {
		return err
	}
	evs := make([]wireEvent, 0, len(events))
	for _, e := range events {
		if len(e.Message) == 0 {
			continue
		}
		evs = append(evs, wireEvent{Timestamp: max(e.Timestamp.UnixMilli(), 0), Message: lentString(e.Message)})
	}
	return s.put(ctx, groupName, streamName, evs)
}

// lentString is b's bytes as a string without a copy, for PutLent's events: such a string is read only
// while the commit that takes it runs (put returns only after it has ended), by the segment write or
// encodeEvents that copy it, by the batch limits that measure it and by a substring that cuts it to a
// batch's size; no wireEvent's message outlives the commit (commitLocked clears its batches' events, commit
// its queue), so none is read after PutLent returns and the caller writes the bytes again.
func lentString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// put commits a stream's events, created when missing.
func (s *Service) put(ctx context.Context, groupName, streamName string, evs []wireEvent) error {
	// Events mostly come in order (a Lambda invocation's lines, an execution's records): sorting them then
	// is a check. The sort is stable, so that events of one millisecond keep their order.
	if byTime := func(a, b wireEvent) int { return cmp.Compare(a.Timestamp, b.Timestamp) }; !slices.IsSortedFunc(evs, byTime) {
		slices.SortStableFunc(evs, byTime)
	}
	return s.commit(&pendingPut{ctx: ctx, group: groupName, stream: streamName, create: true, evs: evs})
}

// applyBatch adds a batch to its stream and group; the caller holds s.mu.
func (s *Service) applyBatch(b *batch) {
	st := b.stream
	if b.seq > s.seq {
		s.seq = b.seq
	}
	st.batches = insertBatch(st.batches, b)
	st.group.batches = insertBatch(st.group.batches, b)
	if st.first == 0 || b.minTs < st.first {
		st.first = b.minTs
	}
	st.last = max(st.last, b.maxTs)
	st.lastIngest = max(st.lastIngest, b.ingest)
	st.stored += b.size
}
