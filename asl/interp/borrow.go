package interp

import "unsafe"

// A BorrowingSink is a HistorySink that keeps nothing of an event once
// Record has returned: no string of it (payloads, names, errors), no
// pointer to its details, nothing that refers into either. It reads the
// event during Record (counts it, encodes it into bytes of its own, copies
// what it keeps) and lets go.
//
// For such a sink, when BorrowsEvents reports true, the interpreter hands
// over events whose details it overwrites with the thread's next event of
// the same kind, and, for an execution run by Run or RunExecution whose
// program never waits (only Pass, Choice, Succeed, Fail and inline
// Parallel and Map states of those), payload texts that live in a buffer
// the interpreter reuses for a later execution. A sink that kept any of it
// would see it change under it. Every other sink (HistoryLog among them)
// gets events it owns: nothing in them is ever written again.
//
// The interpreter asks once per execution, when it starts.
type BorrowingSink interface {
	HistorySink
	// BorrowsEvents reports whether the sink keeps nothing of an event past
	// Record, as above.
	BorrowsEvents() bool
}

// borrows reports whether sink is a BorrowingSink that borrows.
func borrows(sink HistorySink) bool {
	b, ok := sink.(BorrowingSink)
	return ok && b.BorrowsEvents()
}

// textArena holds the payload texts of one execution's events for a sink
// that borrows them: texts are copied into chunks the arena allocates and
// hands out as strings that alias the chunks, instead of one allocation
// each. Nothing in a chunk is written twice within an execution, so a text
// stays what it was for as long as the execution runs, and the
// interpreter's own uses of a text (the next state's input, a spliced
// output, the remembered text of an object) are as safe as with an owned
// string; only reset, once the execution has ended, lets the next
// execution write over them.
//
// This file is the only place that makes a string alias bytes that are
// written again later (unsafe.String). The rules that make it safe:
//   - only threads that run on the goroutine of Run or RunExecution use an
//     arena (an instant program's top level and its inline fan-outs: see
//     RunExecution), so the execution has ended, and nothing of it runs,
//     when reset is called;
//   - a text from the arena goes only into history events (for a sink that
//     promised to keep none of it) and into the thread's own bookkeeping
//     (the next state's input text, the remembered text of an object),
//     which the next execution starts without (thread.init);
//   - anything else that takes a text (a task's payload, an activity's
//     input, a child execution's input) asks thread.text, which copies a
//     text the arena holds (see holds) before handing it out.
//
// The arena is bounded: once its chunks reach maxArena, texts are owned
// strings again, so an execution that loops over large payloads keeps no
// more than maxArena alive beyond what it would have anyway.
type textArena struct {
	chunk []byte   // the chunk texts are copied into, up to its capacity
	full  [][]byte // chunks of this execution that ran out of room
	size  int      // the capacity of chunk and of every chunk in full
}

// Chunk sizes: the first chunk fits a typical short execution's texts
// (chain20's are about 4 KB), the next ones double.
const (
	firstArenaChunk = 4 << 10
	maxArena        = 64 << 10
)

// text returns b's text, aliasing the arena when there is room, else an
// owned copy.
func (a *textArena) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.chunk)-len(a.chunk) < len(b) && !a.grow(len(b)) {
		return string(b)
	}
	off := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return unsafe.String(&a.chunk[off], len(b))
}

// grow starts a new chunk with room for n bytes, if the arena may grow by
// it; the chunk that ran out stays as it is, its texts alive.
func (a *textArena) grow(n int) bool {
	next := max(2*cap(a.chunk), firstArenaChunk)
	for next < n {
		next *= 2
	}
	if a.size+next > maxArena {
		return false
	}
	if a.chunk != nil {
		a.full = append(a.full, a.chunk)
	}
	a.chunk = make([]byte, 0, next)
	a.size += next
	return true
}

// holds reports whether s aliases one of the arena's chunks.
func (a *textArena) holds(s string) bool {
	if a == nil || len(s) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	in := func(c []byte) bool {
		if cap(c) == 0 {
			return false
		}
		base := uintptr(unsafe.Pointer(unsafe.SliceData(c)))
		return p >= base && p < base+uintptr(cap(c))
	}
	if in(a.chunk) {
		return true
	}
	for _, c := range a.full {
		if in(c) {
			return true
		}
	}
	return false
}

// reset makes the arena's room available to the next execution: it keeps
// its last (largest) chunk, emptied, and lets the others go. Only for an
// execution that has ended, whose sink borrowed its events.
func (a *textArena) reset() {
	clear(a.full)
	a.full = a.full[:0]
	a.chunk = a.chunk[:0]
	a.size = cap(a.chunk)
}
