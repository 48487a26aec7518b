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

// TestGoReusesIdle checks that a function handed over while a goroutine waits runs on that goroutine
// (Started does not grow), and that one handed over while none waits gets a new goroutine.
func TestGoReusesIdle(t *testing.T) {
	g := New(time.Hour)
	done := make(chan struct{})
	defer close(done)
	ran := make(chan struct{})
	g.Go(done, func() { ran <- struct{}{} })
	<-ran
	if got := g.Started(); got != 1 {
		t.Fatalf("started: got %d, want 1", got)
	}
	for i := range 20 {
		// Handing the function over blocks until the kept goroutine takes it, or starts a new one when
		// it is not yet waiting; give it time to be back waiting first.
		handed := false
		for deadline := time.Now().Add(5 * time.Second); !handed && time.Now().Before(deadline); {
			select {
			case g.idle <- func() { ran <- struct{}{} }:
				handed = true
			default:
				time.Sleep(time.Millisecond)
			}
		}
		if !handed {
			t.Fatalf("call %d: the kept goroutine did not come back to wait", i)
		}
		<-ran
	}
	if got := g.Started(); got != 1 {
		t.Errorf("started after 21 calls: got %d, want 1", got)
	}
	block := make(chan struct{})
	g.Go(done, func() { <-block })
	g.Go(done, func() { ran <- struct{}{} })
	<-ran
	close(block)
	if got := g.Started(); got < 2 || got > 3 {
		t.Errorf("started with one goroutine busy: got %d, want 2 or 3", got)
	}
}
