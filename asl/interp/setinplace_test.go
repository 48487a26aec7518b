package interp

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// setInPlaceDef chains Pass states that set their ResultPath's field in the
// object the previous one made (A, B, D, R, N), with states between that
// must not see it change: one whose payload holds its whole input (Keep),
// a Choice, a nested ResultPath, an OutputPath, and Parallel and Map
// states whose children chain such Pass states too.
const setInPlaceDef = `{"StartAt":"A","States":{
	"A":{"Type":"Pass","Parameters":{"step":1,"prev.$":"$.acc.step","id.$":"$.id"},"ResultPath":"$.acc","Next":"B"},
	"B":{"Type":"Pass","Parameters":{"step":2,"prev.$":"$.acc.step","tags.$":"$.tags"},"ResultPath":"$.acc","Next":"Keep"},
	"Keep":{"Type":"Pass","Parameters":{"all.$":"$"},"ResultPath":"$.kept","Next":"C"},
	"C":{"Type":"Choice","Choices":[{"Variable":"$.acc.step","NumericEquals":2,"Next":"D"}],"Default":"Z"},
	"D":{"Type":"Pass","Parameters":{"step":3,"prev.$":"$.acc.step","keptStep.$":"$.kept.all.acc.step"},"ResultPath":"$.acc","Next":"R"},
	"R":{"Type":"Pass","Result":{"fixed":true},"ResultPath":"$.r","Next":"Nest"},
	"Nest":{"Type":"Pass","Parameters":{"v.$":"$.acc.step"},"ResultPath":"$.kept.all.deep","Next":"N"},
	"N":{"Type":"Pass","Parameters":{"new.$":"$.acc.prev"},"ResultPath":"$.fresh","Next":"Par"},
	"Par":{"Type":"Parallel","ResultPath":"$.par","Next":"Map","Branches":[
		{"StartAt":"P1","States":{
			"P1":{"Type":"Pass","Parameters":{"s":1},"ResultPath":"$.b","Next":"P2"},
			"P2":{"Type":"Pass","Parameters":{"s":2,"was.$":"$.b.s"},"ResultPath":"$.b","End":true}}},
		{"StartAt":"Q1","States":{
			"Q1":{"Type":"Pass","Parameters":{"s":1},"ResultPath":"$.b","Next":"Q2"},
			"Q2":{"Type":"Pass","Parameters":{"s":2},"ResultPath":"$.b","OutputPath":"$.b","End":true}}}]},
	"Map":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","Next":"Z",
		"ItemProcessor":{"StartAt":"I1","States":{
			"I1":{"Type":"Pass","Parameters":{"i.$":"$.n"},"ResultPath":"$.x","Next":"I2"},
			"I2":{"Type":"Pass","Parameters":{"i.$":"$.x.i","j":0},"ResultPath":"$.x","End":true}}}},
	"Z":{"Type":"Pass","Parameters":{"step":9,"prev.$":"$.acc.step"},"ResultPath":"$.acc","End":true}}}`

const setInPlaceInput = `{"id":"order-1","tags":["a","b"],"acc":{"step":0},"items":[{"n":1},{"n":2},{"n":3}]}`

// payloads returns the type and payload texts of each event, in order.
func payloads(events []HistoryEvent) []string {
	var out []string
	for _, ev := range events {
		s := string(ev.Type)
		switch {
		case ev.StateEnteredEventDetails != nil:
			s += " " + ev.StateEnteredEventDetails.Name + " " + ev.StateEnteredEventDetails.Input
		case ev.StateExitedEventDetails != nil:
			s += " " + ev.StateExitedEventDetails.Name + " " + ev.StateExitedEventDetails.Output
		case ev.ExecutionSucceededEventDetails != nil:
			s += " " + ev.ExecutionSucceededEventDetails.Output
		}
		out = append(out, s)
	}
	return out
}

