package interp

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// cancelScope is a cancellable region of an execution (the whole
// execution, a Parallel state's branches, a Map state's iterations). Unlike
// a bare context, cancelling it wakes its waiters synchronously, each woken
// waiter holding the clock, so a virtual clock cannot run ahead between the
// cancellation and the waiters noticing it.
//
// A scope is itself the context of the work it bounds. It is not derived
// with context.WithCancel: a child scope is cancelled by its parent scope
// (children), and the execution's root scope by one hook on the host's
// context (see newExecution), so that starting an execution or a branch
// registers nothing with a context shared by every execution, and costs no
// context allocations.
type cancelScope struct {
	// parent is the context the scope's Deadline and Value come from: the
	// host's context for the root scope, the enclosing scope for a child.
	parent context.Context

	mu       sync.Mutex
	done     bool // cancel has run
	waiters  map[*wakeup]struct{}
	children map[*cancelScope]struct{}
	funcs    map[*scopeFunc]struct{} // AfterFunc's, not yet run
	adopted  bool                    // an execution's root under another execution's scope (adopt)

	// host is, for an execution's root scope, the host's context, whose
	// end cancels the scope, when that can end. The root does not hook it
	// at once: Err looks at it, which is all an execution that never
	// waits needs, and the first wait on the root or a scope under it
	// (watch, Done, AfterFunc) hooks it (hostHook), so that its end wakes
	// the waiters. root is the root scope, for a child scope.
	host     context.Context
	root     *cancelScope
	hooked   bool        // guarded by mu
	unhookFn func() bool // hooked's; guarded by mu

	// ch is the Done channel, made on first use; err is set, and ch
	// closed, when the scope's context ends (closeCtx).
	ch     atomic.Value // chan struct{}
	err    atomic.Value // error
	closed bool         // closeCtx has run; guarded by mu
}

var _ context.Context = (*cancelScope)(nil)

// A scopeFunc is a function registered with cancelScope.AfterFunc.
type scopeFunc struct{ f func() }

func newCancelScope(parent context.Context) *cancelScope {
	// waiters, children and funcs are made on first use: most scopes never
	// get any.
	return &cancelScope{parent: parent}
}

// child returns a scope cancelled with s.
func (s *cancelScope) child() *cancelScope {
	c := newCancelScope(s)
	c.root = s.hostRoot()
	if attached, closed := s.attach(c); attached && closed {
		// s was released (its context ended, its waiters not woken): so is
		// c's context, as a context derived from an ended one.
		c.closeCtx(s.Err())
	}
	return c
}

// attach makes c one of s's children and reports whether s was released
// (closed). When s is already cancelled, c is cancelled with s's error
// instead, and attach reports false.
func (s *cancelScope) attach(c *cancelScope) (attached, closed bool) {
	s.mu.Lock()
	if s.done {
		err := s.errLocked()
		s.mu.Unlock()
		c.cancelWith(err)
		return false, false
	}
	if s.children == nil {
		s.children = map[*cancelScope]struct{}{}
	}
	s.children[c] = struct{}{}
	closed = s.closed
	s.mu.Unlock()
	return true, closed
}

// adopt makes c, a scope of its own (an execution's root), one of s's
// children, cancelled with s; the returned function detaches it.
func (s *cancelScope) adopt(c *cancelScope) (detach func() bool) {
	c.adopted = true
	// The host's context of the execution s belongs to ends c too, as
	// it ends s.
	c.root = s.hostRoot()
	attached, closed := s.attach(c)
	if !attached {
		return noHook
	}
	if closed {
		c.cancelWith(s.Err())
	}
	return func() bool {
		s.mu.Lock()
		delete(s.children, c)
		s.mu.Unlock()
		return true
	}
}

// release detaches a finished child scope from its parent and ends its
// context (not its waiters: it has none left).
func (s *cancelScope) release(c *cancelScope) {
	s.mu.Lock()
	delete(s.children, c)
	s.mu.Unlock()
	c.closeTree(context.Canceled)
}

// closeTree ends the contexts of s and of its child scopes, as cancelling a
// context ends those derived from it.
func (s *cancelScope) closeTree(err error) {
	s.mu.Lock()
	var children []*cancelScope
	for c := range s.children {
		children = append(children, c)
	}
	s.mu.Unlock()
	for _, c := range children {
		if c.adopted {
			// An execution's root is cancelled when its host's context
			// ends, however it ends.
			c.cancelWith(err)
		} else {
			c.closeTree(err)
		}
	}
	s.closeCtx(err)
}

func (s *cancelScope) cancel() { s.cancelWith(context.Canceled) }

