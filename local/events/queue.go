package events

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// Queue persists deliveries that are queued and not yet finished (delivered
// or dead-lettered), so that they survive a restart. Delivery is
// at-least-once: a delivery that succeeded just before a crash, but was not
// yet marked done, is made again.
type Queue interface {
	// Add records deliveries just queued.
	Add(items []QueuedDelivery) error
	// Done records deliveries that finished.
	Done(ids []string) error
	// Load returns the deliveries that were added and never done.
	Load() ([]QueuedDelivery, error)
}

// WithQueue persists queued deliveries; New loads the unfinished ones and
// queues them again, due at once, with a fresh retry budget.
func WithQueue(q Queue) Option { return func(s *Service) { s.journal = q } }

// QueuedDelivery is a queued delivery as a Queue stores it.
type QueuedDelivery struct {
	ID            string
	RuleARN       string
	RuleName      string
	TargetID      string
	TargetARN     string
	RoleARN       string `json:",omitempty"`
	DeadLetterARN string `json:",omitempty"`
	RetryPolicy   RetryPolicy
	Input         json.RawMessage
	Event         json.RawMessage
	Ingested      time.Time
}

// RetryPolicy is a target's retry policy.
type RetryPolicy struct {
	MaximumRetryAttempts     int64
	MaximumEventAgeInSeconds int64
}

func (p *pending) record() QueuedDelivery {
	return QueuedDelivery{ID: p.id, RuleARN: p.ruleARN, RuleName: p.ruleName, TargetID: p.t.ID, TargetARN: p.t.Arn,
		RoleARN: p.t.RoleArn, DeadLetterARN: p.t.DeadLetterArn, RetryPolicy: RetryPolicy(p.t.RetryPolicy),
		Input: p.input, Event: p.ev.raw, Ingested: p.ev.ingested}
}

func fromRecord(q QueuedDelivery, now time.Time) (*pending, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(q.Event))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("queued delivery %s: %w", q.ID, err)
	}
	id, _ := doc["id"].(string)
	t := &target{ID: q.TargetID, Arn: q.TargetARN, RoleArn: q.RoleARN, DeadLetterArn: q.DeadLetterARN,
		RetryPolicy: retryPolicy(q.RetryPolicy)}
	ev := &routed{raw: q.Event, doc: doc, id: id, ingested: now}
	return &pending{id: q.ID, ruleARN: q.RuleARN, ruleName: q.RuleName, t: t, ev: ev, input: q.Input, due: now}, nil
}

// journalAdd records new pending deliveries before they are queued: an error means they
// are not on disk, and the caller must not queue them (and records it for StoreErr).
func (s *Service) journalAdd(ps []*pending) error {
	if s.journal == nil || len(ps) == 0 {
		return nil
	}
	items := make([]QueuedDelivery, len(ps))
	for i, p := range ps {
		items[i] = p.record()
	}
	if err := s.journal.Add(items); err != nil {
		s.log.Error("events: queue deliveries failed; they are refused", "deliveries", len(ps), "err", err)
		return err
	}
	return nil
}

// journalDone records a finished delivery. A failure is logged and kept for StoreErr: the
// delivery is made again after a restart (delivery is at-least-once).
func (s *Service) journalDone(p *pending) {
	if s.journal == nil {
		return
	}
	if err := s.journal.Done([]string{p.id}); err != nil {
		s.mu.Lock()
		s.storeErr = err
		s.mu.Unlock()
		s.log.Error("events: record a finished delivery failed; it will be made again after a restart", "delivery", p.id, "err", err)
	}
}

// nextPendingID names a pending delivery uniquely within the process and
// across restarts (the prefix is the start time); s.mu is held.
func (s *Service) nextPendingID() string {
	s.pendingSeq++
	return s.epoch + "-" + strconv.FormatInt(s.pendingSeq, 10)
}

// FileQueue is a Queue kept in a durable log (internal/durablelog): each Add and Done is one
// checksummed record, written (and fsynced, when made with sync; otherwise it survives the
// process being killed, not a power loss) before the call returns, all of a call's items
// or none. Opening the log cuts a torn tail and skips, and logs at Error level, a corrupt
// record, keeping every later one. The log is compacted when it is loaded and when finished
// records dominate it.
type FileQueue struct {
	rw sync.RWMutex // Add and Done hold it shared, compaction exclusively

	mu      sync.Mutex
	lg      lazyLog
	open    map[string]openItem // id -> its "add" record
	seq     int64
	written int // records in the log
}

// openItem is an unfinished delivery's record and its place in the queue.
type openItem struct {
	seq int64
	rec []byte
}

