package interp

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// flaky is a Lambda invoker that counts calls by the payload's "n" and
// fails the first call of every name listed in failOnce.
type flaky struct {
	mu       sync.Mutex
	calls    map[string]int
	failOnce map[string]bool
}

func (f *flaky) InvokeLambda(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
	var p struct {
		N string `json:"n"`
	}
	if err := json.Unmarshal(req.Payload, &p); err != nil {
		return LambdaResponse{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[p.N]++
	if f.failOnce[p.N] && f.calls[p.N] == 1 {
		return LambdaResponse{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"Injected","errorMessage":"fault in ` + p.N + `"}`)}, nil
	}
	return LambdaResponse{Payload: []byte(`"` + p.N + ` done"`)}, nil
}

// A redriven execution continues from the state that failed: what succeeded
// (an earlier state, a Parallel branch, Map iterations) does not run again,
// the history goes on after the terminal event with ExecutionRedriven, and
// $$.Execution.RedriveCount counts the redrives. The redrive points survive
// JSON encoding, as a host persists them.
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
func TestRedrive(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:work"
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"a"},"ResultPath":"$.a","Assign":{"seen":"yes"},"Next":"P"},
		"P":{"Type":"Parallel","ResultPath":"$.p","Next":"M","Branches":[
			{"StartAt":"B1","States":{"B1":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"b1"},"End":true}}},
			{"StartAt":"W2","States":{"W2":{"Type":"Wait","Seconds":2,"Next":"B2"},"B2":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"b2"},"End":true}}},
			{"StartAt":"B3","States":{"B3":{"Type":"Parallel","End":true,"Branches":[
				{"StartAt":"C1","States":{"C1":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"c1"},"End":true}}},
				{"StartAt":"W1","States":{"W1":{"Type":"Wait","Seconds":1,"Next":"C2"},"C2":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"c2"},"End":true}}}]}}}]},
		"M":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","MaxConcurrency":1,"Next":"Z",
			"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n.$":"$"},"End":true}}}},
		"Z":{"Type":"Pass","Parameters":{"a.$":"$.a","p.$":"$.p","m.$":"$.m","seen.$":"$seen","redrives.$":"$$.Execution.RedriveCount"},"End":true}}}`
	inv := &flaky{calls: map[string]int{}, failOnce: map[string]bool{"b2": true, "c2": true, "i2": true}}
	clock := NewVirtualClock(epoch)
	m := compile(t, def, WithClock(clock), WithLambdaInvoker(inv))
	ctx := t.Context()

	var events []HistoryEvent
	var h HistoryLog
	e := m.Start(ctx, mustJSON(t, `{"items":["i1","i2","i3"]}`), WithHistory(&h))
	r := wait(t, e)
	if r.Status != StatusFailed || r.Error != "Injected" {
		t.Fatalf("first attempt: got %s %s, want FAILED Injected", r.Status, r.Error)
	}
	events = append(events, h.Events()...)

	wantOutput := `{"a":"a done","m":["i1 done","i2 done","i3 done"],"p":["b1 done","b2 done",["c1 done","c2 done"]],"redrives":3,"seen":"yes"}`
	// The waits order the faults: c2 fails first (cancelling the wait
	// before b2), then b2, then the Map's second item.
	const redrives = 3
	for attempt := 1; attempt <= redrives; attempt++ {
		point := e.RedrivePoint()
		if point == nil {
			t.Fatalf("redrive %d: no redrive point", attempt)
		}
		b, err := json.Marshal(point.Redrive(clock.Now()))
		if err != nil {
			t.Fatal(err)
		}
		var snap Snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			t.Fatal(err)
		}
		// A new machine, as in another process.
		m2 := compile(t, def, WithClock(clock), WithLambdaInvoker(inv))
		var h2 HistoryLog
		e, err = m2.Resume(ctx, snap, WithHistory(&h2))
		if err != nil {
			t.Fatal(err)
		}
		r = wait(t, e)
		first := h2.Events()[0]
		if first.Type != ExecutionRedriven || first.ExecutionRedrivenEventDetails.RedriveCount != attempt {
			t.Errorf("redrive %d: first event %s %+v, want ExecutionRedriven with count %d", attempt, first.Type, first.ExecutionRedrivenEventDetails, attempt)
		}
		events = append(events, h2.Events()...)
		if attempt < redrives && (r.Status != StatusFailed || r.Error != "Injected") {
			t.Fatalf("redrive %d: got %s %s, want FAILED Injected", attempt, r.Status, r.Error)
		}
	}
	if r.Status != StatusSucceeded {
		t.Fatalf("last redrive: got %s %s %s", r.Status, r.Error, r.Cause)
	}
	if got := canon(t, r.Output); got != wantOutput {
		t.Errorf("output:\n got %s\nwant %s", got, wantOutput)
	}
	// Every task ran once, and the three that failed once more.
	wantCalls := map[string]int{"a": 1, "b1": 1, "b2": 2, "c1": 1, "c2": 2, "i1": 1, "i2": 2, "i3": 1}
	if diff := cmp.Diff(inv.calls, wantCalls); diff != "" {
		t.Errorf("calls (-got +want):\n%s", diff)
	}
	for i, ev := range events {
		if ev.ID != int64(i+1) {
			t.Fatalf("event %d (%s) has id %d: the history does not continue", i, ev.Type, ev.ID)
		}
	}
	var redriven, failed int
	for _, ev := range events {
		switch ev.Type {
		case ExecutionRedriven:
			redriven++
		case ExecutionFailed:
			failed++
		}
	}
	if redriven != redrives || failed != redrives {
		t.Errorf("history has %d ExecutionRedriven and %d ExecutionFailed events, want %d of each", redriven, failed, redrives)
	}
}

// A Parallel state that fails and is caught, or retried, does not leave
// outputs behind for a later visit: only a redrive reuses them.
func TestRedriveNoStaleReuse(t *testing.T) {
	const fn = "arn:aws:lambda:us-east-1:123456789012:function:work"
	def := `{"StartAt":"P","States":{
		"P":{"Type":"Parallel","ResultPath":"$.p","Next":"Z",
			"Retry":[{"ErrorEquals":["Injected"],"IntervalSeconds":1,"MaxAttempts":1}],
			"Branches":[
			{"StartAt":"B1","States":{"B1":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"b1"},"End":true}}},
			{"StartAt":"B2","States":{"B2":{"Type":"Task","Resource":"` + fn + `","Parameters":{"n":"b2"},"End":true}}}]},
		"Z":{"Type":"Succeed"}}}`
	inv := &flaky{calls: map[string]int{}, failOnce: map[string]bool{"b2": true}}
	r, _ := run(t, def, `{}`, WithLambdaInvoker(inv))
	if r.Status != StatusSucceeded {
		t.Fatalf("got %s %s", r.Status, r.Error)
	}
	// A retry reruns the whole state, as AWS documents for Retry.
	if diff := cmp.Diff(inv.calls, map[string]int{"b1": 2, "b2": 2}); diff != "" {
		t.Errorf("calls (-got +want):\n%s", diff)
	}
}

// A succeeded execution has no redrive point.
func TestRedrivePointSucceeded(t *testing.T) {
	m := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, WithClock(NewVirtualClock(epoch)))
	e := m.Start(t.Context(), map[string]any{})
	wait(t, e)
	if p := e.RedrivePoint(); p != nil {
		t.Errorf("succeeded execution: got redrive point at %q, want none", p.State)
	}
}
