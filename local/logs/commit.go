package logs

import (
	"context"
	"time"
)

// Group commit. Every change of events (Put, PutLogEvents) goes through commit: the caller queues its
// events and takes writeMu. Whoever takes writeMu with its own request still queued commits the whole
// queue: each request's stream looked up (or created, for Put), its events admitted and cut into batches
// as before, then every batch written with one segment write and one journal append (one frame, all or
// nothing) for as many batches as fit in the current segment. A request finds its answer when it takes
// writeMu in turn: the writer that committed it released writeMu only after the journal append returned,
// so success is answered only once the request's own batches are durable, and a failed write fails the
// requests whose batches it carried (and those queued after them in the same commit), none of whose
// batches is then in the index. Callers that arrive while a commit is being written queue for the next
// one, so under concurrent callers (a burst of executions and invocations logging at once) a segment
// write and a journal append serve many requests instead of one each.

// pendingPut is a Put or PutLogEvents waiting in the commit queue.
type pendingPut struct {
	ctx           context.Context
	group, stream string
	create        bool // Put: the stream is created when missing, and events are cut into batches
	evs           []wireEvent

	// Set by the commit, under writeMu.
	done    bool
	err     error
	info    *rejectedInfo // PutLogEvents: the events rejected for their age
	last    *batch        // the request's last batch written, nil when none was
	batches int           // the request's batches in this commit
}

// commit queues p and returns once it is committed (durable) or failed.
func (s *Service) commit(p *pendingPut) error {
	s.queueMu.Lock()
	s.queue = append(s.queue, p)
	s.queueMu.Unlock()
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if p.done {
		return p.err
	}
	s.queueMu.Lock()
	q := s.queue
	s.queue = s.spare[:0]
	s.spare = nil
	s.queueMu.Unlock()
	s.commitLocked(q)
	clear(q)
	s.queueMu.Lock()
	if s.spare == nil && cap(q) <= maxKeptQueue {
		s.spare = q[:0]
	}
	s.queueMu.Unlock()
	return p.err
}

// maxKeptQueue bounds the queue slice kept for the next commit.
const maxKeptQueue = 4096

// commitLocked commits the queued requests q; the caller holds writeMu.
func (s *Service) commitLocked(q []*pendingPut) {
	s.batches, s.owners, s.batchEvents = s.batches[:0], s.owners[:0], s.batchEvents[:0]
	seq := s.seq
	add := func(p *pendingPut, st *stream, evs []wireEvent) {
		seq++
		b := &batch{seq: seq, stream: st, minTs: evs[0].Timestamp, maxTs: evs[len(evs)-1].Timestamp,
			ingest: s.nowMillis(), count: len(evs)}
		for _, e := range evs {
			b.size += int64(len(e.Message))
		}
		s.batches, s.owners, s.batchEvents = append(s.batches, b), append(s.owners, p), append(s.batchEvents, evs)
		p.batches++
	}
	for _, p := range q {
		p.done = true
		if err := p.ctx.Err(); err != nil {
			p.err = err
			continue
		}
		st, err := s.streamFor(p)
		if err != nil {
			p.err = err
			continue
		}
		if !p.create {
			accepted, info := s.admit(st.group, p.evs)
			p.info = info
			if len(accepted) > 0 {
				add(p, st, accepted)
			}
			continue
		}
		evs := p.evs
		for len(evs) > 0 {
			n, size := 0, 0
			for n < len(evs) && n < maxBatchEvents && size+len(evs[n].Message)+eventOverhead <= maxBatchBytes &&
				time.Duration(evs[n].Timestamp-evs[0].Timestamp)*time.Millisecond <= maxBatchSpan {
				size += len(evs[n].Message) + eventOverhead
				n++
			}
			if n == 0 { // one message larger than a batch: cut it to fit
				evs[0].Message = evs[0].Message[:maxBatchBytes-eventOverhead]
				continue
			}
			if accepted, _ := s.admit(st.group, evs[:n]); len(accepted) > 0 {
				add(p, st, accepted)
			}
			evs = evs[n:]
		}
	}
	if len(s.batches) == 0 {
		return
	}
	durable := len(s.batches)
	var err error
	if s.disk != nil {
		// The requests' contexts were checked above; one caller's cancellation does not fail the others'.
		durable, err = s.disk.writeBatches(context.Background(), s.batches, s.batchEvents)
	} else {
		for i, b := range s.batches {
			b.data = encodeEvents(s.batchEvents[i])
		}
	}
	if durable > 0 {
		s.mu.Lock()
		for _, b := range s.batches[:durable] {
			s.applyBatch(b)
		}
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
	}
	for i, p := range s.owners {
		if i < durable {
			p.last = s.batches[i]
			continue
		}
		// A request none or only some of whose batches are durable fails (as a Put whose second batch
		// failed did before: its first stays).
		p.err = err
	}
	clear(s.batches)
	clear(s.owners)
	clear(s.batchEvents)
}

// streamFor returns the stream p writes to: created when missing for Put, ResourceNotFound for
// PutLogEvents. The caller holds writeMu.
func (s *Service) streamFor(p *pendingPut) (*stream, error) {
	if p.create {
		st, _, err := s.ensureStreamLocked(p.ctx, p.group, p.stream)
		return st, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.lookupGroup(p.group)
	if err != nil {
		return nil, err
	}
	st := g.streams[p.stream]
	if st == nil {
		return nil, errStreamNotFound
	}
	return st, nil
}
