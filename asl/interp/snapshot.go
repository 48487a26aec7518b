package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Snapshot is the resumable state of an execution between two top-level
// state transitions: the state about to run, its input, the top-level
// variables and the history position. It is plain data that encodes to
// JSON, so a host can persist it and later Resume the execution, even in
// another process with a Machine compiled from the same definition.
//
// Granularity: snapshots are taken only between top-level states. A
// Parallel or Map state, a Task waiting for its result or token, or a Wait
// that was running when the process stopped starts over from its beginning
// on Resume (a Wait waits its full time again; a callback task gets a new
// token).
type Snapshot struct {
	ExecutionArn    string         `json:"executionArn"`
	ExecutionName   string         `json:"executionName"`
	StateMachineArn string         `json:"stateMachineArn"`
	RoleArn         string         `json:"roleArn,omitempty"`
	Input           any            `json:"input"`
	StartDate       time.Time      `json:"startDate"`
	State           string         `json:"state"`
	StateInput      any            `json:"stateInput"`
	Variables       map[string]any `json:"variables,omitempty"`
	LastEventID     int64          `json:"lastEventId"`
	Events          int            `json:"events"`

	// RedriveCount and RedriveDate tell how many times the execution has
	// been redriven and when last ($$.Execution.RedriveCount).
	RedriveCount int       `json:"redriveCount,omitempty"`
	RedriveDate  time.Time `json:"redriveDate,omitzero"`
	// RedrivePending is set by Redrive: Resume records the
	// ExecutionRedriven event first.
	RedrivePending bool `json:"redrivePending,omitempty"`
	// Completed holds the outputs of the branches and iterations of State
	// (a Parallel or Map state, nested ones included) that succeeded before
	// a redrive: they are not run again.
	Completed map[string]any `json:"completed,omitempty"`
}

func (th *thread) snapshot(state string, input any) Snapshot {
	e := th.e
	e.mu.Lock()
	last, events := e.nextID, e.events
	e.mu.Unlock()
	return Snapshot{
		ExecutionArn: e.cfg.arn, ExecutionName: e.cfg.name, StateMachineArn: e.cfg.stateMachineArn,
		RoleArn: e.cfg.roleArn, Input: e.input, StartDate: e.start,
		State: state, StateInput: input, Variables: th.vars.vals,
		LastEventID: last, Events: events,
		RedriveCount: e.redriveCount, RedriveDate: e.redriveDate,
		Completed: e.pendingReuse(),
	}
}

// Resume continues an execution from a Snapshot: it runs snap.State with
// snap.StateInput, numbering new history events after snap.LastEventID. The
// options are those of Start (the history sink, the checkpoint function);
// the execution's identity comes from the snapshot.
func (m *Machine) Resume(ctx context.Context, snap Snapshot, opts ...ExecOption) (*Execution, error) {
	if _, ok := m.top.states[snap.State]; !ok {
		return nil, fmt.Errorf("resume execution %s: no state %q in the machine", snap.ExecutionArn, snap.State)
	}
	opts = append([]ExecOption{
		WithExecutionArn(snap.ExecutionArn), WithExecutionName(snap.ExecutionName),
		WithStateMachineArn(snap.StateMachineArn), WithRoleArn(snap.RoleArn),
	}, opts...)
	hold(m.cfg.clock) // before newExecution schedules the machine timeout; see Start
	e := m.newExecution(ctx, snap.Input, opts)
	e.start = snap.StartDate // before contextObjects reads it
	e.nextID, e.events = snap.LastEventID, snap.Events
	e.redriveCount, e.redriveDate = snap.RedriveCount, snap.RedriveDate
	if len(snap.Completed) > 0 {
		e.reuse = make(map[string]any, len(snap.Completed))
		for k, v := range snap.Completed {
			e.reuse[k] = v
		}
	}
	th := e.newThread(nil)
	th.prev = snap.LastEventID
	if snap.RedrivePending {
		th.prev = e.emitRedriven(th.prev)
	}
	if len(snap.Variables) > 0 {
		th.vars.assign(snap.Variables)
	}
	go func() {
		defer release(m.cfg.clock)
		out, f := th.runFrom(m.top, snap.State, snap.StateInput, true)
		e.finish(th, out, f)
	}()
	return e, nil
}

// UnmarshalJSON decodes a Snapshot, keeping numbers as json.Number as the
// interpreter requires.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	type plain Snapshot
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var p plain
	if err := d.Decode(&p); err != nil {
		return fmt.Errorf("decode snapshot: %w", err)
	}
	*s = Snapshot(p)
	return nil
}
