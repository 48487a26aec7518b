package console

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// hist builds a history as GetExecutionHistory answers it: each step is (type, previous event id, details).
type step struct {
	typ     string
	prev    int64
	details map[string]any
	ms      int // milliseconds after the start
}

func hist(t *testing.T, steps ...step) []*Event {
	t.Helper()
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var out []*Event
	for i, s := range steps {
		ev := map[string]any{"id": i + 1, "previousEventId": s.prev, "type": s.typ,
			"timestamp": float64(start.Add(time.Duration(s.ms)*time.Millisecond).UnixMilli()) / 1000}
		if s.details != nil {
			field := string(s.typ[0]|0x20) + s.typ[1:] + "EventDetails"
			switch {
			case len(s.typ) > 12 && s.typ[len(s.typ)-12:] == "StateEntered":
				field = "stateEnteredEventDetails"
			case len(s.typ) > 11 && s.typ[len(s.typ)-11:] == "StateExited":
				field = "stateExitedEventDetails"
			}
			ev[field] = s.details
		}
		raw, _ := json.Marshal(ev)
		e, err := decodeEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &e)
	}
	return out
}

func named(n string) map[string]any { return map[string]any{"name": n, "input": "{}"} }
func failed(e string) map[string]any {
	return map[string]any{"error": e, "cause": "because", "resource": "invoke", "resourceType": "lambda"}
}

type visitSummary struct {
	State, Status string
	Iteration     int
	Attempts      int
	Errors        []string
	Delays        []time.Duration
}

func summarise(vs []*Visit) []visitSummary {
	var out []visitSummary
	for _, v := range vs {
		s := visitSummary{State: v.State, Status: v.Status, Iteration: v.Iteration, Attempts: len(v.Attempts)}
		for _, a := range v.Attempts {
			s.Errors = append(s.Errors, a.Error)
			s.Delays = append(s.Delays, a.Delay)
		}
		out = append(out, s)
	}
	return out
}

func TestAnalyse(t *testing.T) {
	sched := map[string]any{"resource": "invoke", "resourceType": "lambda", "parameters": "{}"}
	tests := []struct {
		name   string
		status string
		events []step
		want   []visitSummary
	}{{
		name:   "retried once, then caught",
		status: "FAILED",
		events: []step{
			{"ExecutionStarted", 0, nil, 0},
			{"TaskStateEntered", 1, named("Process"), 1},
			{"TaskScheduled", 2, sched, 1},
			{"TaskStarted", 3, nil, 2},
			{"TaskFailed", 4, failed("TransientError"), 3},
			{"TaskScheduled", 5, sched, 503},
			{"TaskStarted", 6, nil, 504},
			{"TaskFailed", 7, failed("ObjectChangedError"), 505},
			{"TaskStateExited", 8, map[string]any{"name": "Process", "output": "{}"}, 505},
			{"FailStateEntered", 9, named("Failed"), 506},
			{"ExecutionFailed", 10, map[string]any{"error": "ObjectChangedError"}, 506},
		},
		want: []visitSummary{
			{State: "Process", Status: StatusCaught, Iteration: -1, Attempts: 2, Errors: []string{"TransientError", "ObjectChangedError"}, Delays: []time.Duration{0, 500 * time.Millisecond}},
			{State: "Failed", Status: StatusFailed, Iteration: -1},
		},
	}, {
		name:   "running task",
		status: "RUNNING",
		events: []step{
			{"ExecutionStarted", 0, nil, 0},
			{"TaskStateEntered", 1, named("Validate"), 1},
			{"TaskScheduled", 2, sched, 1},
			{"TaskStarted", 3, nil, 2},
		},
		want: []visitSummary{{State: "Validate", Status: StatusInProgress, Iteration: -1, Attempts: 1, Errors: []string{""}, Delays: []time.Duration{0}}},
	}, {
		name:   "a branch fails its Parallel state",
		status: "FAILED",
		events: []step{
			{"ExecutionStarted", 0, nil, 0},
			{"ParallelStateEntered", 1, named("FanOut"), 1},
			{"ParallelStateStarted", 2, nil, 1},
			{"PassStateEntered", 3, named("Left"), 2},
			{"TaskStateEntered", 3, named("Right"), 2},
			{"PassStateExited", 4, map[string]any{"name": "Left", "output": "{}"}, 3},
			{"TaskScheduled", 5, sched, 3},
			{"TaskFailed", 7, failed("Boom"), 4},
			{"ParallelStateFailed", 8, nil, 5},
			{"ExecutionFailed", 9, map[string]any{"error": "Boom"}, 5},
		},
		want: []visitSummary{
			{State: "FanOut", Status: StatusFailed, Iteration: -1},
			{State: "Left", Status: StatusSucceeded, Iteration: -1},
			{State: "Right", Status: StatusFailed, Iteration: -1, Attempts: 1, Errors: []string{"Boom"}, Delays: []time.Duration{0}},
		},
	}, {
		name:   "stopped while waiting",
		status: "ABORTED",
		events: []step{
			{"ExecutionStarted", 0, nil, 0},
			{"WaitStateEntered", 1, named("Pause"), 1},
			{"ExecutionAborted", 2, nil, 9},
		},
		want: []visitSummary{{State: "Pause", Status: StatusCancelled, Iteration: -1}},
	}, {
		name:   "Map iterations",
		status: "SUCCEEDED",
		events: []step{
			{"ExecutionStarted", 0, nil, 0},
			{"MapStateEntered", 1, named("Each"), 1},
			{"MapStateStarted", 2, map[string]any{"length": 2}, 1},
			{"MapIterationStarted", 3, map[string]any{"name": "Each", "index": 0}, 2},
			{"MapIterationStarted", 3, map[string]any{"name": "Each", "index": 1}, 2},
			{"PassStateEntered", 4, named("Work"), 3},
			{"PassStateEntered", 5, named("Work"), 3},
			{"PassStateExited", 6, map[string]any{"name": "Work", "output": "{}"}, 4},
			{"PassStateExited", 7, map[string]any{"name": "Work", "output": "{}"}, 4},
			{"PassStateEntered", 8, named("Tidy"), 5},
			{"PassStateExited", 10, map[string]any{"name": "Tidy", "output": "{}"}, 5},
			{"MapIterationSucceeded", 11, map[string]any{"name": "Each", "index": 0}, 6},
			{"MapIterationSucceeded", 9, map[string]any{"name": "Each", "index": 1}, 6},
			{"MapStateSucceeded", 13, nil, 7},
			{"MapStateExited", 14, map[string]any{"name": "Each", "output": "[]"}, 7},
			{"ExecutionSucceeded", 15, nil, 8},
		},
		want: []visitSummary{
			{State: "Each", Status: StatusSucceeded, Iteration: -1},
			{State: "Work", Status: StatusSucceeded, Iteration: 0},
			{State: "Work", Status: StatusSucceeded, Iteration: 1},
			{State: "Tidy", Status: StatusSucceeded, Iteration: 0},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := summarise(analyse(hist(t, tt.events...), tt.status))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("visits (-got +want):\n%s", diff)
			}
		})
	}
}

