package interp

import (
	"context"
	"encoding/json"
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