// NewFileQueue returns a FileQueue keeping its log at path; with sync, records are fsynced
// (concurrent calls share an fsync). log receives what opening the log recovers (nil:
// slog.Default()).
func NewFileQueue(path string, sync bool, log *slog.Logger) *FileQueue {
	policy := durablelog.SyncNone
	if sync {
		policy = durablelog.SyncGroup
	}
	return &FileQueue{lg: newLazyLog(path, policy, log), open: map[string]openItem{}}
}

var _ Queue = (*FileQueue)(nil)

type journalLine struct {
	Add  *QueuedDelivery `json:",omitempty"`
	Done string          `json:",omitempty"`
}

// Load replays the log and rewrites it with only the unfinished deliveries.
func (q *FileQueue) Load() ([]QueuedDelivery, error) {
	q.rw.Lock()
	defer q.rw.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	dl, err := q.lg.get()
	if err != nil {
		return nil, err
	}
	var order []string
	items := map[string]QueuedDelivery{}
	err = dl.Replay(func(rec []byte) error {
		var l journalLine
		if err := json.Unmarshal(rec, &l); err != nil {
			q.lg.log.Error("events: queued delivery record skipped: it does not decode", "err", err)
			return nil
		}
		switch {
		case l.Add != nil:
			if _, dup := items[l.Add.ID]; !dup {
				order = append(order, l.Add.ID)
			}
			items[l.Add.ID] = *l.Add
		case l.Done != "":
			delete(items, l.Done)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read delivery queue: %w", err)
	}
	var out []QueuedDelivery
	q.open = map[string]openItem{}
	for _, id := range order {
		it, ok := items[id]
		if !ok {
			continue
		}
		rec, err := json.Marshal(journalLine{Add: &it})
		if err != nil {
			return nil, fmt.Errorf("encode delivery queue: %w", err)
		}
		q.seq++
		q.open[id] = openItem{q.seq, rec}
		out = append(out, it)
	}
	if err := q.compactLocked(); err != nil {
		return nil, err
	}
	return out, nil
}

// Add appends the deliveries as one record batch and returns once they are durable.
func (q *FileQueue) Add(items []QueuedDelivery) error {
	recs := make([][]byte, len(items))
	for i := range items {
		rec, err := json.Marshal(journalLine{Add: &items[i]})
		if err != nil {
			return fmt.Errorf("encode delivery queue: %w", err)
		}
		recs[i] = rec
	}
	q.rw.RLock()
	defer q.rw.RUnlock()
	q.mu.Lock()
	dl, err := q.lg.get()
	if err != nil {
		q.mu.Unlock()
		return err
	}
	for i := range items {
		q.seq++
		q.open[items[i].ID] = openItem{q.seq, recs[i]}
	}
	q.mu.Unlock()
	err = dl.Append(context.Background(), recs...)
	q.mu.Lock()
	defer q.mu.Unlock()
	if err != nil {
		for i := range items {
			delete(q.open, items[i].ID)
		}
		return fmt.Errorf("append delivery queue: %w", err)
	}
	q.written += len(recs)
	return nil
}

// Done appends completion records, compacting when most records are finished.
func (q *FileQueue) Done(ids []string) error {
	recs := make([][]byte, len(ids))
	for i, id := range ids {
		rec, err := json.Marshal(journalLine{Done: id})
		if err != nil {
			return fmt.Errorf("encode delivery queue: %w", err)
		}
		recs[i] = rec
	}
	q.rw.RLock()
	q.mu.Lock()
	dl, err := q.lg.get()
	if err != nil {
		q.mu.Unlock()
		q.rw.RUnlock()
		return err
	}
	// Gone from memory at once: a compaction drops the delivery even if this record fails.
	for _, id := range ids {
		delete(q.open, id)
	}
	q.mu.Unlock()
	err = dl.Append(context.Background(), recs...)
	q.mu.Lock()
	if err == nil {
		q.written += len(recs)
	}
	overgrown := q.written > 4096 && q.written > 4*len(q.open)
	q.mu.Unlock()
	q.rw.RUnlock()
	if err != nil {
		return fmt.Errorf("append delivery queue: %w", err)
	}
	if overgrown {
		q.rw.Lock()
		defer q.rw.Unlock()
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.lg.closed {
			return nil
		}
		return q.compactLocked()
	}
	return nil
}

// compactLocked rewrites the log with the open deliveries only, in queue order; q.rw is held
// exclusively, so no Add or Done is between registering and appending.
func (q *FileQueue) compactLocked() error {
	open := slices.SortedFunc(maps.Values(q.open), func(a, b openItem) int { return cmp.Compare(a.seq, b.seq) })
	err := q.lg.dl.Compact(context.Background(), func(emit func([]byte) error) error {
		for _, it := range open {
			if err := emit(it.rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compact delivery queue: %w", err)
	}
	q.written = len(q.open)
	return nil
}

// Close closes the log.
func (q *FileQueue) Close() error {
	q.rw.Lock()
	defer q.rw.Unlock()
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.lg.close()
}
