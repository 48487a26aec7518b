package interp

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// A Clock is the interpreter's only source of time. Every timestamp in the
// history, every Wait state, retry back-off, TimeoutSeconds and
// HeartbeatSeconds goes through it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc arranges for f to run in its own goroutine (or, for a
	// virtual clock, in the goroutine that advances time) once d has
	// elapsed. stop cancels the call and reports whether it did so before f
	// ran.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// An activityClock is a Clock that advances only when no participant is
// running. The interpreter holds such a clock while it computes and
// releases it while it blocks, so that a virtual clock can jump to the next
// timer exactly when every execution is waiting. VirtualClock implements it.
type activityClock interface {
	Hold()
	Release()
}

func hold(c Clock) {
	if a, ok := c.(activityClock); ok {
		a.Hold()
	}
}

func release(c Clock) {
	if a, ok := c.(activityClock); ok {
		a.Release()
	}
}

// SystemClock returns the wall clock.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

var _ Clock = systemClock{}

// VirtualClock is a Clock for tests and simulations: time stands still while
// any participant holds the clock and jumps straight to the earliest pending
// timer as soon as none does. The interpreter holds the clock while an
// execution computes or a task invoker runs, and releases it while the
// execution blocks on a Wait state, a retry back-off, a task timeout or
// heartbeat, or a task token, so a Wait of a year completes at once with every
// timestamp coherent.
//
// Code outside the interpreter that runs inside an execution (a task invoker
// that wants to take virtual time, for example) blocks with Sleep, which
// releases the clock while it waits. A party outside every execution that
// means to act on one at a given virtual time (complete a callback task
// before its timeout, say) must Hold the clock until it has acted; otherwise
// the clock, seeing every execution blocked, moves on without it.
type VirtualClock struct {
	mu     sync.Mutex
	now    time.Time
	holds  int
	seq    uint64
	timers timerHeap
}

var (
	_ Clock         = (*VirtualClock)(nil)
	_ activityClock = (*VirtualClock)(nil)
)

// NewVirtualClock returns a virtual clock that starts at start.
func NewVirtualClock(start time.Time) *VirtualClock {
	return &VirtualClock{now: start}
}

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d. f runs when the clock reaches that time,
// which happens once no participant holds the clock.
func (c *VirtualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	c.seq++
	t := &vtimer{at: c.now.Add(d), seq: c.seq, f: f}
	heap.Push(&c.timers, t)
	c.mu.Unlock()
	c.advance()
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.index < 0 {
			return false
		}
		heap.Remove(&c.timers, t.index)
		return true
	}
}

// Hold marks one more participant as running: time stands still until it
// calls Release.
func (c *VirtualClock) Hold() {
	c.mu.Lock()
	c.holds++
	c.mu.Unlock()
}

// Release ends one Hold. When no participant remains, the clock jumps to
// the earliest pending timer and runs it, repeatedly, until a timer's
// function holds the clock again or no timer is left.
func (c *VirtualClock) Release() {
	c.mu.Lock()
	c.holds--
	if c.holds < 0 {
		c.mu.Unlock()
		panic("interp: VirtualClock released more often than held")
	}
	c.mu.Unlock()
	c.advance()
}

// Advance moves the clock forward by d, running every timer that falls due on
// the way, whether or not the clock is held. It is for tests that drive time
// by hand.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(d)
	for len(c.timers) > 0 && !c.timers[0].at.After(target) {
		t := heap.Pop(&c.timers).(*vtimer)
		if t.at.After(c.now) {
			c.now = t.at
		}
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

func (c *VirtualClock) advance() {
	for {
		c.mu.Lock()
		if c.holds > 0 || len(c.timers) == 0 {
			c.mu.Unlock()
			return
		}
		t := heap.Pop(&c.timers).(*vtimer)
		if t.at.After(c.now) {
			c.now = t.at
		}
		// The clock holds itself while a timer function runs, so that no
		// other goroutine advances past this instant meanwhile.
		c.holds++
		c.mu.Unlock()
		t.f()
		c.mu.Lock()
		c.holds--
		c.mu.Unlock()
	}
}

// Sleep blocks for d of the clock's time or until ctx is done, releasing the
// clock (if it is a VirtualClock) while it waits. The caller must hold the
// clock, as code running inside an execution does; Sleep returns holding it
// again.
//
// A context cancelled while Sleep waits is noticed asynchronously, so a
// virtual clock may run on for a moment before Sleep returns.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w := newWakeup(c)
	stop := c.AfterFunc(d, func() { w.fire(wakeTimer) })
	defer stop()
	cancel := context.AfterFunc(ctx, func() { w.fire(wakeCancel) })
	defer cancel()
	if w.wait() == wakeCancel {
		return ctx.Err()
	}
	return nil
}

// A wakeup is a one-shot event that several sources race to fire; the first
// wins. The winner holds the clock on behalf of the waiter before waking
// it, so a virtual clock never advances between the event and the waiter
// resuming.
type wakeup struct {
	clock  Clock
	once   sync.Once
	ch     chan struct{}
	reason int
}

const (
	wakeTimer = iota + 1
	wakeCancel
	wakeDone
	wakeHeartbeat
)

func newWakeup(c Clock) *wakeup { return &wakeup{clock: c, ch: make(chan struct{})} }

func (w *wakeup) fire(reason int) {
	w.once.Do(func() {
		hold(w.clock)
		w.reason = reason
		close(w.ch)
	})
}

// wait releases the clock, blocks until the wakeup fires, and returns the
// reason, holding the clock again (held by the firing source).
func (w *wakeup) wait() int {
	release(w.clock)
	<-w.ch
	return w.reason
}

type vtimer struct {
	at    time.Time
	seq   uint64
	f     func()
	index int
}

type timerHeap []*vtimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*vtimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
