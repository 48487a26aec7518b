package statetest

import (
	"strings"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// Event is the part of a history event a test looks at, the same whether the history came from the
// engine (interp.HistoryEvent) or from a Step Functions API (GetExecutionHistory).
type Event struct {
	// Type is the event type, as GetExecutionHistory names it ("TaskStateEntered", "TaskFailed", ...).
	Type string
	// State is the state's name, for StateEntered and StateExited events.
	State string
	// Input is the state's input (StateEntered) as JSON text.
	Input string
	// Output is the state's output (StateExited) as JSON text.
	Output string
	// Error is the error of a failure event (TaskFailed, LambdaFunctionFailed, ... TimedOut).
	Error string
}

// EventsFromEngine converts the engine's history.
func EventsFromEngine(h []interp.HistoryEvent) []Event {
	out := make([]Event, 0, len(h))
	for _, ev := range h {
		e := Event{Type: string(ev.Type)}
		switch {
		case ev.StateEnteredEventDetails != nil:
			e.State, e.Input = ev.StateEnteredEventDetails.Name, ev.StateEnteredEventDetails.Input
		case ev.StateExitedEventDetails != nil:
			e.State, e.Output = ev.StateExitedEventDetails.Name, ev.StateExitedEventDetails.Output
		case ev.TaskFailedEventDetails != nil:
			e.Error = ev.TaskFailedEventDetails.Error
		case ev.TaskTimedOutEventDetails != nil:
			e.Error = ev.TaskTimedOutEventDetails.Error
		case ev.LambdaFunctionFailedEventDetails != nil:
			e.Error = ev.LambdaFunctionFailedEventDetails.Error
		case ev.LambdaFunctionTimedOutEventDetails != nil:
			e.Error = ev.LambdaFunctionTimedOutEventDetails.Error
		}
		out = append(out, e)
	}
	return out
}

// isEntered and isExited tell state events by their type name, as both histories spell them.
func isEntered(t string) bool { return strings.HasSuffix(t, "StateEntered") }
func isExited(t string) bool  { return strings.HasSuffix(t, "StateExited") }

func isScheduled(t string) bool {
	return t == string(interp.TaskScheduled) || t == string(interp.LambdaFunctionScheduled)
}

func isSucceeded(t string) bool {
	return t == string(interp.TaskSucceeded) || t == string(interp.LambdaFunctionSucceeded)
}

func isTaskFailure(t string) bool {
	switch interp.EventType(t) {
	case interp.TaskFailed, interp.TaskTimedOut, interp.LambdaFunctionFailed, interp.LambdaFunctionTimedOut:
		return true
	}
	return false
}

// isStateFailure is a Parallel or Map state whose branches failed; the history names no error.
func isStateFailure(t string) bool {
	return t == string(interp.ParallelStateFailed) || t == string(interp.MapStateFailed)
}

// timeoutError is the error of a *TimedOut event that names none.
const timeoutError = "States.Timeout"

// observed is what one run's history shows.
type observed struct {
	path        []string       // states entered, in order
	invocations map[string]int // task invocations per state, retries included
	outputs     map[string]string
}

// visit is one entry into a state, until it exits.
type visit struct {
	state    string
	input    string // the state's input text
	isTask   bool
	branches bool   // a Parallel or Map state
	failed   bool   // the last attempt failed
	err      string // its error ("" when the history names none)
	attempts int
}

// pending is a transition known only by where the execution goes next: a Choice, or a catch of an error
// the history does not name.
type pending struct {
	state  string
	input  string // a Choice state's input
	failed bool
}

// walk reads one run's events: the path, invocations and state outputs, and marks the coverage items the
// run covered under testCase. States of concurrent Parallel branches and Map iterations interleave in a
// history; task events are attributed to the most recently entered open Task state, and a transition
// decided by the next state entered to the latest open candidate, which is exact for sequential flows.
func walk(events []Event, cov *Coverage, testCase string) observed {
	o := observed{invocations: map[string]int{}, outputs: map[string]string{}}
	var open []*visit // entered, not exited
	var waiting []pending
	var task *visit // the visit task events belong to

	exhaust := func(v *visit) {
		if !v.failed || v.err == "" || cov == nil {
			return
		}
		if r := matchRetrier(cov.states[v.state], v.err); r >= 0 {
			cov.mark(testCase, v.state, KindExhausted, r)
		}
	}
	for _, ev := range events {
		switch {
		case isEntered(ev.Type):
			o.path = append(o.path, ev.State)
			if cov != nil {
				cov.mark(testCase, ev.State, KindState, 0)
				waiting = resolve(cov, testCase, waiting, ev.State)
			}
			v := &visit{state: ev.State, input: ev.Input, isTask: strings.HasPrefix(ev.Type, "Task"),
				branches: strings.HasPrefix(ev.Type, "Parallel") || strings.HasPrefix(ev.Type, "Map")}
			open = append(open, v)
			if v.isTask {
				task = v
			}
		case isScheduled(ev.Type):
			if task == nil {
				continue
			}
			o.invocations[task.state]++
			if task.failed && cov != nil {
				if r := matchRetrier(cov.states[task.state], task.err); r >= 0 {
					cov.mark(testCase, task.state, KindRetried, r)
				}
			}
			task.attempts++
			task.failed, task.err = false, ""
		case isSucceeded(ev.Type):
			if task != nil {
				task.failed = false
			}
		case isTaskFailure(ev.Type):
			if task != nil {
				task.failed, task.err = true, ev.Error
				if task.err == "" && strings.HasSuffix(ev.Type, "TimedOut") {
					task.err = timeoutError
				}
			}
		case isStateFailure(ev.Type):
			// The latest open Parallel or Map state failed; the states still open inside it failed or
			// were aborted with it.
			for i := len(open) - 1; i >= 0; i-- {
				if !open[i].branches {
					continue
				}
				for _, inner := range open[i+1:] {
					exhaust(inner)
					if inner == task {
						task = nil
					}
				}
				open = open[:i+1]
				open[i].failed, open[i].err = true, ""
				break
			}
			if task == nil {
				task = lastTask(open)
			}
		case isExited(ev.Type):
			o.outputs[ev.State] = ev.Output
			var v *visit
			for i := len(open) - 1; i >= 0; i-- {
				if open[i].state == ev.State {
					v = open[i]
					open = append(open[:i], open[i+1:]...)
					break
				}
			}
			if v == task {
				task = lastTask(open)
			}
			if v == nil || cov == nil {
				continue
			}
			s := cov.states[v.state]
			exhaust(v)
			switch {
			case v.failed && v.err != "":
				if k := matchCatcher(s, v.err); k >= 0 {
					cov.mark(testCase, v.state, KindCatch, k)
				}
			case v.failed:
				waiting = append(waiting, pending{state: v.state, failed: true})
			default:
				if _, ok := s.(*asl.Choice); ok {
					waiting = append(waiting, pending{state: v.state, input: v.input})
				} else if next, end := s.Transition(); end {
					cov.mark(testCase, v.state, KindEnd, 0)
				} else if next != "" {
					cov.mark(testCase, v.state, KindNext, 0)
				}
			}
		}
	}
	// States still open when the history ends failed the execution (or were aborted).
	for _, v := range open {
		exhaust(v)
	}
	return o
}

// lastTask is the most recently entered open Task state, nil for none.
func lastTask(open []*visit) *visit {
	for i := len(open) - 1; i >= 0; i-- {
		if open[i].isTask {
			return open[i]
		}
	}
	return nil
}

// resolve settles the latest pending transition that can lead to entered.
func resolve(cov *Coverage, testCase string, waiting []pending, entered string) []pending {
	for i := len(waiting) - 1; i >= 0; i-- {
		p := waiting[i]
		s := cov.states[p.state]
		if p.failed {
			for k, c := range catchers(s) {
				if c.Next == entered {
					cov.mark(testCase, p.state, KindCatch, k)
					return append(waiting[:i], waiting[i+1:]...)
				}
			}
			continue
		}
		ch := s.(*asl.Choice)
		var rules []int // the rules leading to the state entered; -1 is the Default
		for k, r := range ch.Choices {
			if r.Next == entered {
				rules = append(rules, k)
			}
		}
		if ch.Default == entered {
			rules = append(rules, -1)
		}
		if len(rules) == 0 {
			continue
		}
		k := rules[0]
		if len(rules) > 1 {
			// Several rules lead there: ask the engine which one this input takes.
			if got, ok := cov.choiceTaken(p.state, p.input); ok {
				k = got
			}
		}
		if k < 0 {
			cov.mark(testCase, p.state, KindDefault, 0)
		} else {
			cov.mark(testCase, p.state, KindChoice, k)
		}
		return append(waiting[:i], waiting[i+1:]...)
	}
	return waiting
}

// matchRetrier and matchCatcher return the first Retrier or Catcher whose ErrorEquals matches err, as
// the engine picks them (asl.ErrorMatches), or -1.
func matchRetrier(s asl.State, err string) int {
	for i, r := range retriers(s) {
		if asl.ErrorMatches(r.ErrorEquals, err) {
			return i
		}
	}
	return -1
}

func matchCatcher(s asl.State, err string) int {
	for i, c := range catchers(s) {
		if asl.ErrorMatches(c.ErrorEquals, err) {
			return i
		}
	}
	return -1
}
