package asl_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl"
)

// nested builds a machine depth states deep, Parallel and Map states
// alternating, each the only state of its parent's branch or processor;
// leaf is the innermost state's JSON.
func nested(depth int, leaf string) []byte {
	var b strings.Builder
	var open func(d int)
	open = func(d int) {
		if d == 0 {
			b.WriteString(`{"StartAt":"L","States":{"L":` + leaf + `}}`)
			return
		}
		if d%2 == 0 {
			fmt.Fprintf(&b, `{"StartAt":"P%d","States":{"P%d":{"Type":"Parallel","End":true,"Branches":[`, d, d)
			open(d - 1)
			b.WriteString(`]}}}`)
			return
		}
		fmt.Fprintf(&b, `{"StartAt":"M%d","States":{"M%d":{"Type":"Map","End":true,"ItemProcessor":`, d, d)
		open(d - 1)
		b.WriteString(`}}}`)
	}
	open(depth)
	return []byte(b.String())
}

// TestNestedLocations checks the locations of diagnostics deep inside
// branches and item processors, from the decoder and from the validator.
func TestNestedLocations(t *testing.T) {
	const at = "/States/P4/Branches[0]/States/M3/ItemProcessor/States/P2/Branches[0]/States/M1/ItemProcessor/States/L"
	tests := []struct {
		name string
		leaf string
		want []asl.Diagnostic
	}{
		{
			name: "decoder: unknown field",
			leaf: `{"Type":"Pass","End":true,"Bogus":1}`,
			want: []asl.Diagnostic{schema(at, "Field 'Bogus' is not supported")},
		},
		{
			name: "decoder: wrong type",
			leaf: `{"Type":"Pass","End":"yes"}`,
			want: []asl.Diagnostic{schema(at+"/End", "The value for the field 'End' must be a BOOLEAN")},
		},
		{
			name: "validator: missing target",
			leaf: `{"Type":"Pass","Next":"Nowhere"}`,
			want: []asl.Diagnostic{diag(asl.CodeMissingTransitionTarget, at+"/Next", "Missing 'Next' target: Nowhere")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := asl.Validate(nested(4, tt.leaf))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("Validate (-got +want):\n%s", diff)
			}
		})
	}
}

// parseBytes reports the bytes Parse allocates, the least of a few runs.
func parseBytes(t *testing.T, data []byte) float64 {
	t.Helper()
	least := -1.0
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := asl.Parse(data); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if n := float64(after.TotalAlloc - before.TotalAlloc); least < 0 || n < least {
			least = n
		}
	}
	return least
}

// TestParseLinear counts the work of Parse (decoding and validating) as
// bytes allocated per state: 2,000 states deep must cost what 100 deep
// costs. Building every state's full location up front made it quadratic.
func TestParseLinear(t *testing.T) {
	const shallow, deep = 100, 2000
	leaf := `{"Type":"Pass","End":true}`
	s := parseBytes(t, nested(shallow, leaf)) / shallow
	d := parseBytes(t, nested(deep, leaf)) / deep
	if ratio := d / s; ratio > 1.5 {
		t.Errorf("Parse allocates %.0f B/state at depth %d, %.0f B/state at depth %d: ratio %.2f, want about 1",
			d, deep, s, shallow, ratio)
	}
}

// TestValidateMethodLinear counts the work of StateMachine.Validate (encoding a machine built in Go,
// then Parse) as bytes allocated per state: each nested branch and item processor is written into its
// parent's buffer, not encoded alone and copied up at every level.
func TestValidateMethodLinear(t *testing.T) {
	const shallow, deep = 100, 1600
	perState := func(depth int) float64 {
		sm, err := asl.Parse(nested(depth, `{"Type":"Pass","End":true}`))
		if err != nil {
			t.Fatal(err)
		}
		least := -1.0
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if err := sm.Validate(); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if n := float64(after.TotalAlloc - before.TotalAlloc); least < 0 || n < least {
				least = n
			}
		}
		return least / float64(depth)
	}
	s, d := perState(shallow), perState(deep)
	if ratio := d / s; ratio > 1.5 {
		t.Errorf("Validate allocates %.0f B/state at depth %d, %.0f B/state at depth %d: ratio %.2f, want about 1",
			d, deep, s, shallow, ratio)
	}
}

// BenchmarkParseNested parses machines 100, 200, 400 and 800 states deep in
// every iteration and reports the time per state at each depth and the
// ratio of the deepest to the shallowest, about 1 while Parse is linear
// (garbage collection, paced by the live heap, adds to the deeper ones:
// GOGC=off shows the work alone).
func BenchmarkParseNested(b *testing.B) {
	depths := []int{100, 200, 400, 800}
	defs := make([][]byte, len(depths))
	for i, d := range depths {
		defs[i] = nested(d, `{"Type":"Pass","End":true}`)
	}
	spent := make([]time.Duration, len(depths))
	b.ReportAllocs()
	for b.Loop() {
		for i, def := range defs {
			t0 := time.Now()
			if _, err := asl.Parse(def); err != nil {
				b.Fatal(err)
			}
			spent[i] += time.Since(t0)
		}
	}
	perState := func(i int) float64 { return float64(spent[i].Nanoseconds()) / float64(b.N) / float64(depths[i]) }
	for i, d := range depths {
		b.ReportMetric(perState(i), fmt.Sprintf("ns/state@%d", d))
	}
	b.ReportMetric(perState(len(depths)-1)/perState(0), "deep/shallow")
}
