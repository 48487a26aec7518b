// Package kept runs functions on goroutines kept between calls, as a server keeps its connections'
// goroutines: the stack a goroutine grew for one call (an SDK request's middleware, a handler's parsing
// and journal) serves the next rather than being grown again from the minimum, copy by copy, on every
// call. A goroutine that has run a function waits a while for another before it ends, so an idle stack
// keeps none.
package kept

import (
	"sync/atomic"
	"time"
)

// Goroutines hands functions to goroutines waiting for one. The zero value is not usable; a nil
// *Goroutines runs each function on a goroutine of its own.
type Goroutines struct {
	idle    chan func()
	linger  time.Duration
	started atomic.Int64 // goroutines started, for Started
}

// New returns Goroutines whose goroutines wait linger for the next function before they end.
func New(linger time.Duration) *Goroutines {
	return &Goroutines{idle: make(chan func()), linger: linger}
}

// Go runs f on a goroutine waiting for a function, or on a new one when none waits, so that a function
// never waits for another to end. The goroutine then runs the functions handed to it until none came
// for the linger time, or until done is closed (nil: never).
func (g *Goroutines) Go(done <-chan struct{}, f func()) {
	if g == nil {
		go f()
		return
	}
	select {
	case g.idle <- f:
	default:
		g.started.Add(1)
		go g.run(done, f)
	}
}

// Started returns how many goroutines g has started so far: a caller's tests check with it that
// functions run one after another share a goroutine.
func (g *Goroutines) Started() int64 {
	if g == nil {
		return 0
	}
	return g.started.Load()
}

func (g *Goroutines) run(done <-chan struct{}, f func()) {
	var idle *time.Timer
	for {
		f()
		if idle == nil {
			idle = time.NewTimer(g.linger)
		} else {
			idle.Reset(g.linger)
		}
		select {
		case f = <-g.idle:
		case <-idle.C:
			return
		case <-done:
			idle.Stop()
			return
		}
	}
}
