package lambda

import (
	"reflect"
	"runtime"
	"strings"
)

// instance is a local execution environment: it has its own log stream, and serves one invocation at a
// time. Instances are kept for reuse, as warm Lambda environments are.
//
// An instance runs its invocations' handlers on a goroutine of its own, kept from one invocation to the
// next as a warm environment keeps its runtime's process: a handler's calls (the AWS SDK's middleware,
// its endpoint rules) run deep, and a goroutine made for each invocation grew its stack from the
// minimum, copying it several times, on every invocation; the instance's goroutine keeps the stack it
// grew (the garbage collector halves an idle goroutine's stack at most once a cycle).
type instance struct {
	stream string
	logged chan struct{} // closed once the log of the last invocation it served is recorded (nil before one)
	work   chan func()   // the handler goroutine's invocations; nil until the first, or once retired
}

// do runs f on the instance's goroutine, started on first use. The instance must be the caller's alone
// (taken, not yet put back) and its goroutine idle: do is called once per invocation, and an invocation
// whose handler outlives it (a timeout, a cancelled caller) retires the goroutine.
func (in *instance) do(f func()) {
	if in.work == nil {
		in.work = make(chan func())
		go serveInstance(in.work)
	}
	in.work <- f
}

// retire lets the instance's goroutine end once its current handler returns; the instance's next
// invocation starts another.
func (in *instance) retire() {
	if in.work != nil {
		close(in.work)
		in.work = nil
	}
}

// serveInstance is an instance's goroutine.
func serveInstance(work <-chan func()) {
	for f := range work {
		f()
	}
}

// serveInstanceName is serveInstance's frame name, left out of a panicking handler's stack trace as a
// goroutine of its own would not have it.
var serveInstanceName = runtime.FuncForPC(reflect.ValueOf(serveInstance).Pointer()).Name()

// takeInstance returns an idle instance of fn, or a new one (a cold start; no Init Duration is
// reported, since an in-process handler has no initialisation phase of its own).
func (s *Service) takeInstance(fn *function) *instance {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if n := len(fn.idle); n > 0 {
		in := fn.idle[n-1]
		fn.idle[n-1] = nil
		fn.idle = fn.idle[:n-1]
		return in
	}
	id := newRequestID()
	return &instance{stream: s.opts.Clock.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + strings.ReplaceAll(id, "-", "")}
}

// maxIdleInstances bounds the warm instances kept per function.
const maxIdleInstances = 64

// putInstance keeps an instance for reuse, or retires it when the function keeps enough or is no longer
// registered.
func (fn *function) putInstance(in *instance) {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if len(fn.idle) < maxIdleInstances && !fn.removed {
		fn.idle = append(fn.idle, in)
		return
	}
	in.retire()
}

// remove retires fn's idle instances and those put back later: fn was replaced or unregistered, or the
// service closed.
func (fn *function) remove() {
	fn.mu.Lock()
	defer fn.mu.Unlock()
	fn.removed = true
	for i, in := range fn.idle {
		in.retire()
		fn.idle[i] = nil
	}
	fn.idle = nil
}
