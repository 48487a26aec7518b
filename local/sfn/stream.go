package sfn

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/sluicehq/sluice/asl/interp"
)

// An execution run inline (inline.go) keeps no history events: its history sink borrows them
// (interp.BorrowingSink), and each event is encoded, as it is recorded, into the text the history blob
// holds for it (eventStream). The engine then records events with details it overwrites and payload texts
// it reuses for its next execution, instead of allocating them, and saving the execution copies the
// events' text instead of encoding them. What is needed of the events afterwards is kept apart: their
// number, and the output of the ExecutionSucceeded event, copied. A view of the execution while it is in
// memory (GetExecutionHistory, a redrive of one the history store refused) decodes the text.

// eventStream is an execution's history events, encoded as appendBlobText writes them.
type eventStream struct {
	w         blobWriter // w.dst: the events, separated by commas, without the brackets
	n         int        // events
	output    string     // the ExecutionSucceeded event's output (hasOutput), owned
	hasOutput bool
	err       error // the first event that could not be encoded: the execution cannot be saved
}

// eventStreams are reused, each kept up to maxKeptBlobBuffer bytes.
var eventStreams = sync.Pool{New: func() any { return new(eventStream) }}

func newEventStream() *eventStream {
	st := eventStreams.Get().(*eventStream)
	st.w = blobWriter{dst: st.w.dst[:0], lastCopy: st.w.lastCopy[:0], copyLast: true}
	return st
}

// recycle gives st back for another execution; nothing may use it afterwards.
func (st *eventStream) recycle() {
	if cap(st.w.dst) > maxKeptBlobBuffer || cap(st.w.lastCopy) > maxKeptBlobBuffer {
		return
	}
	*st = eventStream{w: blobWriter{dst: st.w.dst[:0], lastCopy: st.w.lastCopy[:0]}}
	eventStreams.Put(st)
}

// record encodes ev, reading it only during the call (the engine may change it, and the texts it
// points to, once the call returns).
func (st *eventStream) record(ev *interp.HistoryEvent) {
	st.n++
	if st.err != nil {
		return
	}
	mark := len(st.w.dst)
	if st.n > 1 {
		st.w.dst = append(st.w.dst, ',')
	}
	if err := st.w.event(ev); err != nil {
		st.w.dst = st.w.dst[:mark]
		st.err = err
	}
	if d := ev.ExecutionSucceededEventDetails; d != nil && !d.OutputDetails.Truncated {
		st.output, st.hasOutput = strings.Clone(d.Output), true
	}
}

// events decodes the events recorded so far.
func (st *eventStream) events() ([]interp.HistoryEvent, error) {
	if st.err != nil {
		return nil, fmt.Errorf("encode history: %w", st.err)
	}
	text := make([]byte, 0, len(st.w.dst)+2)
	text = append(append(append(text, '['), st.w.dst...), ']')
	var evs []interp.HistoryEvent
	if err := json.Unmarshal(text, &evs); err != nil {
		return nil, fmt.Errorf("decode history: %w", err)
	}
	return evs, nil
}
