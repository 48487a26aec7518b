package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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

// saveLocked hands the store a snapshot; s.mu is held. A failing store does
// not fail the API call (the change is live in memory); the error is kept for
// StoreErr.
func (s *Service) saveLocked() {
	if s.store == nil {
		return
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
	s.storeErr = s.store.Save(snap)
}

// StoreErr returns the error of the last save, if it failed.
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

// FileStore keeps the snapshot in one JSON file, replaced atomically on
// every save.
type FileStore struct {
	Path string
}

var _ Store = FileStore{}

// Load reads the file; a missing file is an empty state.
func (f FileStore) Load() (*Snapshot, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read events state: %w", err)
	}
	var snap Snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("decode events state %s: %w", f.Path, err)
	}
	return &snap, nil
}

// Save writes the snapshot to a temporary file and renames it into place.
func (f FileStore) Save(snap *Snapshot) error {
	b, err := json.Marshal(snap) // compact: raw events and inputs keep their bytes
	if err != nil {
		return fmt.Errorf("encode events state: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), filepath.Base(f.Path)+".tmp*")
	if err != nil {
		return fmt.Errorf("save events state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("save events state: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save events state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save events state: %w", err)
	}
	if err := os.Rename(tmp.Name(), f.Path); err != nil {
		return fmt.Errorf("save events state: %w", err)
	}
	return nil
}
