package sfn

import (
	"context"
	"slices"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// A standard execution of a machine made only of states without effects (Pass, Choice, Succeed, Fail)
// whose transitions cannot loop runs to its end within StartExecution: such an execution enters each of
// its states at most once and calls nothing outside itself, so it ends in the time of a few payload
// evaluations. Its start and its end are then made durable together, by one write of the finished
// execution to the history store, instead of a journal record for the start and the history store for
// the end; and the first DescribeExecution already finds it closed, as it would on AWS a moment later.
//
// Nothing a client sees differs from an execution run in the background that happened to end before
// StartExecution answered: the history, its timestamps (taken from the clock as the states run, after
// the start date the response gives) and the execution's dates are the same, and StartExecution does
// not promise a running execution:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
// (a second call with the same name finds it closed and answers ExecutionAlreadyExists, as for any
// execution that has ended).

// maxInlineStates bounds the states of a machine run within StartExecution, and with it the time the
// request takes.
const maxInlineStates = 100

// inlineable reports whether executions of m run to their end within StartExecution (see above). The
// answer is computed once per compiled machine.
func (s *Service) inlineable(m *interp.Machine) bool {
	if v, ok := s.inline.Load(m); ok {
		return v.(bool)
	}
	ok := pureAcyclic(m.Definition())
	s.inline.Store(m, ok)
	return ok
}

// pureAcyclic reports whether every state of sm is pure (pureState) and no path of transitions from
// StartAt comes back to a state it has passed.
func pureAcyclic(sm *asl.StateMachine) bool {
	if sm == nil || len(sm.States) == 0 || len(sm.States) > maxInlineStates {
		return false
	}
	for _, st := range sm.States {
		if !pureState(st) {
			return false
		}
	}
	const (
		unvisited = iota
		onPath
		done
	)
	mark := make(map[string]int, len(sm.States))
	var visit func(name string) bool // false: a cycle, or a transition to no state
	visit = func(name string) bool {
		switch mark[name] {
		case onPath:
			return false
		case done:
			return true
		}
		st := sm.States[name]
		if st == nil {
			return false
		}
		mark[name] = onPath
		for _, next := range asl.Transitions(st) {
			if !visit(next) {
				return false
			}
		}
		mark[name] = done
		return true
	}
	return visit(sm.StartAt)
}

// runInline runs e, whose name is reserved and whose start is not journaled, to its end, and makes it
// durable: in the history store (finish), or, should that refuse it, by journaling its start (it then
// stays in memory and is saved with the next execution to end, as finish does, and a restart runs it
// again from its start: it has no effects). The execution is not acknowledged unless one of them
// succeeded.
func (s *Service) runInline(compiled *interp.Machine, e *execution, input any) (*execution, error) {
	// Its events are encoded as they are recorded (stream.go).
	e.mu.Lock()
	events := e.events
	e.events, e.stream = nil, newEventStream()
	e.mu.Unlock()
	recycleEvents(events)
	// No checkpoints: a restart runs the execution again from its start, which its start record, when
	// there is one, says anyway (the engine saves some copying of payloads without them).
	run := s.begin(compiled, e, false, func(ctx context.Context, opts []interp.ExecOption) *interp.Execution {
		return compiled.RunExecution(ctx, input, opts...) // on this goroutine: it ends in moments
	})
	if !s.ended(e, run) {
		s.forget(e)
		return nil, apiErrorf(CodeInternalFailure, "the service is shutting down")
	}
	s.finish(e)
	if s.unsavedHolds(e) {
		release := s.holdJournal()
		err := s.persist(&record{Kind: kindExecution, Execution: &e.rec})
		release()
		if err != nil {
			s.dropUnsaved(e)
			s.forget(e)
			s.settled(e)
			return nil, err
		}
	}
	s.settled(e)
	return e, nil
}

// unsavedHolds reports whether e is among the ended executions the history store refused.
func (s *Service) unsavedHolds(e *execution) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Contains(s.unsaved, e)
}

// dropUnsaved removes e from the ended executions to save again.
func (s *Service) dropUnsaved(e *execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.Index(s.unsaved, e); i >= 0 {
		s.unsaved = slices.Delete(s.unsaved, i, i+1)
	}
}
