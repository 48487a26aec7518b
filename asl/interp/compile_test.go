package interp

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl"
)

// nestedMachine builds a machine depth states deep: Parallel and Map states
// alternate, each the only state of its parent's branch or item processor,
// and the innermost Pass state reads the context object.
func nestedMachine(depth int) string {
	var b strings.Builder
	var open func(d int)
	open = func(d int) {
		if d == 0 {
			b.WriteString(`{"StartAt":"Leaf","States":{"Leaf":{"Type":"Pass","Parameters":{"id.$":"$$.Execution.Id"},"End":true}}}`)
			return
		}
		if d%2 == 0 {
			fmt.Fprintf(&b, `{"StartAt":"P%d","States":{"P%d":{"Type":"Parallel","ResultPath":"$.r","End":true,"Branches":[`, d, d)
			open(d - 1)
			b.WriteString(`]}}}`)
			return
		}
		fmt.Fprintf(&b, `{"StartAt":"M%d","States":{"M%d":{"Type":"Map","ItemsPath":"$.items","ItemSelector":{"items":[1]},"ItemProcessor":`, d, d)
		open(d - 1)
		b.WriteString(`,"End":true}}}`)
	}
	open(depth)
	return b.String()
}

// compileBytes reports the bytes New allocates compiling sm, the least of a
// few runs so that a stray allocation elsewhere does not count.
func compileBytes(t *testing.T, sm *asl.StateMachine) float64 {
	t.Helper()
	least := -1.0
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := New(sm); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if n := float64(after.TotalAlloc - before.TotalAlloc); least < 0 || n < least {
			least = n
		}
	}
	return least
}

// TestCompileLinear counts the work of compiling, as bytes allocated, not
// its time: a state nested 400 deep must cost what a state nested 50 deep
// costs. Checking each subtree again at every level made it cubic (a
// 600-deep machine took 20 s to create).
func TestCompileLinear(t *testing.T) {
	const shallow, deep = 50, 400
	perState := func(depth int) float64 {
		sm, err := asl.Parse([]byte(nestedMachine(depth)))
		if err != nil {
			t.Fatal(err)
		}
		return compileBytes(t, sm) / float64(depth+1)
	}
	s, d := perState(shallow), perState(deep)
	if ratio := d / s; ratio > 1.5 {
		t.Errorf("compiling allocates %.0f B/state at depth %d, %.0f B/state at depth %d: ratio %.2f, want about 1",
			d, deep, s, shallow, ratio)
	}
}

// TestCompileUsesContext checks which compiled states build the context
// object: those whose own fields mention "$$", whatever their branches or
// item processor say.
func TestCompileUsesContext(t *testing.T) {
	tests := []struct {
		name string
		def  string
		want map[string]bool // state name -> usesContext, at any depth
	}{
		{
			name: "leaf reads the context, its ancestors do not",
			def:  nestedMachine(2),
			want: map[string]bool{"P2": false, "M1": false, "Leaf": true},
		},
		{
			name: "Parallel Parameters",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","Parameters":{"n.$":"$$.State.Name"},"End":true,
				"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]}}}`,
			want: map[string]bool{"P": true, "A": false},
		},
		{
			name: "Parallel Catch ResultPath and Assign",
			def: `{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
				"Catch":[{"ErrorEquals":["States.ALL"],"Assign":{"x.$":"$$.Execution.Id"},"Next":"F"}],
				"Branches":[{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}]},"F":{"Type":"Fail"}}}`,
			want: map[string]bool{"P": true, "A": false, "F": false},
		},
		{
			name: "Map ItemSelector",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","ItemSelector":{"v.$":"$$.Map.Item.Value"},"End":true,
				"ItemProcessor":{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}}}}`,
			want: map[string]bool{"M": true, "A": false},
		},
		{
			name: "Map Iterator reads the context",
			def: `{"StartAt":"M","States":{"M":{"Type":"Map","End":true,
				"Iterator":{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"i.$":"$$.Map.Item.Index"},"End":true}}}}}}`,
			want: map[string]bool{"M": false, "A": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := compile(t, tt.def)
			got := map[string]bool{}
			var walk func(p *program)
			walk = func(p *program) {
				for name, n := range p.states {
					got[name] = n.usesContext
					for _, b := range n.branches {
						walk(b)
					}
					if n.mapSpec != nil {
						walk(n.mapSpec.processor)
					}
				}
			}
			walk(m.top)
			for name, want := range tt.want {
				if got[name] != want {
					t.Errorf("state %s: usesContext %v, want %v", name, got[name], want)
				}
			}
		})
	}
}

// TestNestedRunsContext runs a nested machine, so the leaf's "$$" is proven
// to be built where it is read.
func TestNestedRunsContext(t *testing.T) {
	r, _ := run(t, nestedMachine(4), `{"items":[1]}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	out, err := json.Marshal(r.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"id":"arn:aws:states:`) {
		t.Errorf("output %s carries no execution ARN from $$.Execution.Id", out)
	}
}

// BenchmarkCompileNested compiles machines 100, 200, 400 and 800 states
// deep in every iteration and reports the time per state at each depth and
// the ratio of the deepest to the shallowest, which stays about 1 while
// compiling is linear.
func BenchmarkCompileNested(b *testing.B) {
	depths := []int{100, 200, 400, 800}
	machines := make([]*asl.StateMachine, len(depths))
	for i, d := range depths {
		sm, err := asl.Parse([]byte(nestedMachine(d)))
		if err != nil {
			b.Fatal(err)
		}
		machines[i] = sm
	}
	spent := make([]time.Duration, len(depths))
	b.ReportAllocs()
	for b.Loop() {
		for i, sm := range machines {
			t0 := time.Now()
			if _, err := New(sm); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(t0)
		}
	}
	perState := func(i int) float64 { return float64(spent[i].Nanoseconds()) / float64(b.N) / float64(depths[i]+1) }
	for i, d := range depths {
		b.ReportMetric(perState(i), fmt.Sprintf("ns/state@%d", d))
	}
	b.ReportMetric(perState(len(depths)-1)/perState(0), "deep/shallow")
}

// minStates counts the fewest states a run enters to an end, through Next,
// Choice rules and Default; a JSONata Choice counts as an end.
func TestMinStates(t *testing.T) {
	tests := []struct {
		name, def string
		want      int
	}{
		{"chain", `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"C"},"C":{"Type":"Succeed"}}}`, 3},
		{"choice takes the short way", `{"StartAt":"C","States":{
			"C":{"Type":"Choice","Choices":[{"Variable":"$.x","IsPresent":true,"Next":"A"}],"Default":"Z"},
			"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Next":"Z"},"Z":{"Type":"Pass","End":true}}}`, 2},
		{"loop with an exit", `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Next":"C"},
			"C":{"Type":"Choice","Choices":[{"Variable":"$.done","BooleanEquals":true,"Next":"F"}],"Default":"A"},
			"F":{"Type":"Fail"}}}`, 3},
		{"jsonata choice", `{"QueryLanguage":"JSONata","StartAt":"A","States":{"A":{"Type":"Pass","Next":"C"},
			"C":{"Type":"Choice","Choices":[{"Condition":"{% true %}","Next":"B"}],"Default":"B"},"B":{"Type":"Pass","End":true}}}`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sm, err := asl.Parse([]byte(tc.def))
			if err != nil {
				t.Fatal(err)
			}
			m, err := New(sm)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.top.minStates(); got != tc.want {
				t.Errorf("minStates() = %d, want %d", got, tc.want)
			}
		})
	}
}
