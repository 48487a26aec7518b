package console

import (
	"encoding/json"
	"strings"
	"time"
)

// The status of a state in the graph, as the AWS console's graph view colours it.
const (
	StatusNotStarted = "not-started"
	StatusInProgress = "in-progress"
	StatusSucceeded  = "succeeded"
	StatusFailed     = "failed"
	StatusCaught     = "caught"
	StatusCancelled  = "cancelled"
)

// Visit is one entry into a state, from its StateEntered event to its StateExited (or to the failure that
// left it), with the events between, linked through previousEventId.
type Visit struct {
	N        int // 1-based, in the order of entry
	State    string
	Type     string // Task, Choice, Parallel, ...
	Entered  *Event
	Exited   *Event
	Events   []*Event
	Attempts []*Attempt
	Failure  *Event // the error that left the state (caught) or ended it (failed)
	// Iteration is the Map iteration (its index) the entry belongs to, or -1.
	Iteration int
	Status    string
	Retried   bool
	parent    *Visit
	next      *Visit // the state entered after this one in the same thread
	started   *Event // ParallelStateStarted or MapStateStarted
	finished  bool   // ParallelState/MapState Succeeded or Failed seen
}

// Attempt is one try of a task: the scheduled event with its parameters, and how it ended.
type Attempt struct {
	N         int
	Scheduled *Event
	Started   *Event
	End       *Event
	Error     string
	Cause     string
	Output    string
	Delay     time.Duration // the wait before this attempt (the retry interval that was applied)
	RequestID string        // the Lambda request id, from the task's output
}

// Duration is the time from entering the state to leaving it, or to now while it runs.
func (v *Visit) Duration(now time.Time) time.Duration {
	end := now
	switch {
	case v.Exited != nil:
		end = v.Exited.Timestamp
	case v.Failure != nil:
		end = v.Failure.Timestamp
	case len(v.Events) > 0 && v.Status != StatusInProgress:
		end = v.Events[len(v.Events)-1].Timestamp
	}
	return end.Sub(v.Entered.Timestamp)
}

// End is the timestamp the state was left at (zero while it runs).
func (v *Visit) End() time.Time {
	switch {
	case v.Exited != nil:
		return v.Exited.Timestamp
	case v.Failure != nil:
		return v.Failure.Timestamp
	case v.Status != StatusInProgress && len(v.Events) > 0:
		return v.Events[len(v.Events)-1].Timestamp
	}
	return time.Time{}
}

