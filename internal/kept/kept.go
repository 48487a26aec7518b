// Package kept runs functions on goroutines kept between calls, as a server keeps its connections'
// goroutines: the stack a goroutine grew for one call (an SDK request's middleware, a handler's parsing
// and journal) serves the next rather than being grown again from the minimum, copy by copy, on every
// call. A goroutine that has run a function waits a while for another before it ends, so an idle stack
// keeps none.
package kept

import "time"

// Goroutines hands functions to goroutines waiting for one. The zero value is not usable; a nil
// *Goroutines runs each function on a goroutine of its own.
type Goroutines struct {
	idle   chan func()
	linger time.Duration
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
		go g.run(done, f)
	}
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
