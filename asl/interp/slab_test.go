package interp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every event keeps details of its own when they are carved from shared
// blocks: a long chain (several blocks), and a Map whose iterations run
// one after another (carving from the Map state's thread) or on
// goroutines of their own (a Wait makes the processor not instant).
func TestDetailSlab(t *testing.T) {
	var states []string
	for i := range 45 {
		next := fmt.Sprintf(`"Next":"S%d"`, i+1)
		if i == 44 {
			next = `"Next":"M"`
		}
		states = append(states, fmt.Sprintf(`"S%d":{"Type":"Pass","Parameters":{"i":%d},"ResultPath":"$.i",%s}`, i, i, next))
	}
	for _, wait := range []bool{false, true} {
		t.Run(fmt.Sprintf("wait=%v", wait), func(t *testing.T) {
			proc := `"P":{"Type":"Pass","End":true}`
			if wait {
				proc = `"W":{"Type":"Wait","Seconds":0,"Next":"P"},` + proc
			}
			start := "P"
			if wait {
				start = "W"
			}
			def := `{"StartAt":"S0","States":{` + strings.Join(states, ",") + `,
				"M":{"Type":"Map","ItemsPath":"$.items","ResultPath":"$.m","End":true,
					"ItemProcessor":{"StartAt":"` + start + `","States":{` + proc + `}}}}}`
			_, events := run(t, def, `{"items":[0,1,2,3,4,5,6,7,8,9,10,11]}`)
			var got, want []string
			var iters []int
			for _, ev := range events {
				switch {
				case ev.Type == PassStateEntered && strings.HasPrefix(ev.StateEnteredEventDetails.Name, "S"):
					got = append(got, ev.StateEnteredEventDetails.Name+" in")
				case ev.Type == PassStateExited && strings.HasPrefix(ev.StateExitedEventDetails.Name, "S"):
					got = append(got, ev.StateExitedEventDetails.Name+" out "+ev.StateExitedEventDetails.Output)
				case ev.Type == MapIterationSucceeded:
					iters = append(iters, ev.MapIterationSucceededEventDetails.Index)
				}
			}
			for i := range 45 {
				want = append(want, fmt.Sprintf("S%d in", i), fmt.Sprintf(`S%d out {"i":{"i":%d},"items":[0,1,2,3,4,5,6,7,8,9,10,11]}`, i, i))
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("state events (-got +want):\n%s", diff)
			}
			seen := map[int]bool{}
			for _, i := range iters {
				seen[i] = true
			}
			if len(iters) != 12 || len(seen) != 12 {
				t.Errorf("iteration indexes %v, want 0 to 11 once each", iters)
			}
		})
	}
}