// analyse attributes every event to the state visit it belongs to and works out what happened to each
// visit. executionStatus is DescribeExecution's status.
func analyse(events []*Event, executionStatus string) []*Visit {
	owner := map[int64]*Visit{}
	byID := map[int64]*Event{}
	var visits []*Visit
	enclosing := func(v *Visit) *Visit { // the innermost open Parallel or Map visit at or above v
		for ; v != nil; v = v.parent {
			if (v.Type == "Parallel" || v.Type == "Map") && v.Exited == nil && !v.finished {
				return v
			}
		}
		return nil
	}
	for _, ev := range events {
		byID[ev.ID] = ev
		prev := owner[ev.PreviousEventID]
		switch {
		case strings.HasSuffix(ev.Type, "StateEntered"):
			v := &Visit{N: len(visits) + 1, State: ev.Details.Name, Type: strings.TrimSuffix(ev.Type, "StateEntered"), Entered: ev, Iteration: -1}
			if prev != nil {
				switch {
				case prev.started != nil && prev.Exited == nil && !prev.finished:
					v.parent = prev // the first state of a branch or iteration
					if p := byID[ev.PreviousEventID]; p != nil && p.Type == "MapIterationStarted" && p.Details.Index != nil {
						v.Iteration = *p.Details.Index
					}
				default:
					v.parent = prev.parent
					v.Iteration = prev.Iteration
					if prev.next == nil {
						prev.next = v
					}
				}
			}
			if v.Type == "Fail" {
				v.Failure = ev
			}
			visits = append(visits, v)
			owner[ev.ID] = v
			v.Events = append(v.Events, ev)
			continue
		case strings.HasPrefix(ev.Type, "Execution"):
			continue
		case strings.HasPrefix(ev.Type, "ParallelState"), strings.HasPrefix(ev.Type, "MapState"), strings.HasPrefix(ev.Type, "MapIteration"):
			if !strings.HasSuffix(ev.Type, "Exited") {
				prev = enclosing(prev)
			} else if p := enclosing(prev); p != nil {
				prev = p
			}
		}
		if prev == nil {
			continue
		}
		v := prev
		if v.Exited != nil && !strings.HasSuffix(ev.Type, "Exited") {
			continue // an event after the state was left belongs to no state
		}
		owner[ev.ID] = v
		v.Events = append(v.Events, ev)
		switch {
		case strings.HasSuffix(ev.Type, "StateExited"):
			v.Exited = ev
		case ev.Type == "ParallelStateStarted" || ev.Type == "MapStateStarted":
			if v.started == nil {
				v.started = ev
			}
		case ev.Type == "ParallelStateSucceeded" || ev.Type == "MapStateSucceeded":
			v.finished = true
		case isScheduleType(ev.Type):
			a := &Attempt{N: len(v.Attempts) + 1, Scheduled: ev}
			if n := len(v.Attempts); n > 0 && v.Attempts[n-1].End != nil {
				a.Delay = ev.Timestamp.Sub(v.Attempts[n-1].End.Timestamp)
				v.Retried = true
			}
			v.Attempts = append(v.Attempts, a)
			v.Failure = nil
		case ev.Type == "TaskStarted" || ev.Type == "LambdaFunctionStarted" || ev.Type == "ActivityStarted":
			if a := last(v.Attempts); a != nil {
				a.Started = ev
			}
		case isTaskSuccessType(ev.Type):
			if a := last(v.Attempts); a != nil {
				a.End, a.Output = ev, ev.Details.Output
				a.RequestID = requestID(ev.Details.Output)
			}
		case isFailureType(ev.Type):
			if a := last(v.Attempts); a != nil && a.End == nil {
				a.End, a.Error, a.Cause = ev, ev.Details.Error, ev.Details.Cause
			}
			if ev.Type == "ParallelStateFailed" || ev.Type == "MapStateFailed" {
				v.finished = true
			}
			v.Failure = ev
		case strings.HasSuffix(ev.Type, "Aborted"):
			v.Status = StatusCancelled
		}
	}
	// A failed state that exits anyway went to a Catcher (the engine records the exit, as AWS does).
	for _, v := range visits {
		switch {
		case v.Status == StatusCancelled:
		case v.Failure != nil && v.Type != "Fail" && (v.Exited != nil || v.next != nil):
			v.Status = StatusCaught // the state exits towards its Catcher's Next
		case v.Exited != nil:
			v.Status = StatusSucceeded
		case v.Failure != nil:
			v.Status = StatusFailed
		case executionStatus == "RUNNING":
			v.Status = StatusInProgress
		case executionStatus == "SUCCEEDED":
			v.Status = StatusSucceeded
		default:
			v.Status = StatusCancelled
		}
	}
	return visits
}

func last(as []*Attempt) *Attempt {
	if len(as) == 0 {
		return nil
	}
	return as[len(as)-1]
}

// requestID finds the Lambda request id in an arn:aws:states:::lambda:invoke result
// (SdkResponseMetadata.RequestId).
func requestID(output string) string {
	var out struct {
		SdkResponseMetadata struct {
			RequestID string `json:"RequestId"`
		}
	}
	if json.Unmarshal([]byte(output), &out) != nil {
		return ""
	}
	return out.SdkResponseMetadata.RequestID
}

// stateStatus folds the visits of each state into the colour of its node: a failure shows over a catch,
// a catch over a run in progress, a run in progress over a success.
func stateStatus(visits []*Visit) (map[string]string, map[string]int) {
	rank := map[string]int{StatusNotStarted: 0, StatusCancelled: 1, StatusSucceeded: 2, StatusInProgress: 3, StatusCaught: 4, StatusFailed: 5}
	status := map[string]string{}
	retries := map[string]int{}
	for _, v := range visits {
		if rank[v.Status] > rank[status[v.State]] {
			status[v.State] = v.Status
		}
		if n := len(v.Attempts); n > 1 {
			retries[v.State] += n - 1
		}
	}
	return status, retries
}
