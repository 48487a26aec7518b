package main

import "testing"

// Under go test the binary is built in the go-build cache, as under go run (make run): the suggested
// commands must be runnable from the checkout, not a "sluice" that is not installed.
func TestSelfCommandUnderGoBuild(t *testing.T) {
	if got, want := selfCommand(), "go run ./cmd/sluice"; got != want {
		t.Errorf("selfCommand() = %q, want %q", got, want)
	}
}