func TestStateStatusPrecedence(t *testing.T) {
	vs := []*Visit{
		{State: "Work", Status: StatusSucceeded}, {State: "Work", Status: StatusFailed}, {State: "Work", Status: StatusInProgress},
		{State: "Other", Status: StatusSucceeded, Attempts: []*Attempt{{}, {}, {}}},
	}
	status, retries := stateStatus(vs)
	if diff := cmp.Diff(status, map[string]string{"Work": StatusFailed, "Other": StatusSucceeded}); diff != "" {
		t.Errorf("status (-got +want):\n%s", diff)
	}
	if retries["Other"] != 2 {
		t.Errorf("retries of Other = %d, want 2", retries["Other"])
	}
}

func TestEpochTime(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"1767323045.123", time.Date(2026, 1, 2, 3, 4, 5, 123e6, time.UTC)},
		{"1767323045", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
	} {
		var got epochTime
		if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
			t.Fatal(err)
		}
		if !time.Time(got).Equal(tt.want) {
			t.Errorf("%s = %v, want %v", tt.in, time.Time(got), tt.want)
		}
	}
}

func FuzzAnalyseHistory(f *testing.F) {
	f.Add(`[{"id":1,"previousEventId":0,"type":"ExecutionStarted","timestamp":1.5},{"id":2,"previousEventId":1,"type":"TaskStateEntered","timestamp":2,"stateEnteredEventDetails":{"name":"A"}}]`, "RUNNING")
	f.Add(`[{"id":1,"previousEventId":0,"type":"ParallelStateStarted","timestamp":1},{"id":2,"previousEventId":1,"type":"ParallelStateFailed","timestamp":1}]`, "FAILED")
	f.Add(`[{"id":1,"previousEventId":1,"type":"TaskScheduled","timestamp":"x"}]`, "SUCCEEDED")
	f.Fuzz(func(t *testing.T, body, status string) {
		var raws []json.RawMessage
		if json.Unmarshal([]byte(body), &raws) != nil {
			return
		}
		var events []*Event
		for _, r := range raws {
			ev, err := decodeEvent(r)
			if err != nil {
				continue
			}
			_ = ev.DetailsJSON()
			events = append(events, &ev)
		}
		visits := analyse(events, status)
		stateStatus(visits)
		historyRows(events, visits, time.Time{})
		tl := timeline(visits, time.Time{}, time.Time{}.Add(time.Second), time.Time{}.Add(time.Second))
		if len(tl.Rows) != len(visits) {
			t.Fatalf("%d timeline rows for %d visits", len(tl.Rows), len(visits))
		}
		for _, v := range visits {
			if v.Entered == nil {
				t.Fatalf("visit of %q without its entry", v.State)
			}
		}
	})
}
