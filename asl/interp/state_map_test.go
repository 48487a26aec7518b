package interp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Parallel runs every branch on the same input and outputs their results
// in branch order; a failing branch fails the state with its error.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
func TestParallel(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":{"v.$":"$.v"},"ResultPath":"$.out","End":true,"Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":5,"Next":"A"},"A":{"Type":"Pass","Parameters":{"a.$":"$.v"},"End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","End":true}}}]}}}`
	r, ev := run(t, def, `{"v":1}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	if diff := cmp.Diff(`{"out":[{"a":1},"b"],"v":1}`, canon(t, r.Output)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if got := at(t, ev, ParallelStateExited, "P"); got != 5*time.Second {
		t.Errorf("parallel ended at %v, want 5s", got)
	}

	failing := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
		"Catch":[{"ErrorEquals":["Branch.Broke"],"ResultPath":"$.err","Next":"H"}],"Branches":[
		{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":100,"End":true}}},
		{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Branch.Broke","Cause":"c"}}}]},"H":{"Type":"Pass","End":true}}}`
	r, ev = run(t, failing, `{}`)
	if diff := cmp.Diff(`{"err":{"Cause":"c","Error":"Branch.Broke"}}`, canon(t, r.Output)); diff != "" {
		t.Errorf("caught output (-want +got):\n%s", diff)
	}
	// The failure stops the waiting branch: the execution does not wait
	// its 100 seconds.
	if got := r.StopDate.Sub(r.StartDate); got != 0 {
		t.Errorf("execution took %v, want 0", got)
	}
}

// concurrencyProbe is a task that takes one virtual second and records the
// most invocations in flight at once.
type concurrencyProbe struct {
	clock    Clock
	mu       sync.Mutex
	inFlight int
	max      int
}

func (p *concurrencyProbe) InvokeTask(ctx context.Context, req TaskRequest) (any, error) {
	p.mu.Lock()
	p.inFlight++
	p.max = max(p.max, p.inFlight)
	p.mu.Unlock()
	err := Sleep(ctx, p.clock, time.Second)
	p.mu.Lock()
	p.inFlight--
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if in, _ := req.Input.(map[string]any); in["fail"] == true {
		return nil, Fail("Item.Failed", "bad item")
	}
	return req.Input, nil
}

// Map: ItemsPath, ItemSelector with $$.Map.Item, MaxConcurrency with real
// goroutines (items overlap in virtual time up to the limit), results in
// item order.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
func TestMapConcurrency(t *testing.T) {
	tests := []struct {
		name         string
		concurrency  string
		wantMax      int
		wantDuration time.Duration
	}{
		{"unlimited", `"MaxConcurrency":0`, 6, time.Second},
		{"two at a time", `"MaxConcurrency":2`, 2, 3 * time.Second},
		{"one at a time", `"MaxConcurrency":1`, 1, 6 * time.Second},
		{"from a path", `"MaxConcurrencyPath":"$.limit"`, 3, 2 * time.Second},
		{"inline ceiling of 40", `"MaxConcurrency":0`, 40, 2 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewVirtualClock(epoch)
			probe := &concurrencyProbe{clock: clock}
			m := compile(t, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",`+tc.concurrency+`,
				"ItemSelector":{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","k.$":"$.k"},
				"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:probe","End":true}}},"End":true}}}`,
				WithClock(clock), WithTaskInvoker(probe))
			items, want := `["a","b","c","d","e","f"]`, `[{"i":0,"k":"x","v":"a"},{"i":1,"k":"x","v":"b"},{"i":2,"k":"x","v":"c"},{"i":3,"k":"x","v":"d"},{"i":4,"k":"x","v":"e"},{"i":5,"k":"x","v":"f"}]`
			if tc.wantMax == 40 {
				items, want = "["+strings.Repeat(`"z",`, 79)+`"z"]`, ""
			}
			r := wait(t, m.Start(context.Background(), mustJSON(t, `{"k":"x","limit":3,"items":`+items+`}`)))
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(want, canon(t, r.Output)); want != "" && diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if probe.max != tc.wantMax {
				t.Errorf("max in flight: got %d, want %d", probe.max, tc.wantMax)
			}
			if got := r.StopDate.Sub(r.StartDate); got != tc.wantDuration {
				t.Errorf("duration: got %v, want %v", got, tc.wantDuration)
			}
		})
	}
}

// A failed iteration fails the Map with its error; with a tolerated
// failure count or percentage the Map succeeds until the threshold is
// passed, then fails with States.ExceedToleratedFailureThreshold.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
func TestMapFailures(t *testing.T) {
	tests := []struct {
		name, tolerance, wantError string
	}{
		{"no tolerance", ``, "Item.Failed"},
		{"count tolerates two", `"ToleratedFailureCount":2,`, ""},
		{"count exceeded", `"ToleratedFailureCount":1,`, "States.ExceedToleratedFailureThreshold"},
		{"percentage tolerates half", `"ToleratedFailurePercentage":50,`, ""},
		{"percentage exceeded", `"ToleratedFailurePercentage":25,`, "States.ExceedToleratedFailureThreshold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := NewVirtualClock(epoch)
			m := compile(t, `{"StartAt":"M","States":{"M":{"Type":"Map",`+tc.tolerance+`"MaxConcurrency":1,
				"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:probe","End":true}}},"End":true}}}`,
				WithClock(clock), WithTaskInvoker(&concurrencyProbe{clock: clock}))
			r := wait(t, m.Start(context.Background(), mustJSON(t, `[{"fail":true},{},{"fail":true},{}]`)))
			if r.Error != tc.wantError {
				t.Errorf("error: got %q (%s), want %q", r.Error, r.Status, tc.wantError)
			}
		})
	}
}

// Variables: Assign takes effect after the state; a Map iteration reads
// the outer scope, and its own assignments stay inside it.
// https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
func TestVariables(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"x":1,"y.$":"$.y"},"Next":"B"},
		"B":{"Type":"Pass","Assign":{"x":2,"old.$":"$x"},"Parameters":{"x.$":"$x"},"Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$$.Execution.Input.items","ResultPath":"$.m","Next":"C","ItemProcessor":{"StartAt":"I","States":{
			"I":{"Type":"Pass","Assign":{"inner.$":"$"},"Next":"J"},
			"J":{"Type":"Pass","Parameters":{"outer.$":"$x","inner.$":"$inner"},"End":true}}}},
		"C":{"Type":"Pass","Parameters":{"x.$":"$x","old.$":"$old","y.$":"$y","m.$":"$.m"},"End":true}}}`
	r, ev := run(t, def, `{"y":"why","items":[7,8]}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	want := `{"m":[{"inner":7,"outer":2},{"inner":8,"outer":2}],"old":1,"x":2,"y":"why"}`
	if diff := cmp.Diff(want, canon(t, r.Output)); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	var assigned map[string]string
	for _, e := range ev {
		if d := e.StateExitedEventDetails; d != nil && d.Name == "A" {
			assigned = d.AssignedVariables
		}
	}
	if diff := cmp.Diff(map[string]string{"x": "1", "y": `"why"`}, assigned); diff != "" {
		t.Errorf("assignedVariables (-want +got):\n%s", diff)
	}
	// An inner variable is not visible outside the iteration.
	bad := `{"StartAt":"M","States":{"M":{"Type":"Map","Next":"C","ItemProcessor":{"StartAt":"I","States":{
			"I":{"Type":"Pass","Assign":{"inner":1},"End":true}}}},
		"C":{"Type":"Pass","Parameters":{"v.$":"$inner"},"End":true}}}`
	if r, _ := run(t, bad, `[1]`); r.Error != "States.Runtime" {
		t.Errorf("inner variable outside: got %s %q, want States.Runtime", r.Status, r.Error)
	}
}

// Events of a branch chain through previousEventId within the branch, and
// ids are unique and dense.
func TestParallelEventChains(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
		{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A2"},"A2":{"Type":"Pass","End":true}}},
		{"StartAt":"B","States":{"B":{"Type":"Pass","Next":"B2"},"B2":{"Type":"Pass","End":true}}}]}}}`
	_, ev := run(t, def, `{}`)
	byID := map[int64]HistoryEvent{}
	for i, e := range ev {
		if e.ID != int64(i+1) {
			t.Fatalf("event %d has id %d", i, e.ID)
		}
		byID[e.ID] = e
	}
	name := func(e HistoryEvent) string {
		if e.StateEnteredEventDetails != nil {
			return e.StateEnteredEventDetails.Name
		}
		if e.StateExitedEventDetails != nil {
			return e.StateExitedEventDetails.Name
		}
		return string(e.Type)
	}
	for _, e := range ev {
		if e.Type == PassStateEntered && (name(e) == "A2" || name(e) == "B2") {
			prev := byID[e.PreviousEventID]
			if prev.Type != PassStateExited || name(prev)[0] != name(e)[0] {
				t.Errorf("%s %s follows %s %s, want the exit of its own branch's previous state", e.Type, name(e), prev.Type, name(prev))
			}
		}
		if e.Type == PassStateEntered && (name(e) == "A" || name(e) == "B") && byID[e.PreviousEventID].Type != ParallelStateStarted {
			t.Errorf("branch start %s follows %s, want ParallelStateStarted", name(e), byID[e.PreviousEventID].Type)
		}
	}
}

