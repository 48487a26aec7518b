// Package gcheadroom tunes the garbage collector of a process that serves the local stack (sluice up,
// sluice run, and the end-to-end benchmarks, which measure the stack as those commands run it).
package gcheadroom

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The local stack keeps little live (a few MiB: finished executions are on disk) and allocates a lot per
// request (a Step Functions execution's payloads, an HTTP request's headers): with the garbage collector's
// default (GOGC=100: collect once the heap has doubled), it collected every few MiB allocated, about every
// 150 executions of a 20-state machine, and spent a fifth of the server's CPU doing it. gcHeadroom lets
// the heap grow by at least a fixed number of bytes beyond what the last collection found live before the
// next one (GOGC raised for a small live heap, left at 100 for a large one), so memory stays bounded by
// the live heap plus that headroom, or twice the live heap, whichever is more.
// https://go.dev/doc/gc-guide#GOGC

// DefaultMiB is the headroom of sluice up and sluice run unless told otherwise (--gc-headroom). A
// pipeline burst keeps 20-50 MiB live (a thousand executions in flight, their Lambda instances and S3
// requests): 32 MiB of headroom barely spaced its collections (40 to 28 in BenchmarkPipelineUnreserved),
// 128 MiB cut them to 9 and the burst's CPU per object by about 9% against 32 and 15% against Go's
// default (median of five alternated runs: 4.24, 4.64 and 4.98 ms; go test -bench PipelineUnreserved
// ./test/e2e -e2e.gc-headroom N). The price is up to that much more RSS while the stack is busy.
const DefaultMiB = 128

// minHeapGoal is the runtime's smallest heap goal at GOGC=100 (4 MiB, scaled by GOGC/100): GOGC is held
// below headroom/minHeapGoal*100, so that the goal of a near-empty heap is not more than the headroom.
const minHeapGoal = 4 << 20

// gcHeadroom tunes GOGC after every collection (see above).
type gcHeadroom struct {
	headroom uint64
	mu       sync.Mutex
	stopped  bool
	percent  int
	sample   []metrics.Sample
}

// gcSentinel is an object nothing refers to, whose cleanup runs after the collection that finds it.
type gcSentinel struct{ _ [32]byte }

// Start tunes the garbage collector to headroom bytes, unless GOGC is set in the environment
// (the user's choice stands) or headroom is 0; stop puts GOGC back as it was.
func Start(headroom uint64) (stop func()) {
	if headroom == 0 || os.Getenv("GOGC") != "" {
		return func() {}
	}
	h := &gcHeadroom{headroom: headroom, sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	before := debug.SetGCPercent(100)
	h.percent = 100
	h.adjust()
	h.arm()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.stopped = true
		debug.SetGCPercent(before)
	}
}

// arm has adjust run after the next collection, and arm again, until stopped.
func (h *gcHeadroom) arm() {
	runtime.AddCleanup(new(gcSentinel), func(h *gcHeadroom) {
		if h.adjust() {
			h.arm()
		}
	}, h)
}

// adjust sets GOGC for the live heap the last collection found; false once stopped.
func (h *gcHeadroom) adjust() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return false
	}
	metrics.Read(h.sample)
	var live uint64
	if h.sample[0].Value.Kind() == metrics.KindUint64 {
		live = h.sample[0].Value.Uint64()
	}
	p := percentFor(live, h.headroom)
	if p != h.percent {
		debug.SetGCPercent(p)
		h.percent = p
	}
	return true
}

// percentFor is the GOGC that lets a heap of live bytes grow by headroom bytes before the next
// collection: at least 100, and at most what keeps the runtime's smallest goal within the headroom.
// It moves in steps of 25, so that a live heap that varies a little does not change it every time.
func percentFor(live, headroom uint64) int {
	most := max(100, int(headroom*100/minHeapGoal))
	if live == 0 {
		return most
	}
	p := int(headroom * 100 / live)
	p -= p % 25
	return min(max(p, 100), most)
}
