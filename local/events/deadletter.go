package events

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// DeadLetter is an event whose delivery to a target failed for good, with
// the attributes AWS sets on the message it sends to a dead-letter queue
// (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
// EXHAUSTED_RETRY_CONDITION when retries ran out, RETRY_ATTEMPTS).
type DeadLetter struct {
	ID string
	// Event is the original event, the body AWS puts on the DLQ message.
	Event json.RawMessage
	// Input is what the target was to receive; Redrive delivers it again.
	Input         json.RawMessage
	RuleName      string
	TargetID      string
	TargetARN     string
	RoleARN       string `json:",omitempty"`
	DeadLetterARN string `json:",omitempty"`
	Attributes    map[string]string
	Time          time.Time
}

// DeadLetters lists the dead-letter list, oldest first.
func (s *Service) DeadLetters() []DeadLetter {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.dead)
}

// ErrUnknownDeadLetter is returned by Redrive for an id not in the list.
var ErrUnknownDeadLetter = fmt.Errorf("no such dead letter")

// Redrive removes the named dead letters (all of them when ids is empty) and
// queues each for delivery again, with a fresh retry budget under its
// target's current RetryPolicy (or the default one if the target is gone).
func (s *Service) Redrive(_ context.Context, ids ...string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if !slices.ContainsFunc(s.dead, func(d DeadLetter) bool { return d.ID == id }) {
			return 0, fmt.Errorf("redrive %q: %w", id, ErrUnknownDeadLetter)
		}
	}
	now := s.clock.Now()
	n := 0
	var added []*pending
	keep := make([]DeadLetter, 0, len(s.dead))
	for _, d := range s.dead {
		if len(ids) > 0 && !slices.Contains(ids, d.ID) {
			keep = append(keep, d)
			continue
		}
		t := &target{ID: d.TargetID, Arn: d.TargetARN, RoleArn: d.RoleARN, RetryPolicy: defaultRetryPolicy, DeadLetterArn: d.DeadLetterARN}
		if r, ok := s.rules[d.RuleName]; ok {
			if i := slices.IndexFunc(r.targets, func(x *target) bool { return x.ID == d.TargetID }); i >= 0 {
				t.RetryPolicy = r.targets[i].RetryPolicy
			}
		}
		ev := &routed{raw: d.Event, ingested: now}
		ev.id = eventID(ev.raw) // an event without an id keeps none, as on first delivery
		p := &pending{id: s.nextPendingID(), ruleARN: d.Attributes["RULE_ARN"], ruleName: d.RuleName, t: t, ev: ev,
			input: d.Input, due: now}
		s.queue = append(s.queue, p)
		added = append(added, p)
		n++
	}
	if err := s.journalAdd(added); err != nil {
		s.storeErr = err
		s.queue = s.queue[:len(s.queue)-len(added)]
		return 0, fmt.Errorf("redrive: %w", err)
	}
	if apiErr := s.commitLocked(func() { s.dead = keep }); apiErr != nil {
		// The deliveries are queued on disk: deliver them; the dead letters stay listed
		// until a save succeeds, so a redelivery may be redriven twice.
		s.signal()
		return n, fmt.Errorf("redrive: %w", s.storeErr)
	}
	s.signal()
	return n, nil
}
