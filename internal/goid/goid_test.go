package goid

import (
	"sync"
	"testing"
)

func TestCurrent(t *testing.T) {
	mine := Current()
	if mine == "" {
		t.Fatal("Current() = \"\" on the test's goroutine")
	}
	if again := Current(); again != mine {
		t.Errorf("Current() = %q then %q on one goroutine", mine, again)
	}
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	var ready, release sync.WaitGroup
	ready.Add(n)
	release.Add(1)
	for i := range n {
		wg.Go(func() {
			ids[i] = Current()
			ready.Done()
			release.Wait() // all alive at once, so no number is reused
		})
	}
	ready.Wait()
	release.Done()
	wg.Wait()
	seen := map[string]bool{mine: true}
	for i, id := range ids {
		if id == "" || seen[id] {
			t.Errorf("goroutine %d: Current() = %q, want a number no other live goroutine has (%v)", i, id, ids)
		}
		seen[id] = true
	}
}
