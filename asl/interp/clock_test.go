package interp

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The virtual clock runs timers in time order, only while nobody holds it.
func TestVirtualClockOrder(t *testing.T) {
	c := NewVirtualClock(epoch)
	var fired []time.Duration
	c.Hold()
	for _, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		c.AfterFunc(d, func() { fired = append(fired, c.Now().Sub(epoch)) })
	}
	stop := c.AfterFunc(time.Second/2, func() { t.Error("stopped timer ran") })
	if !stop() {
		t.Error("stop of a pending timer: got false")
	}
	if len(fired) != 0 {
		t.Fatalf("timers ran while held: %v", fired)
	}
	c.Release()
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, fired); diff != "" {
		t.Errorf("firing order (-want +got):\n%s", diff)
	}
	if stop() {
		t.Error("second stop: got true")
	}
}

func TestVirtualClockAdvance(t *testing.T) {
	c := NewVirtualClock(epoch)
	c.Hold()
	defer c.Release()
	ran := 0
	c.AfterFunc(time.Minute, func() { ran++ })
	c.Advance(30 * time.Second)
	if ran != 0 || c.Now().Sub(epoch) != 30*time.Second {
		t.Fatalf("after 30s: ran %d, now %v", ran, c.Now().Sub(epoch))
	}
	c.Advance(time.Minute)
	if ran != 1 || c.Now().Sub(epoch) != 90*time.Second {
		t.Errorf("after 90s: ran %d, now %v", ran, c.Now().Sub(epoch))
	}
}

// Sleep on a virtual clock returns at once in real time, with the clock
// moved on; a cancelled context ends it early.
func TestSleep(t *testing.T) {
	c := NewVirtualClock(epoch)
	c.Hold()
	if err := Sleep(context.Background(), c, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := c.Now().Sub(epoch); got != time.Hour {
		t.Errorf("now: got %v, want 1h", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.AfterFunc(time.Millisecond, func() {}) // something else pending
	if err := Sleep(ctx, c, time.Hour); err == nil {
		t.Error("sleep with a cancelled context: no error")
	}
	c.Release()
}

func TestSystemClock(t *testing.T) {
	c := SystemClock()
	done := make(chan struct{})
	c.AfterFunc(0, func() { close(done) })
	<-done
	if c.Now().IsZero() {
		t.Error("zero time")
	}
}
