package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSample runs the sample dataset through an embedded stack, as make run does, and checks the
// summary: each object's outcome read from its execution's output.
func TestRunSample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	t.Chdir("../..") // the sample dataset and the template, as from the repository root
	var out, errOut bytes.Buffer
	if err := dispatch(t.Context(), []string{"run"}, stdio{Out: &out, Err: &errOut}); err != nil {
		t.Fatalf("sluice run: %v\n%s", err, errOut.String())
	}
	if got, want := out.String(), "9 objects: 4 stored, 5 rejected"; !strings.Contains(got, want) {
		t.Errorf("summary:\n%s\nwant %q", got, want)
	}
	for _, want := range []string{"processed/orders/dt=", "(report: quarantine/orders/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary has no %q:\n%s", want, out.String())
		}
	}
}
