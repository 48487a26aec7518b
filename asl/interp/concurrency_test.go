package interp

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// One Machine serves many concurrent executions sharing one virtual clock;
// each keeps its own variables, retry counts and Map progress.
func TestConcurrentExecutions(t *testing.T) {
	clock := NewVirtualClock(epoch)
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Assign":{"me.$":"$.n"},"Next":"W"},
		"W":{"Type":"Wait","SecondsPath":"$.n","Next":"M"},
		"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,"ResultPath":"$.out","Next":"B",
			"ItemProcessor":{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:probe","End":true}}}},
		"B":{"Type":"Pass","Parameters":{"me.$":"$me","n.$":"$.n","out.$":"$.out"},"End":true}}}`
	m := compile(t, def, WithClock(clock), WithTaskInvoker(&concurrencyProbe{clock: clock}))
	const n = 30
	execs := make([]*Execution, n)
	clock.Hold() // start them all before time moves
	for i := range execs {
		execs[i] = m.Start(context.Background(), mustJSON(t, fmt.Sprintf(`{"n":%d,"items":[%d,%d,%d]}`, i, i, i+1, i+2)))
	}
	clock.Release()
	for i, e := range execs {
		r := wait(t, e)
		want := fmt.Sprintf(`{"me":%d,"n":%d,"out":[%d,%d,%d]}`, i, i, i, i+1, i+2)
		if got := canon(t, r.Output); got != want {
			t.Errorf("execution %d: got %s, want %s", i, got, want)
		}
		// n seconds of Wait, then three one-second items two at a time.
		if got, want := r.StopDate.Sub(r.StartDate), time.Duration(i)*time.Second+2*time.Second; got != want {
			t.Errorf("execution %d took %v, want %v", i, got, want)
		}
	}
}
