package events

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
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

// journalAdd records new pending deliveries; s.mu is held.
func (s *Service) journalAdd(ps []*pending) {
	if s.journal == nil || len(ps) == 0 {
		return
	}
	items := make([]QueuedDelivery, len(ps))
	for i, p := range ps {
		items[i] = p.record()
	}
	if err := s.journal.Add(items); err != nil {
		s.storeErr = err
	}
}

// journalDone records a finished delivery.
func (s *Service) journalDone(p *pending) {
	if s.journal == nil {
		return
	}
	if err := s.journal.Done([]string{p.id}); err != nil {
		s.mu.Lock()
		s.storeErr = err
		s.mu.Unlock()
	}
}

// nextPendingID names a pending delivery uniquely within the process and
// across restarts (the prefix is the start time); s.mu is held.
func (s *Service) nextPendingID() string {
	s.pendingSeq++
	return s.epoch + "-" + strconv.FormatInt(s.pendingSeq, 10)
}

// FileQueue is a Queue kept in an append-only JSON-lines journal. Records
// are written without fsync: they survive the process being killed, not the
// machine losing power. The journal is compacted when it is loaded and when
// finished records dominate it.
type FileQueue struct {
	path string

	mu      sync.Mutex
	f       *os.File
	open    map[string][]byte // id -> its "add" line, for compaction
	written int               // lines in the file
}

// NewFileQueue returns a FileQueue journaling to path.
func NewFileQueue(path string) *FileQueue {
	return &FileQueue{path: path, open: map[string][]byte{}}
}

var _ Queue = (*FileQueue)(nil)

type journalLine struct {
	Add  *QueuedDelivery `json:",omitempty"`
	Done string          `json:",omitempty"`
}

// Load replays the journal and rewrites it with only the unfinished
// deliveries.
func (q *FileQueue) Load() ([]QueuedDelivery, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	f, err := os.Open(q.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("open delivery journal: %w", err)
	}
	var order []string
	items := map[string]QueuedDelivery{}
	if f != nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			var l journalLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				break // a torn last line from a crash: the rest is lost
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
		}
		f.Close()
	}
	var out []QueuedDelivery
	for _, id := range order {
		if it, ok := items[id]; ok {
			out = append(out, it)
		}
	}
	q.open = map[string][]byte{}
	for _, it := range out {
		line, err := json.Marshal(journalLine{Add: &it})
		if err != nil {
			return nil, fmt.Errorf("encode delivery journal: %w", err)
		}
		q.open[it.ID] = line
	}
	if err := q.rewriteLocked(); err != nil {
		return nil, err
	}
	return out, nil
}

// Add appends the deliveries.
func (q *FileQueue) Add(items []QueuedDelivery) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var buf bytes.Buffer
	for i := range items {
		line, err := json.Marshal(journalLine{Add: &items[i]})
		if err != nil {
			return fmt.Errorf("encode delivery journal: %w", err)
		}
		q.open[items[i].ID] = line
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return q.appendLocked(buf.Bytes(), len(items))
}

// Done appends completion records, compacting when most lines are finished.
func (q *FileQueue) Done(ids []string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var buf bytes.Buffer
	for _, id := range ids {
		delete(q.open, id)
		line, _ := json.Marshal(journalLine{Done: id})
		buf.Write(line)
		buf.WriteByte('\n')
	}
	if err := q.appendLocked(buf.Bytes(), len(ids)); err != nil {
		return err
	}
	if q.written > 4096 && q.written > 4*len(q.open) {
		return q.rewriteLocked()
	}
	return nil
}

func (q *FileQueue) appendLocked(b []byte, lines int) error {
	if q.f == nil {
		f, err := os.OpenFile(q.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("open delivery journal: %w", err)
		}
		q.f = f
	}
	if _, err := q.f.Write(b); err != nil {
		return fmt.Errorf("append delivery journal: %w", err)
	}
	q.written += lines
	return nil
}

// rewriteLocked replaces the journal with the open deliveries only.
func (q *FileQueue) rewriteLocked() error {
	if q.f != nil {
		q.f.Close()
		q.f = nil
	}
	var buf bytes.Buffer
	for _, line := range q.open {
		buf.Write(line)
		buf.WriteByte('\n')
	}
	tmp := q.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("compact delivery journal: %w", err)
	}
	if err := os.Rename(tmp, q.path); err != nil {
		return fmt.Errorf("compact delivery journal: %w", err)
	}
	q.written = len(q.open)
	return nil
}

// Close closes the journal file.
func (q *FileQueue) Close() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.f == nil {
		return nil
	}
	err := q.f.Close()
	q.f = nil
	return err
}
