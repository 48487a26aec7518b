package interp

import (
	"context"
	"sync"
)

// cancelScope is a cancellable region of an execution (the whole
// execution, a Parallel state's branches, a Map state's iterations). Unlike
// a bare context, cancelling it wakes its waiters synchronously, each woken
// waiter holding the clock, so a virtual clock cannot run ahead between the
// cancellation and the waiters noticing it.
type cancelScope struct {
	ctx       context.Context
	cancelCtx context.CancelFunc

	mu       sync.Mutex
	done     bool
	waiters  map[*wakeup]struct{}
	children map[*cancelScope]struct{}
}

func newCancelScope(parent context.Context) *cancelScope {
	// waiters and children are made on first use: most scopes never get
	// either.
	s := &cancelScope{}
	s.ctx, s.cancelCtx = context.WithCancel(parent)
	return s
}

// child returns a scope cancelled with s.
func (s *cancelScope) child() *cancelScope {
	c := newCancelScope(s.ctx)
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		c.cancel()
		return c
	}
	if s.children == nil {
		s.children = map[*cancelScope]struct{}{}
	}
	s.children[c] = struct{}{}
	s.mu.Unlock()
	return c
}

// release detaches a finished child scope from its parent.
func (s *cancelScope) release(c *cancelScope) {
	s.mu.Lock()
	delete(s.children, c)
	s.mu.Unlock()
	c.cancelCtx()
}

func (s *cancelScope) cancel() {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	s.done = true
	waiters, children := s.waiters, s.children
	s.waiters, s.children = nil, nil
	s.mu.Unlock()
	for w := range waiters {
		w.fire(wakeCancel)
	}
	for c := range children {
		c.cancel()
	}
	s.cancelCtx()
}

// watch arranges for w to fire with wakeCancel when s is cancelled; the
// returned function undoes it.
func (s *cancelScope) watch(w *wakeup) func() {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		w.fire(wakeCancel)
		return func() {}
	}
	if s.waiters == nil {
		s.waiters = map[*wakeup]struct{}{}
	}
	s.waiters[w] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.waiters, w)
		s.mu.Unlock()
	}
}
