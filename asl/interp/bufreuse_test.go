package interp

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunReusesBuffersSafely runs executions one after another, and side by side, on one machine (Run hands
// a finished execution's rendering buffers to the next) and checks that every history and output is what
// the same execution gives on a machine of its own: no text of one execution shows in another's.
func TestRunReusesBuffersSafely(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"big.$":"$.big","n.$":"$.n","k":"static"},"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Pass","Parameters":{"n.$":"$.a.n","name.$":"$$.Execution.Name"},"End":true}}}`
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	inputs := []string{
		`{"big":"` + strings.Repeat("x", 3000) + `","n":1}`,
		`{"big":"y","n":2}`,
		`{"big":"` + strings.Repeat("z", 100<<10) + `","n":3}`,
		`{"big":[1,2,3],"n":4}`,
	}
	texts := func(m *Machine, input, name string) string {
		var h HistoryLog
		r := m.Run(context.Background(), mustJSON(t, input), WithHistory(&h), WithExecutionName(name))
		if r.Status != StatusSucceeded {
			t.Fatalf("%s: %s (%s: %s)", name, r.Status, r.Error, r.Cause)
		}
		b, err := json.Marshal(map[string]any{"events": h.Events(), "output": r.Output})
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	want := map[string]string{}
	for i, in := range inputs {
		name := "exec-" + string(rune('a'+i))
		want[name] = texts(compile(t, def, WithClock(NewVirtualClock(start))), in, name)
	}
	shared := compile(t, def, WithClock(NewVirtualClock(start)))
	for range 3 {
		for i, in := range inputs {
			name := "exec-" + string(rune('a'+i))
			if diff := cmp.Diff(texts(shared, in, name), want[name]); diff != "" {
				t.Fatalf("%s after other executions (-got +want):\n%s", name, diff)
			}
		}
	}
	var wg sync.WaitGroup
	for i, in := range inputs {
		name := "exec-" + string(rune('a'+i))
		wg.Go(func() {
			for range 5 {
				if got := texts(shared, in, name); got != want[name] {
					t.Errorf("%s beside other executions: history differs", name)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestRunRecyclesExecutionsSafely runs executions with Run side by side on one machine (Run hands an
// ended execution to the next when nothing refers to it) and checks that each result, kept until every
// execution has run, is the one the same execution gives on a machine of its own: no execution's state
// shows in another's, and the values a result holds (the context object's maps among them) stay as
// they were.
func TestRunRecyclesExecutionsSafely(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"n.$":"$.n","exec.$":"$$.Execution","name.$":"$$.Execution.Name"},"ResultPath":"$.a","Next":"P"},
		"P":{"Type":"Parallel","Branches":[
			{"StartAt":"L","States":{"L":{"Type":"Pass","Parameters":{"sm.$":"$$.StateMachine.Name","n.$":"$.n"},"End":true}}},
			{"StartAt":"R","States":{"R":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"i.$":"$$.Map.Item.Index","name.$":"$$.Execution.Name"},
				"ItemProcessor":{"StartAt":"S","States":{"S":{"Type":"Pass","End":true}}},"End":true}}}],
			"ResultPath":"$.p","Next":"C"},
		"C":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":3,"Next":"F"}],"Default":"D"},
		"D":{"Type":"Succeed"},
		"F":{"Type":"Fail","Error":"Three","Cause":"n is 3"}}}`
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	input := func(i int) string {
		return `{"n":` + strconv.Itoa(i%5) + `,"items":[` + strings.Repeat(`1,`, i%4) + `0]}`
	}
	result := func(r Result) string {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const n = 40
	want := make([]string, n)
	for i := range n {
		m := compile(t, def, WithClock(NewVirtualClock(start)))
		want[i] = result(m.Run(context.Background(), mustJSON(t, input(i)), WithExecutionName("exec-"+strconv.Itoa(i))))
	}
	shared := compile(t, def, WithClock(NewVirtualClock(start)))
	got := make([]Result, n)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				ctx := context.Background()
				if i%3 == 1 {
					// A host context that can end (never does here): recycled all the same.
					c, cancel := context.WithCancel(ctx)
					defer cancel()
					ctx = c
				}
				got[i] = shared.Run(ctx, mustJSON(t, input(i)), WithExecutionName("exec-"+strconv.Itoa(i)))
			}
		})
	}
	wg.Wait()
	for i := range n {
		if diff := cmp.Diff(result(got[i]), want[i]); diff != "" {
			t.Errorf("exec-%d, kept while the others ran (-got +want):\n%s", i, diff)
		}
	}
}

// TestRecycleOnlyWhatNothingHolds checks which ended executions recycle hands to the next execution: an
// instant program's, and none the interpreter or its host may still refer to.
func TestRecycleOnlyWhatNothingHolds(t *testing.T) {
	const instant = `{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`
	tests := []struct {
		name    string
		def     string
		prepare func(e *Execution) // after the execution ended, before recycle
		want    bool
	}{
		{"instant", instant, nil, true},
		{"a wait", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"End":true}}}`, nil, false},
		{"a machine timeout", `{"TimeoutSeconds":60,"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}`, nil, false},
		{"done asked for", instant, func(e *Execution) { e.Done() }, false},
		{"the host's context hooked", instant, func(e *Execution) { e.root.hostHook() }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := compile(t, tt.def, WithClock(NewVirtualClock(epoch)))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			e := m.RunExecution(ctx, mustJSON(t, `{}`))
			if r := e.Result(); r.Status != StatusSucceeded {
				t.Fatalf("status %s (%s: %s)", r.Status, r.Error, r.Cause)
			}
			if tt.prepare != nil {
				// An ended root scope is not hooked again: make it look as if
				// it had been, before it ended.
				e.rootScope.mu.Lock()
				done := e.rootScope.done
				e.rootScope.done = false
				e.rootScope.mu.Unlock()
				tt.prepare(e)
				e.rootScope.mu.Lock()
				e.rootScope.done = done
				e.rootScope.mu.Unlock()
			}
			e.recycle()
			if got := e.m == nil; got != tt.want {
				t.Errorf("recycled: got %v, want %v", got, tt.want)
			}
		})
	}
}
