package cloudformation

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// record is one entry of the durable log: exactly one field is set. Replaying the log in order
// rebuilds every stack, change set and event.
type record struct {
	Stack         *stackMeta      `json:"stack,omitempty"`
	Template      *templateRecord `json:"template,omitempty"`
	Resource      *resourceRecord `json:"resource,omitempty"`
	ResourceGone  *resourceRecord `json:"resourceGone,omitempty"`
	Event         *event          `json:"event,omitempty"`
	ChangeSet     *changeSet      `json:"changeSet,omitempty"`
	ChangeSetGone string          `json:"changeSetGone,omitempty"`
	// Forget drops a deleted stack with everything it had (the oldest beyond maxDeletedStacks).
	Forget string `json:"forget,omitempty"`
}

type templateRecord struct {
	StackID string `json:"stackId"`
	Body    string `json:"body"`
}

type resourceRecord struct {
	StackID  string    `json:"stackId"`
	Resource *resource `json:"resource"`
}

// compactAt is the log size from which a write compacts the log to the state it describes.
const compactAt = 32 << 20

// persist appends recs as one batch: all of them are durable, or none is. The caller holds s.mu and
// applies the change in memory only once persist returns nil.
func (s *Service) persist(ctx context.Context, recs ...record) error {
	if s.log == nil {
		return nil
	}
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		b, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("encode record: %w", err)
		}
		raw[i] = b
	}
	if err := s.log.Append(context.WithoutCancel(ctx), raw...); err != nil {
		s.opts.Logger.Error("cloudformation: write state", "err", err)
		return err
	}
	if s.log.Size() > compactAt {
		if err := s.log.Compact(context.WithoutCancel(ctx), s.snapshot); err != nil {
			s.opts.Logger.Warn("cloudformation: compact state", "err", err)
		}
	}
	return nil
}

// snapshot emits records that rebuild the present state. The caller holds s.mu.
func (s *Service) snapshot(emit func([]byte) error) error {
	put := func(r record) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		return emit(b)
	}
	for _, st := range s.stacksInOrder() {
		meta := st.stackMeta
		if err := put(record{Stack: &meta}); err != nil {
			return err
		}
		if err := put(record{Template: &templateRecord{StackID: st.id, Body: st.template}}); err != nil {
			return err
		}
		for _, id := range sortedKeys(st.resources) {
			if err := put(record{Resource: &resourceRecord{StackID: st.id, Resource: st.resources[id]}}); err != nil {
				return err
			}
		}
		for i := range st.events {
			if err := put(record{Event: &st.events[i]}); err != nil {
				return err
			}
		}
	}
	ids := make([]string, 0, len(s.changeSets))
	for id := range s.changeSets {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return s.changeSets[ids[i]].Created.Before(s.changeSets[ids[j]].Created) })
	for _, id := range ids {
		if err := put(record{ChangeSet: s.changeSets[id]}); err != nil {
			return err
		}
	}
	return nil
}

// replay rebuilds the state from the log.
func (s *Service) replay() error {
	return s.log.Replay(func(raw []byte) error {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("decode record: %w", err)
		}
		s.apply(r)
		return nil
	})
}

// apply changes the in-memory state as r says. The caller holds s.mu (or is replaying).
func (s *Service) apply(r record) {
	switch {
	case r.Stack != nil:
		st := s.stacks[r.Stack.ID]
		if st == nil {
			st = &stack{id: r.Stack.ID, name: r.Stack.Name, resources: map[string]*resource{}}
			s.stacks[r.Stack.ID] = st
		}
		st.stackMeta = *r.Stack
	case r.Template != nil:
		if st := s.stacks[r.Template.StackID]; st != nil {
			st.template = r.Template.Body
		}
	case r.Resource != nil:
		if st := s.stacks[r.Resource.StackID]; st != nil && r.Resource.Resource != nil {
			st.resources[r.Resource.Resource.LogicalID] = r.Resource.Resource
		}
	case r.ResourceGone != nil:
		if st := s.stacks[r.ResourceGone.StackID]; st != nil && r.ResourceGone.Resource != nil {
			delete(st.resources, r.ResourceGone.Resource.LogicalID)
		}
	case r.Event != nil:
		if st := s.stacks[r.Event.StackID]; st != nil {
			st.events = append(st.events, *r.Event)
			if len(st.events) > maxEvents {
				st.events = append([]event(nil), st.events[len(st.events)-maxEvents:]...)
			}
		}
	case r.ChangeSet != nil:
		s.changeSets[r.ChangeSet.ID] = r.ChangeSet
	case r.ChangeSetGone != "":
		delete(s.changeSets, r.ChangeSetGone)
	case r.Forget != "":
		delete(s.stacks, r.Forget)
		for id, cs := range s.changeSets {
			if cs.StackID == r.Forget {
				delete(s.changeSets, id)
			}
		}
	}
}

// commit persists recs and applies them. The caller holds s.mu.
func (s *Service) commit(ctx context.Context, recs ...record) error {
	if err := s.persist(ctx, recs...); err != nil {
		return err
	}
	for _, r := range recs {
		s.apply(r)
	}
	return nil
}

// stacksInOrder returns the stacks oldest first.
func (s *Service) stacksInOrder() []*stack {
	out := make([]*stack, 0, len(s.stacks))
	for _, st := range s.stacks {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var _ = durablelog.Open
