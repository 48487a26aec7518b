package interp

import (
	"strconv"
	"strings"
	"time"
)

// Redrive: continuing a FAILED, ABORTED or TIMED_OUT execution from the
// state that did not succeed, keeping its history and the results of what
// succeeded.
//
// AWS's rules, as this interpreter follows them:
//   - the execution continues from the unsuccessful top-level state with the
//     input that state had, the variables in scope then, the same execution
//     ARN, start date and definition; nothing that succeeded before runs
//     again;
//   - the history goes on after the terminal event: an ExecutionRedriven
//     event (with the redrive count) comes first, then the events of the
//     redriven part;
//   - in an inline Map or a Parallel state only the iterations and branches
//     that failed or were aborted run again; the outputs of the ones that
//     succeeded are reused. A branch or iteration that runs again starts
//     from its first state.
//
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html

// ExecutionRedriven is the event that opens a redriven attempt.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ExecutionRedrivenEventDetails.html
const ExecutionRedriven EventType = "ExecutionRedriven"

// ExecutionRedrivenEventDetails carries the number of times the execution
// has been redriven, this time included.
type ExecutionRedrivenEventDetails struct {
	RedriveCount int `json:"redriveCount"`
}

// Separators of the keys that name a branch or an iteration in the memo of
// completed children: control characters no state name contains.
const (
	memoState = "\x1f" // after a Parallel or Map state's name
	memoChild = "\x1e" // after a branch or iteration index, before a nested state's name
)

// RedrivePoint returns the Snapshot from which a FAILED, ABORTED or
// TIMED_OUT execution can be redriven: the top-level state that did not
// succeed, its input, the variables, the history position after the
// terminal event, and the outputs of the branches and iterations of that
// state that had succeeded. It returns nil for a running or succeeded
// execution. Pass it to Snapshot.Redrive, persist the result if the host
// needs the redrive to survive a restart, and Resume it.
func (e *Execution) RedrivePoint() *Snapshot {
	if !e.ended.Load() {
		return nil
	}
	if e.result.Status == StatusSucceeded || e.at == "" {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	snap := &Snapshot{
		ExecutionArn: e.cfg.arn, ExecutionName: e.cfg.name, StateMachineArn: e.cfg.stateMachineArn,
		RoleArn: e.cfg.roleArn, Input: e.input, StartDate: e.start,
		State: e.at, StateInput: e.atInput, Variables: e.atVars,
		LastEventID: e.nextID, Events: e.events,
		RedriveCount: e.redriveCount, RedriveDate: e.redriveDate,
	}
	prefix := e.at + memoState
	e.memoMu.Lock()
	defer e.memoMu.Unlock()
	for k, v := range e.memo {
		if strings.HasPrefix(k, prefix) {
			if snap.Completed == nil {
				snap.Completed = map[string]any{}
			}
			snap.Completed[k] = v
		}
	}
	for k, v := range e.reuse { // left over: not reached again before the failure
		if strings.HasPrefix(k, prefix) {
			if snap.Completed == nil {
				snap.Completed = map[string]any{}
			}
			if _, ok := snap.Completed[k]; !ok {
				snap.Completed[k] = v
			}
		}
	}
	return snap
}

// Redrive returns the snapshot that redrives the execution s is the
// RedrivePoint of, at time at: the redrive count goes up by one and Resume
// records the ExecutionRedriven event before anything else.
func (s Snapshot) Redrive(at time.Time) Snapshot {
	s.RedriveCount++
	s.RedriveDate = at
	s.RedrivePending = true
	return s
}

// branch makes the thread of branch or iteration i of the Parallel or Map
// state n.
func (th *thread) branch(sc *cancelScope, n *node, i int) *thread {
	c := th.child(sc)
	th.memoPath() // made before the children may run on goroutines of their own
	c.pathParent, c.pathNode, c.pathIndex = th, n, i
	return c
}

// memoPath returns the name of the thread's branch or iteration among the
// execution's, "" for the top level: its parent's, the Parallel or Map
// state's name, memoState, the index and memoChild.
func (th *thread) memoPath() string {
	if !th.pathKnown {
		if th.pathParent != nil {
			th.pathText = th.pathParent.memoPath() + th.pathNode.name + memoState + strconv.Itoa(th.pathIndex) + memoChild
		}
		th.pathKnown = true
	}
	return th.pathText
}

// completed wraps the job of a Parallel or Map state's fan-out of count
// children: a branch or iteration that succeeded in the attempt being
// redriven is not run again, its output is reused; one that succeeds now
// is remembered, so that a redrive after a failure of the state does not
// run it again either. The children's outputs enter the execution's memo
// when the state ends without success (done(false, results), called once
// every child has returned, with the outputs the fan-out returned): the
// memo is read only once the execution is over (RedrivePoint), and a state
// whose children all succeed has nothing to keep.
func (th *thread) completed(n *node, count int, job func(sc *cancelScope, i int) (any, *Failure)) (func(sc *cancelScope, i int) (any, *Failure), func(ok bool, results []any)) {
	e := th.e
	key := th.memoPath() + n.name + memoState
	e.memoMu.Lock()
	// A new attempt of the state: what an earlier attempt left is stale.
	for k := range e.memo {
		if strings.HasPrefix(k, key) {
			delete(e.memo, k)
		}
	}
	// The children that succeeded before the redrive, taken once.
	var reuse map[string]any
	for k, v := range e.reuse {
		// Direct children only: a nested state takes its own when it runs.
		if rest, ok := strings.CutPrefix(k, key); ok && !strings.Contains(rest, memoChild) {
			if reuse == nil {
				reuse = map[string]any{}
			}
			reuse[k] = v
			delete(e.reuse, k)
		}
	}
	e.memoMu.Unlock()
	// Each child writes only its own index; done reads them after the
	// fan-out has waited for every child, with the children's outputs the
	// fan-out returned.
	succeeded := make([]bool, count)
	wrapped := func(sc *cancelScope, i int) (any, *Failure) {
		var out any
		ok := false
		if reuse != nil {
			out, ok = reuse[key+strconv.Itoa(i)]
		}
		var f *Failure
		if !ok {
			out, f = job(sc, i)
		}
		if f == nil {
			succeeded[i] = true
		}
		return out, f
	}
	done := func(ok bool, results []any) {
		e.memoMu.Lock()
		defer e.memoMu.Unlock()
		if !ok { // kept for a redrive
			for i, s := range succeeded {
				if s {
					if e.memo == nil {
						e.memo = map[string]any{}
					}
					e.memo[key+strconv.Itoa(i)] = results[i]
				}
			}
			return
		}
		// What the children's own nested states kept is stale too.
		for k := range e.memo {
			if strings.HasPrefix(k, key) {
				delete(e.memo, k)
			}
		}
	}
	return wrapped, done
}

// emitRedriven records the ExecutionRedriven event of a redrive.
func (e *Execution) emitRedriven(prev int64) int64 {
	return e.emit(prev, &HistoryEvent{Type: ExecutionRedriven, Timestamp: e.redriveDate,
		ExecutionRedrivenEventDetails: &ExecutionRedrivenEventDetails{RedriveCount: e.redriveCount}})
}

// pendingReuse copies the outputs kept for a redrive that no state has
// taken yet, for a snapshot: resumed after a restart, the redriven
// execution still skips them.
func (e *Execution) pendingReuse() map[string]any {
	e.memoMu.Lock()
	defer e.memoMu.Unlock()
	if len(e.reuse) == 0 {
		return nil
	}
	out := make(map[string]any, len(e.reuse))
	for k, v := range e.reuse {
		out[k] = v
	}
	return out
}