// cancelWith cancels s and its child scopes, waking their waiters; err is
// what the contexts of s and its children report (context.Canceled, or the
// host context's error when that ended).
func (s *cancelScope) cancelWith(err error) {
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
		c.cancelWith(err)
	}
	s.closeCtx(err)
}

// closeCtx ends the scope's context: Err reports err, Done is closed and
// the AfterFunc's run. It does nothing once done.
func (s *cancelScope) closeCtx(err error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.err.Store(err)
	if ch, ok := s.ch.Load().(chan struct{}); ok {
		close(ch)
	} else {
		s.ch.Store(closedChan)
	}
	funcs := s.funcs
	s.funcs = nil
	s.mu.Unlock()
	for sf := range funcs {
		go sf.f()
	}
}

// errLocked is the scope's context error, or context.Canceled for a scope
// cancelled whose context is not closed yet; s.mu is held.
func (s *cancelScope) errLocked() error {
	if err, ok := s.err.Load().(error); ok {
		return err
	}
	return context.Canceled
}

// closedChan is the Done channel of a scope whose context ended before
// anything asked for it.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Deadline returns the deadline of the host's context, which the scope
// never shortens.
func (s *cancelScope) Deadline() (time.Time, bool) { return s.parent.Deadline() }

// Done returns a channel closed when the scope's context ends.
func (s *cancelScope) Done() <-chan struct{} {
	if ch, ok := s.ch.Load().(chan struct{}); ok {
		return ch
	}
	s.hostHook()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.ch.Load().(chan struct{}); ok {
		return ch
	}
	ch := make(chan struct{})
	s.ch.Store(ch)
	return ch
}

// Err returns nil until the scope's context ends, then why it ended.
func (s *cancelScope) Err() error {
	if err, ok := s.err.Load().(error); ok {
		return err
	}
	if r := s.hostRoot(); r != nil {
		if err := r.host.Err(); err != nil {
			r.cancelWith(err)
			if err, ok := s.err.Load().(error); ok {
				return err
			}
		}
	}
	return nil
}

// hostRoot returns the root scope whose host's context ends the scope,
// or nil.
func (s *cancelScope) hostRoot() *cancelScope {
	if s.host != nil {
		return s
	}
	return s.root
}

// hostHook makes sure that the end of the host's context cancels the
// root scope of s (see host).
func (s *cancelScope) hostHook() {
	r := s.hostRoot()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hooked || r.done {
		return
	}
	r.hooked = true
	// context.AfterFunc never calls its function on this goroutine.
	r.unhookFn = context.AfterFunc(r.host, r.hostDone)
}

// hostDone cancels the root scope when the host's context has ended.
func (s *cancelScope) hostDone() { s.cancelWith(s.host.Err()) }

// unhookHost removes the hook on the host's context, if one was made.
func (s *cancelScope) unhookHost() {
	s.mu.Lock()
	stop := s.unhookFn
	s.unhookFn = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Value returns the value of the host's context for key. A scope is no
// *context.cancelCtx of the context package's, so it hides the one the host's
// context holds: context.Cause, which looks it up, then reports the
// scope's own Err, as it does for a context of this package's.
func (s *cancelScope) Value(key any) any {
	if key == cancelCtxKey {
		return nil
	}
	return s.parent.Value(key)
}

// cancelCtxKey is the key under which the context package finds a
// context's cancellation state, learnt by asking context.Cause about a
// context that records the key it is asked for (nil should that change:
// Value then hides nothing).
var cancelCtxKey = func() any {
	var p keyProbe
	_ = context.Cause(&p)
	return p.key
}()

type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	if p.key == nil {
		p.key = key
	}
	return nil
}

func (p *keyProbe) Err() error { return nil }

// AfterFunc arranges for f to run in its own goroutine once the scope's
// context ends; stop undoes it and reports whether it did so before f
// started. context.AfterFunc and the contexts derived from a scope
// (context.WithTimeout, say) use it, rather than a goroutine each.
func (s *cancelScope) AfterFunc(f func()) (stop func() bool) {
	sf := &scopeFunc{f: f}
	s.hostHook()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		go f()
		return func() bool { return false }
	}
	if s.funcs == nil {
		s.funcs = map[*scopeFunc]struct{}{}
	}
	s.funcs[sf] = struct{}{}
	s.mu.Unlock()
	return func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		if _, ok := s.funcs[sf]; !ok {
			return false
		}
		delete(s.funcs, sf)
		return true
	}
}

// watch arranges for w to fire with wakeCancel when s is cancelled; the
// returned function undoes it.
func (s *cancelScope) watch(w *wakeup) func() {
	s.hostHook()
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