// An ItemSelector that reads only $$.Map.Item.Index and $$.Map.Item.Value
// gets its $$.Map from maps used again; one that can return $$.Map.Item or
// $$.Map itself gets new ones, which its output keeps.
func TestMapItemContextReuse(t *testing.T) {
	tests := []struct {
		name       string
		selector   string
		wantLeaves bool
		want       string
	}{
		{"leaves", `{"i.$":"$$.Map.Item.Index","v.$":"$$.Map.Item.Value","n.$":"$$.Map.Item.Value.n"}`, true,
			`[{"i":0,"n":1,"v":{"n":1}},{"i":1,"n":2,"v":{"n":2}},{"i":2,"n":3,"v":{"n":3}}]`},
		{"item", `{"item.$":"$$.Map.Item"}`, false,
			`[{"item":{"Index":0,"Value":{"n":1}}},{"item":{"Index":1,"Value":{"n":2}}},{"item":{"Index":2,"Value":{"n":3}}}]`},
		{"map", `{"m.$":"$$.Map","i.$":"$$.Map.Item.Index"}`, false,
			`[{"i":0,"m":{"Item":{"Index":0,"Value":{"n":1}}}},{"i":1,"m":{"Item":{"Index":1,"Value":{"n":2}}}},{"i":2,"m":{"Item":{"Index":2,"Value":{"n":3}}}}]`},
		{"intrinsic", `{"a.$":"States.Array($$.Map.Item.Value, $$.Map.Item.Index)"}`, true,
			`[{"a":[{"n":1},0]},{"a":[{"n":2},1]},{"a":[{"n":3},2]}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","ItemSelector":` + tc.selector + `,
				"ItemProcessor":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
			m := compile(t, def, WithClock(SystemClock()))
			if got := m.top.states["M"].mapItemLeaves; got != tc.wantLeaves {
				t.Errorf("mapItemLeaves = %v, want %v", got, tc.wantLeaves)
			}
			// Twice: the second run's iterations get the maps the first one used.
			for range 2 {
				r := m.Run(t.Context(), mustJSON(t, `{"items":[{"n":1},{"n":2},{"n":3}]}`))
				if r.Status != StatusSucceeded {
					t.Fatalf("got %s %s: %s", r.Status, r.Error, r.Cause)
				}
				if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
					t.Errorf("output (-got +want):\n%s", diff)
				}
			}
		})
	}
}

// The iterations of a Map whose processor runs one after another on the
// Map state's goroutine (instant states only) share nothing: a variable
// one iteration assigns is not seen by the next, which reads the outer one.
func TestInlineIterationsShareNothing(t *testing.T) {
	const def = `{"StartAt":"Init","States":{
		"Init":{"Type":"Pass","Assign":{"z":"outer"},"Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","End":true,"ItemProcessor":{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.even","BooleanEquals":true,"Next":"A"}],"Default":"B"},
			"A":{"Type":"Pass","Assign":{"z.$":"$.n"},"Next":"B"},
			"B":{"Type":"Pass","Parameters":{"n.$":"$.n","z.$":"$z"},"ResultPath":"$.r","Next":"P"},
			"P":{"Type":"Parallel","ResultPath":"$.p","End":true,"Branches":[
				{"StartAt":"L","States":{"L":{"Type":"Pass","Parameters":{"z.$":"$z"},"End":true}}}]}}}}}}`
	r, _ := run(t, def, `{"items":[{"n":0,"even":true},{"n":1,"even":false},{"n":2,"even":true},{"n":3,"even":false}]}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("got %s %s: %s", r.Status, r.Error, r.Cause)
	}
	want := `[{"even":true,"n":0,"p":[{"z":0}],"r":{"n":0,"z":0}},{"even":false,"n":1,"p":[{"z":"outer"}],"r":{"n":1,"z":"outer"}},` +
		`{"even":true,"n":2,"p":[{"z":2}],"r":{"n":2,"z":2}},{"even":false,"n":3,"p":[{"z":"outer"}],"r":{"n":3,"z":"outer"}}]`
	if diff := cmp.Diff(canon(t, r.Output), want); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
}

