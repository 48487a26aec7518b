package logs

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// group is a log group.
type group struct {
	name      string
	created   int64 // epoch milliseconds
	retention int   // days; 0 keeps events forever
	streams   map[string]*stream
	batches   []*batch // every stream's batches, by minTs
}

// stream is a log stream.
type stream struct {
	group       *group
	name        string
	created     int64
	first, last int64 // event timestamps, 0 when none
	lastIngest  int64
	stored      int64
	batches     []*batch // by minTs
}

// batch is one PutLogEvents call's accepted events: where its bytes are and what time they span. The
// events themselves stay on disk (or in data without a data directory); only this index is in memory.
type batch struct {
	seq          uint64 // ingestion order, unique across the service
	stream       *stream
	minTs, maxTs int64
	ingest       int64
	count        int
	size         int64 // message bytes
	data         []byte
	seg          uint64 // segment file, with off and n, when data is nil
	off          int64
	n            int64
	crc          uint32
}

// Event is one log event as the Go API takes it.
type Event struct {
	Timestamp time.Time
	Message   string
}

// event is a decoded stored event.
type event struct {
	key     key
	ingest  int64
	message string
	stream  *stream
}

// key orders events: by timestamp, then ingestion (batch sequence, index in the batch).
type key struct {
	ts  int64
	seq uint64
	idx uint32
}

func (a key) less(b key) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return a.idx < b.idx
}

// String is the key as digits, for tokens and event ids.
func (a key) String() string { return fmt.Sprintf("%013d%020d%06d", a.ts, a.seq, a.idx) }

func parseKey(s string) (key, bool) {
	if len(s) != 39 {
		return key{}, false
	}
	var k key
	var ts, seq, idx uint64
	for i, r := range s {
		if r < '0' || r > '9' {
			return key{}, false
		}
		d := uint64(r - '0')
		switch {
		case i < 13:
			ts = ts*10 + d
		case i < 33:
			seq = seq*10 + d
		default:
			idx = idx*10 + d
		}
	}
	if idx > 1<<31 || ts > 1<<62 {
		return key{}, false
	}
	k.ts, k.seq, k.idx = int64(ts), seq, uint32(idx)
	return k, true
}

// encodeEvents is a batch's on-disk form: per event, uvarint timestamp, uvarint length, message.
func encodeEvents(evs []wireEvent) []byte { return appendEvents(nil, evs) }

// appendEvents appends the batch bytes of evs to b.
func appendEvents(b []byte, evs []wireEvent) []byte {
	n := 0
	for _, e := range evs {
		n += 2*binary.MaxVarintLen64 + len(e.Message)
	}
	b = slices.Grow(b, n)
	for _, e := range evs {
		b = binary.AppendUvarint(b, uint64(e.Timestamp))
		b = binary.AppendUvarint(b, uint64(len(e.Message)))
		b = append(b, e.Message...)
	}
	return b
}

var errCorrupt = errors.New("corrupt batch")

// decodeEvents calls fn for each event of a batch's bytes.
func decodeEvents(b []byte, fn func(i int, ts int64, msg string)) error {
	for i := 0; len(b) > 0; i++ {
		ts, n := binary.Uvarint(b)
		if n <= 0 {
			return errCorrupt
		}
		b = b[n:]
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return errCorrupt
		}
		fn(i, int64(ts), string(b[n:n+int(l)]))
		b = b[n+int(l):]
	}
	return nil
}

// insertBatch keeps list ordered by minTs (then seq); batches mostly arrive in order.
func insertBatch(list []*batch, b *batch) []*batch {
	i := len(list)
	for i > 0 && (list[i-1].minTs > b.minTs || list[i-1].minTs == b.minTs && list[i-1].seq > b.seq) {
		i--
	}
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = b
	return list
}

func removeBatches(list []*batch, drop func(*batch) bool) []*batch {
	out := list[:0]
	for _, b := range list {
		if !drop(b) {
			out = append(out, b)
		}
	}
	clear(list[len(out):])
	return out
}

// scan is one read: a time range, a lower bound, and which events qualify.
type scan struct {
	start, end int64 // inclusive bounds on the timestamp
	after      *key  // exclusive lower bound
	keep       func(*event) bool
}

// eventHeap orders decoded events by key.
type eventHeap []event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].key.less(h[j].key) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// merge calls emit for the events of batches (ordered by minTs) that sc selects, in key order, until emit
// returns false. Memory holds only the batches whose time ranges overlap the current position.
func merge(batches []*batch, read func(*batch) ([]byte, error), sc scan, emit func(event) bool) error {
	h := &eventHeap{}
	i := 0
	for {
		for i < len(batches) && (h.Len() == 0 || batches[i].minTs <= (*h)[0].key.ts) {
			b := batches[i]
			i++
			if b.maxTs < sc.start || b.minTs > sc.end || sc.after != nil && b.maxTs < sc.after.ts {
				continue
			}
			data, err := read(b)
			if err != nil {
				return err
			}
			err = decodeEvents(data, func(idx int, ts int64, msg string) {
				e := event{key: key{ts, b.seq, uint32(idx)}, ingest: b.ingest, message: msg, stream: b.stream}
				if ts < sc.start || ts > sc.end || sc.after != nil && !sc.after.less(e.key) {
					return
				}
				if sc.keep != nil && !sc.keep(&e) {
					return
				}
				heap.Push(h, e)
			})
			if err != nil {
				return fmt.Errorf("batch %d: %w", b.seq, err)
			}
		}
		if h.Len() == 0 {
			return nil
		}
		if !emit(heap.Pop(h).(event)) {
			return nil
		}
	}
}

// sortedNames returns a map's keys, sorted.
func sortedNames[T any](m map[string]T) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
