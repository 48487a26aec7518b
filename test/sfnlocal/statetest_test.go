package sfnlocal

import (
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/statetest"
)

// TestPipelineCases runs cases.json in process with the `sluice test` runner and requires every state and
// every transition of the pipeline's machine to be covered.
func TestPipelineCases(t *testing.T) {
	r := statetest.Run(t, filepath.Join("..", "..", "statemachine", "pipeline.asl.json"), "cases.json")
	if tot := r.Coverage.Totals(); tot.Percent() != 100 {
		t.Errorf("coverage %.1f%%, want 100%%:\n%s", tot.Percent(), r.Coverage.Text())
	}
}
