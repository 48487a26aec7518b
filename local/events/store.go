package events

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// Snapshot is the state a Store keeps: the rules with their targets, and the
// dead-letter list. Events queued for delivery are not part of it.
type Snapshot struct {
	Rules       []SavedRule
	DeadLetters []DeadLetter
}

// SavedRule is a rule as stored; Targets hold each target as PutTargets
// received it.
type SavedRule struct {
	Name               string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
	Targets            []json.RawMessage
}

// saveLocked hands the store a snapshot of the state; s.mu is held.
func (s *Service) saveLocked() error {
	if s.store == nil {
		return nil
	}
	snap := &Snapshot{DeadLetters: slices.Clone(s.dead)}
	for _, name := range slices.Sorted(maps.Keys(s.rules)) {
		r := s.rules[name]
		sr := SavedRule{Name: r.Name, EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
			State: r.State, Description: r.Description, RoleArn: r.RoleArn, Targets: []json.RawMessage{}}
		for _, t := range r.targets {
			sr.Targets = append(sr.Targets, t.raw)
		}
		snap.Rules = append(snap.Rules, sr)
	}
	if err := s.store.Save(snap); err != nil {
		s.storeErr = err
		return err
	}
	return nil
}

// savedState is the part of the state a Store keeps, copied so that a change can be undone.
type savedState struct {
	rules map[string]*rule
	dead  []DeadLetter
}

// stateLocked copies the rules (with their target lists) and the dead letters; s.mu is held.
func (s *Service) stateLocked() savedState {
	st := savedState{rules: make(map[string]*rule, len(s.rules)), dead: slices.Clone(s.dead)}
	for name, r := range s.rules {
		c := *r
		c.targets = slices.Clone(r.targets)
		st.rules[name] = &c
	}
	return st
}

// commitLocked applies change to the state and saves it: the call succeeds only once the
// change is durable. When the save fails the change is undone, the failure is logged, and
// the API answers InternalException (500), the error EventBridge documents for a failure on
// its side (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html).
// s.mu is held.
func (s *Service) commitLocked(change func()) *apiError {
	if s.store == nil {
		change()
		return nil
	}
	before := s.stateLocked()
	change()
	if err := s.saveLocked(); err != nil {
		s.rules, s.dead = before.rules, before.dead
		s.log.Error("events: save state failed; the change is undone", "err", err)
		return errStorage()
	}
	return nil
}

// StoreErr returns the error of the last failed write to the Store or the Queue, if any.
func (s *Service) StoreErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.storeErr
}

// restore rebuilds the state from a snapshot, compiling patterns and
// targets as the API does.
func (s *Service) restore(snap *Snapshot) error {
	if snap == nil {
		return nil
	}
	for _, sr := range snap.Rules {
		r := &rule{Name: sr.Name, EventPattern: sr.EventPattern, ScheduleExpression: sr.ScheduleExpression,
			State: sr.State, Description: sr.Description, RoleArn: sr.RoleArn}
		if r.EventPattern != "" {
			p, err := compilePattern(r.EventPattern)
			if err != nil {
				return fmt.Errorf("rule %s: %w", r.Name, err)
			}
			r.pattern = p
		}
		for _, raw := range sr.Targets {
			var in targetIn
			if err := decode(raw, &in); err != nil {
				return fmt.Errorf("rule %s target: %w", r.Name, err)
			}
			if in.Id == nil || in.Arn == nil {
				return fmt.Errorf("rule %s: target without Id or Arn", r.Name)
			}
			t, err := buildTarget(&in, raw)
			if err != nil {
				return fmt.Errorf("rule %s target %s: %w", r.Name, *in.Id, err)
			}
			r.targets = append(r.targets, t)
		}
		s.rules[r.Name] = r
	}
	s.dead = slices.Clone(snap.DeadLetters)
	return nil
}

// FileStore keeps the snapshots in a durable log (internal/durablelog): each Save appends
// the whole snapshot as one checksummed record and returns once it is durable (fsynced, unless
// the store was made without sync: then it survives the process being killed, not a power
// loss). Load returns the latest intact snapshot: a save cut short by a crash is cut off, and
// a corrupt one is skipped and logged at Error level, so a damaged record loses only the
// change it saved. The log is rewritten to the latest snapshot once it holds four times as
// much.
type FileStore struct {
	mu   sync.Mutex
	lg   lazyLog
	last int64 // size of the latest snapshot record
}

var _ Store = (*FileStore)(nil)

// NewFileStore returns a FileStore keeping its log at path; with sync, every Save is fsynced.
// log receives what opening the log recovers (nil: slog.Default()).
func NewFileStore(path string, sync bool, log *slog.Logger) *FileStore {
	policy := durablelog.SyncNone
	if sync {
		policy = durablelog.SyncEach
	}
	return &FileStore{lg: newLazyLog(path, policy, log)}
}

// Load returns the latest intact snapshot; an empty log is an empty state.
func (f *FileStore) Load() (*Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dl, err := f.lg.get()
	if err != nil {
		return nil, err
	}
	var latest []byte
	if err := dl.Replay(func(rec []byte) error {
		latest = rec
		return nil
	}); err != nil {
		return nil, fmt.Errorf("read events state: %w", err)
	}
	if latest == nil {
		return nil, nil
	}
	var snap Snapshot
	if err := json.Unmarshal(latest, &snap); err != nil {
		return nil, fmt.Errorf("decode events state %s: %w", f.lg.path, err)
	}
	f.last = int64(len(latest))
	return &snap, nil
}

// Save appends the snapshot and returns once it is durable.
func (f *FileStore) Save(snap *Snapshot) error {
	b, err := json.Marshal(snap) // compact: raw events and inputs keep their bytes
	if err != nil {
		return fmt.Errorf("encode events state: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	dl, err := f.lg.get()
	if err != nil {
		return err
	}
	if err := dl.Append(context.Background(), b); err != nil {
		return fmt.Errorf("save events state: %w", err)
	}
	f.last = int64(len(b))
	if dl.Size() > 4*f.last+1<<20 {
		if err := dl.Compact(context.Background(), func(emit func([]byte) error) error { return emit(b) }); err != nil {
			// The snapshot is saved; the log stays long until a later compaction succeeds.
			f.lg.log.Warn("events: compact state log", "err", err)
		}
	}
	return nil
}

// Close closes the log.
func (f *FileStore) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lg.close()
}
