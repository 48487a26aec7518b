package statetest_test

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/sluicehq/sluice/statetest"
)

// Running a case file in process and reading its coverage.
func ExampleSuite_Execute() {
	s, err := statetest.Load(filepath.Join("testdata", "branches.asl.json"), filepath.Join("testdata", "branches.cases.json"))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := s.Execute(context.Background(), statetest.Engine{})
	fmt.Print(r.Text())
	t := r.Coverage.Totals()
	fmt.Printf("%.0f%%: states %d/%d, transitions %d/%d\n", t.Percent(), t.StatesCovered, t.States, t.TransitionsCovered, t.Transitions)
	// Output:
	// PASS ParallelOK
	// PASS ParallelCaught
	// PASS MapItems
	// PASS Neither
	// 4 cases, 4 passed, 0 failed
	// 100%: states 6/6, transitions 10/10
}