// A Pass state that sets its ResultPath's field in the object the previous
// state made, rather than in a copy, gives the same outputs and history as
// copying does (a host taking checkpoints gets copies), and leaves the
// host's input alone.
func TestSetInPlace(t *testing.T) {
	m := compile(t, setInPlaceDef, WithClock(SystemClock()))
	runOnce := func(opts ...ExecOption) (Result, []string, string) {
		input := mustJSON(t, setInPlaceInput)
		var h HistoryLog
		r := m.Run(t.Context(), input, append(opts, WithHistory(&h))...)
		if r.Status != StatusSucceeded {
			t.Fatalf("got %s %s: %s, want SUCCEEDED", r.Status, r.Error, r.Cause)
		}
		return r, payloads(h.Events()), canon(t, input)
	}
	got, gotEvents, gotInput := runOnce()
	want, wantEvents, _ := runOnce(WithCheckpoint(func(Snapshot) {}))
	if diff := cmp.Diff(gotEvents, wantEvents); diff != "" {
		t.Errorf("history (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(canon(t, got.Output), canon(t, want.Output)); diff != "" {
		t.Errorf("output (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(gotInput, canon(t, mustJSON(t, setInPlaceInput))); diff != "" {
		t.Errorf("the host's input changed (-got +want):\n%s", diff)
	}
	// The object Keep kept is the one B made, as B made it.
	kept := got.Output.(map[string]any)["kept"].(map[string]any)["all"].(map[string]any)
	if diff := cmp.Diff(canon(t, kept["acc"]), `{"prev":1,"step":2,"tags":["a","b"]}`); diff != "" {
		t.Errorf("kept acc (-got +want):\n%s", diff)
	}
}

// A state that set its field in place and then failed, or after which the
// execution stopped, leaves its input as it got it for a redrive.
func TestSetInPlaceRedrivePoint(t *testing.T) {
	const def = `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"step":1},"ResultPath":"$.acc","Next":"B"},
		"B":{"Type":"Pass","Parameters":{"step":2,"pad.$":"$.pad"},"ResultPath":"$.acc","Next":"C"},
		"C":{"Type":"Pass","Parameters":{"step":3,"pad.$":"$.pad","more.$":"$.pad"},"ResultPath":"$.big","End":true}}}`
	input := `{"pad":"` + fmt.Sprintf("%0100d", 0) + `"}`
	tests := []struct {
		name      string
		opt       Option
		wantState string
		wantInput string
		wantError string
	}{
		// C's output is over the limit: C fails after setting its field.
		{"payload limit", WithPayloadLimit(400), "C", `{"acc":{"pad":"` + fmt.Sprintf("%0100d", 0) + `","step":2},"pad":"` + fmt.Sprintf("%0100d", 0) + `"}`, "States.DataLimitExceeded"},
		// The limit stops the execution at B's entered event: B runs to
		// its end, and the execution stops before C.
		{"history limit", WithHistoryLimit(5), "B", `{"acc":{"step":1},"pad":"` + fmt.Sprintf("%0100d", 0) + `"}`, "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := compile(t, def, WithClock(SystemClock()), tc.opt)
			e := m.Start(context.Background(), mustJSON(t, input))
			r := wait(t, e)
			if r.Status != StatusFailed || r.Error != tc.wantError {
				t.Fatalf("got %s %s (%s), want FAILED %s", r.Status, r.Error, r.Cause, tc.wantError)
			}
			p := e.RedrivePoint()
			if p == nil {
				t.Fatal("no redrive point")
			}
			if p.State != tc.wantState {
				t.Errorf("redrive state %q, want %q", p.State, tc.wantState)
			}
			if diff := cmp.Diff(canon(t, p.StateInput), tc.wantInput); diff != "" {
				t.Errorf("redrive input (-got +want):\n%s", diff)
			}
		})
	}
}

// A template's payload holds its input only through "$" alone.
func TestCanSetInPlace(t *testing.T) {
	tests := []struct {
		state string
		want  bool
	}{
		{`{"Type":"Pass","Parameters":{"a.$":"$.a"},"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Pass","Result":{"a":1},"ResultPath":"$.r","End":true}`, true},
		{`{"Type":"Pass","ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"$"},"ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"States.Array($)"},"ResultPath":"$.r","End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"$.a"},"ResultPath":"$.r.s","End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"$.a"},"ResultPath":"$.r","OutputPath":"$.r","End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"$.a"},"ResultPath":"$.r","Assign":{"x.$":"$"},"End":true}`, false},
		{`{"Type":"Pass","Parameters":{"a.$":"$.a"},"End":true}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.state, func(t *testing.T) {
			m := compile(t, `{"StartAt":"S","States":{"S":`+tc.state+`}}`)
			if got := m.top.states["S"].setsInPlace; got != tc.want {
				t.Errorf("setsInPlace = %v, want %v", got, tc.want)
			}
		})
	}
}

// An object a Pass state made with its Parameters and a later state
// replaced (with Parameters that cannot hold it) is built over by a later
// template; what refers to it or to values inside it keeps seeing them
// as they were: the outputs and history match a run that copies (a
// checkpointing host), run after run, and a template's constant is never
// built over.
func TestSetInPlaceFreedObjects(t *testing.T) {
	const def = `{"StartAt":"S1","States":{
		"S1":{"Type":"Pass","Parameters":{"v":1,"n":{"w.$":"$.id"}},"ResultPath":"$.acc","Next":"S2"},
		"S2":{"Type":"Pass","Parameters":{"v":2,"prevN.$":"$.acc.n"},"ResultPath":"$.acc","Next":"S3"},
		"S3":{"Type":"Pass","Parameters":{"v":3,"hold.$":"$.acc"},"ResultPath":"$.acc","Next":"S4"},
		"S4":{"Type":"Pass","Parameters":{"v":4,"x.$":"$.acc.v","h.$":"$.acc.hold.prevN"},"ResultPath":"$.acc","Next":"S5"},
		"S5":{"Type":"Pass","Parameters":{"v":5,"y.$":"$.acc.x"},"ResultPath":"$.acc","Next":"S6"},
		"S6":{"Type":"Pass","Parameters":{"v":6,"z.$":"$.acc.y"},"ResultPath":"$.acc","Next":"K1"},
		"K1":{"Type":"Pass","Parameters":{"c":1},"ResultPath":"$.k","Next":"K2"},
		"K2":{"Type":"Pass","Parameters":{"c":2},"ResultPath":"$.k","Next":"K3"},
		"K3":{"Type":"Pass","Parameters":{"c":3},"ResultPath":"$.k","Next":"S7"},
		"S7":{"Type":"Pass","Parameters":{"v":7,"k.$":"$.k"},"ResultPath":"$.acc","Next":"S8"},
		"S8":{"Type":"Pass","Parameters":{"v":8},"ResultPath":"$.acc","Next":"S9"},
		"S9":{"Type":"Pass","Parameters":{"v":9,"s.$":"States.Format('{}', $.acc.v)"},"ResultPath":"$.acc","End":true}}}`
	m := compile(t, def, WithClock(SystemClock()))
	if !m.top.states["S2"].freesOld || m.top.states["S3"].freesOld || m.top.states["K2"].freesOld {
		t.Fatalf("freesOld: S2 %v S3 %v K2 %v, want true false false",
			m.top.states["S2"].freesOld, m.top.states["S3"].freesOld, m.top.states["K2"].freesOld)
	}
	runOnce := func(opts ...ExecOption) (string, []string) {
		var h HistoryLog
		r := m.Run(t.Context(), mustJSON(t, `{"id":"order-1"}`), append(opts, WithHistory(&h))...)
		if r.Status != StatusSucceeded {
			t.Fatalf("got %s %s: %s, want SUCCEEDED", r.Status, r.Error, r.Cause)
		}
		return canon(t, r.Output), payloads(h.Events())
	}
	want, wantEvents := runOnce(WithCheckpoint(func(Snapshot) {}))
	const wantOutput = `{"acc":{"s":"8","v":9},"id":"order-1","k":{"c":3}}`
	if diff := cmp.Diff(want, wantOutput); diff != "" {
		t.Fatalf("copying run's output (-got +want):\n%s", diff)
	}
	for run := range 3 {
		got, gotEvents := runOnce()
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("run %d: output (-got +want):\n%s", run, diff)
		}
		if diff := cmp.Diff(gotEvents, wantEvents); diff != "" {
			t.Errorf("run %d: history (-got +want):\n%s", run, diff)
		}
	}
}

// freedNestedDef chains Pass states whose Parameters make nested objects.
// A later template builds its objects in those of a freed one where
// nothing refers to them (S3 in S1's n and n.d, S5 in S3's, S8 in S6's),
// and not where the state that freed it took one of them (S3 holds S2's
// n.d, S5 S4's n, S6 an object of an array S5 made), nor where the maker
// put another state's value (S8's keep, where S6 passed S2's n.d on). keep
// and keep2 carry S2's n.d, and m S4's n, to the end.
const freedNestedDef = `{"StartAt":"S1","States":{
	"S1":{"Type":"Pass","Parameters":{"v":1,"n":{"w.$":"$.id","d":{"x.$":"$.id"}},"arr":[{"a.$":"$.id"}]},"ResultPath":"$.acc","Next":"S2"},
	"S2":{"Type":"Pass","Parameters":{"v":2,"n":{"w":"two","d":{"x":2,"y.$":"$.id"}},"p.$":"$.acc.n.w","q.$":"$.acc.n.d.x"},"ResultPath":"$.acc","Next":"S3"},
	"S3":{"Type":"Pass","Parameters":{"v":3,"n":{"w.$":"$.id","d":{"z":3,"y.$":"$.id"}},"keep.$":"$.acc.n.d","keep2.$":"$.acc.n.d"},"ResultPath":"$.acc","Next":"S4"},
	"S4":{"Type":"Pass","Parameters":{"v":4,"n":{"d":{"x.$":"$.id","c":4},"e":{"k.$":"$.acc.keep.x"}},"keep.$":"$.acc.keep","keep2.$":"$.acc.keep2"},"ResultPath":"$.acc","Next":"S5"},
	"S5":{"Type":"Pass","Parameters":{"v":5,"n":{"w":5,"d":{"q.$":"$.id"}},"m.$":"$.acc.n","arr":[{"b.$":"$.id"}],"keep.$":"$.acc.keep","keep2.$":"$.acc.keep2"},"ResultPath":"$.acc","Next":"S6"},
	"S6":{"Type":"Pass","Parameters":{"v":6,"n":{"d":{"w.$":"$.id"},"e":{"w":6}},"a.$":"$.acc.arr[0]","keep.$":"$.acc.keep","keep2.$":"$.acc.keep2","m.$":"$.acc.m"},"ResultPath":"$.acc","Next":"S7"},
	"S7":{"Type":"Pass","Parameters":{"v":7,"n":{"d":{"x":7},"e":{"y.$":"$.id"}},"a.$":"$.acc.a","keep.$":"$.acc.keep","keep2.$":"$.acc.keep2","m.$":"$.acc.m"},"ResultPath":"$.acc","Next":"S8"},
	"S8":{"Type":"Pass","Parameters":{"v":8,"n":{"e":{"w.$":"$.acc.n.d.x"}},"a.$":"$.acc.a","keep":{"k.$":"$.id"},"keep2.$":"$.acc.keep2","m.$":"$.acc.m"},"ResultPath":"$.acc","Next":"S9"},
	"S9":{"Type":"Pass","Parameters":{"v":9,"n":{"e":{"w":9},"d":{"z.$":"$.acc.n.e.w"}},"a.$":"$.acc.a","keep2.$":"$.acc.keep2","m.$":"$.acc.m"},"ResultPath":"$.acc","Next":"Out"},
	"Out":{"Type":"Pass","Parameters":{"all.$":"$"},"ResultPath":"$.all","End":true}}}`

// Objects a template made inside an object a later state freed are built
// over only where nothing refers to them: outputs and history match a run
// that copies (a checkpointing host), run after run.
func TestSetInPlaceFreedNested(t *testing.T) {
	m := compile(t, freedNestedDef, WithClock(SystemClock()))
	// What the states leave free of the objects the state before made,
	// worked out at compile time.
	for name, want := range map[string]bool{"S2": true, "S3": false, "S4": true, "S5": false, "S6": false, "S7": true, "S8": true, "S9": true} {
		n := m.top.states[name]
		if len(n.madeFree) != 1 || n.madeFree[0].free != want {
			t.Errorf("%s.madeFree = %+v, want one entry, free %v", name, n.madeFree, want)
		}
	}
	runOnce := func(opts ...ExecOption) (string, []string) {
		var h HistoryLog
		r := m.Run(t.Context(), mustJSON(t, `{"id":"order-1"}`), append(opts, WithHistory(&h))...)
		if r.Status != StatusSucceeded {
			t.Fatalf("got %s %s: %s, want SUCCEEDED", r.Status, r.Error, r.Cause)
		}
		return canon(t, r.Output), payloads(h.Events())
	}
	want, wantEvents := runOnce(WithCheckpoint(func(Snapshot) {}))
	const wantAcc = `{"a":{"b":"order-1"},"keep2":{"x":2,"y":"order-1"},"m":{"d":{"c":4,"x":"order-1"},"e":{"k":2}},"n":{"d":{"z":7},"e":{"w":9}},"v":9}`
	if diff := cmp.Diff(canon(t, mustJSON(t, want).(map[string]any)["acc"]), wantAcc); diff != "" {
		t.Fatalf("copying run's acc (-got +want):\n%s", diff)
	}
	for run := range 3 {
		got, gotEvents := runOnce()
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("run %d: output (-got +want):\n%s", run, diff)
		}
		if diff := cmp.Diff(gotEvents, wantEvents); diff != "" {
			t.Errorf("run %d: history (-got +want):\n%s", run, diff)
		}
	}
}

// FuzzSetInPlace runs arbitrary definitions twice, once as any host does
// and once with checkpoints (every ResultPath then copies its input): the
// results and the events' payloads must be the same.
func FuzzSetInPlace(f *testing.F) {
	f.Add(setInPlaceDef, setInPlaceInput)
	f.Add(`{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"v":1,"n":{"w.$":"$.id"}},"ResultPath":"$.acc","Next":"B"},
		"B":{"Type":"Pass","Parameters":{"v":2,"prev.$":"$.acc.n"},"ResultPath":"$.acc","Next":"C"},
		"C":{"Type":"Pass","Parameters":{"v":3,"hold.$":"$.acc"},"ResultPath":"$.acc","Next":"D"},
		"D":{"Type":"Pass","Parameters":{"v":4,"x.$":"$.acc.hold.prev"},"ResultPath":"$.acc","Next":"E"},
		"E":{"Type":"Pass","Parameters":{"v":5},"ResultPath":"$.b","Next":"F"},
		"F":{"Type":"Pass","Parameters":{"all.$":"$"},"ResultPath":"$.acc","End":true}}}`, `{"id":"x"}`)
	f.Add(freedNestedDef, `{"id":"x"}`)
	f.Fuzz(func(t *testing.T, def, input string) {
		sm, err := asl.Parse([]byte(def))
		if err != nil {
			return
		}
		if _, err := decodeJSON([]byte(input)); err != nil {
			return
		}
		m, err := New(sm, WithClock(NewVirtualClock(epoch)), WithHistoryLimit(300), WithRandom(func() float64 { return 0.5 }),
			WithTaskInvoker(TaskInvokerFunc(func(ctx context.Context, req TaskRequest) (any, error) { return req.Input, nil })))
		if err != nil {
			return
		}
		runOnce := func(opts ...ExecOption) (Result, []string) {
			in, _ := decodeJSON([]byte(input))
			var h HistoryLog
			r := m.Run(context.Background(), in, append(opts, WithHistory(&h))...)
			p := payloads(h.Events())
			slices.Sort(p) // branches on goroutines interleave their events
			return r, p
		}
		got, gotEvents := runOnce()
		want, wantEvents := runOnce(WithCheckpoint(func(Snapshot) {}))
		if got.Status != want.Status || got.Error != want.Error || got.Cause != want.Cause {
			t.Fatalf("got %s %s (%s), copying %s %s (%s)", got.Status, got.Error, got.Cause, want.Status, want.Error, want.Cause)
		}
		if diff := cmp.Diff(render(got.Output), render(want.Output)); diff != "" {
			t.Errorf("output (-got +copying):\n%s", diff)
		}
		if diff := cmp.Diff(gotEvents, wantEvents); diff != "" {
			t.Errorf("history (-got +copying):\n%s", diff)
		}
	})
}
