package kept

import (
	"runtime"
	"testing"
	"time"
)

// TestGoEndsWithDone checks that a nil Goroutines still runs its functions, and that a kept goroutine
// ends once done is closed rather than waiting out its linger time.
func TestGoEndsWithDone(t *testing.T) {
	ran := make(chan struct{})
	var g *Goroutines
	g.Go(nil, func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("a nil Goroutines did not run its function")
	}

	before := runtime.NumGoroutine()
	g = New(time.Hour)
	done := make(chan struct{})
	ran = make(chan struct{})
	g.Go(done, func() { close(ran) })
	<-ran
	close(done)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d, %d before: the kept one did not end with done", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}