// An inline Map whose ItemSelector's object is free once its iteration has
// succeeded builds the next item's object in it; the outputs are those of
// objects made anew, whether the processor's output may hold the object
// (then it is not reused) or only values inside it.
func TestMapFreesItems(t *testing.T) {
	const selector = `"ItemSelector":{"index.$":"$$.Map.Item.Index","value.$":"$$.Map.Item.Value","nested":{"v.$":"$$.Map.Item.Value"}}`
	tests := []struct {
		name      string
		processor string
		frees     bool
		want      string
	}{
		{"values", `{"Type":"Pass","Parameters":{"i.$":"$.index","v.$":"$.value"},"End":true}`, true,
			`[{"i":0,"v":"a"},{"i":1,"v":{"k":1}},{"i":2,"v":"c"}]`},
		{"a nested object", `{"Type":"Pass","Parameters":{"n.$":"$.nested"},"End":true}`, true,
			`[{"n":{"v":"a"}},{"n":{"v":{"k":1}}},{"n":{"v":"c"}}]`},
		{"the object itself", `{"Type":"Pass","Parameters":{"all.$":"$"},"End":true}`, false,
			`[{"all":{"index":0,"nested":{"v":"a"},"value":"a"}},{"all":{"index":1,"nested":{"v":{"k":1}},"value":{"k":1}}},{"all":{"index":2,"nested":{"v":"c"},"value":"c"}}]`},
		{"the input as output", `{"Type":"Pass","Parameters":{"i.$":"$.index"},"ResultPath":"$.r","End":true}`, false,
			`[{"index":0,"nested":{"v":"a"},"r":{"i":0},"value":"a"},{"index":1,"nested":{"v":{"k":1}},"r":{"i":1},"value":{"k":1}},{"index":2,"nested":{"v":"c"},"r":{"i":2},"value":"c"}]`},
		{"no parameters", `{"Type":"Pass","End":true}`, false,
			`[{"index":0,"nested":{"v":"a"},"value":"a"},{"index":1,"nested":{"v":{"k":1}},"value":{"k":1}},{"index":2,"nested":{"v":"c"},"value":"c"}]`},
		{"a variable", `{"Type":"Pass","Parameters":{"i.$":"$.index"},"Assign":{"x.$":"$"},"End":true}`, false,
			`[{"i":0},{"i":1},{"i":2}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items",` + selector + `,
				"ItemProcessor":{"StartAt":"P","States":{"P":` + tc.processor + `}},"ResultPath":"$.out","OutputPath":"$.out","End":true}}}`
			m := compile(t, def, WithClock(SystemClock()))
			if got := m.top.states["M"].mapSpec.freesItems; got != tc.frees {
				t.Errorf("freesItems = %v, want %v", got, tc.frees)
			}
			for run := range 2 {
				r := m.Run(t.Context(), mustJSON(t, `{"items":["a",{"k":1},"c"]}`))
				if r.Status != StatusSucceeded {
					t.Fatalf("got %s %s: %s, want SUCCEEDED", r.Status, r.Error, r.Cause)
				}
				if diff := cmp.Diff(canon(t, r.Output), tc.want); diff != "" {
					t.Errorf("run %d: output (-got +want):\n%s", run, diff)
				}
			}
		})
	}
}
