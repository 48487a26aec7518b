package interp

import "sync"

// fanout runs count jobs on at most limit goroutines (0 = one per job) and
// waits for all of them. A job that fails may stop the rest: stop decides
// from the failures so far, and the remaining jobs see a cancelled context.
// The caller holds the clock; every worker holds it while it runs and the
// last one hands it back to the caller, so a virtual clock advances only when
// every worker is blocked.
//
// When instant is set, no job ever waits (every state it runs is instant,
// see program.instant): the jobs then run one after another on the
// caller's goroutine, which is one of the orders the goroutines could run
// them in, without the cost of starting goroutines and growing their
// stacks, which is most of the cost of a job of a few Pass states.
type fanout struct {
	mu      sync.Mutex
	next    int
	count   int
	results []any
	nfail   int
	first   *Failure // the failure that stopped the fan-out
	stopped bool
	workers int
	w       *wakeup
	sc      *cancelScope
}

func (th *thread) fanout(count, limit int, instant bool, job func(sc *cancelScope, i int) (any, *Failure), stop func(nfail int) bool) ([]any, *Failure) {
	if instant {
		return th.fanoutInline(count, job, stop)
	}
	fo := &fanout{count: count, results: make([]any, count)}
	if count == 0 {
		return fo.results, nil
	}
	sc := th.sc.child()
	defer th.sc.release(sc)
	fo.sc = sc
	workers := count
	if limit > 0 && limit < count {
		workers = limit
	}
	fo.workers = workers
	c := th.clock()
	fo.w = newWakeup(c)
	for range workers {
		hold(c)
		go func() {
			defer release(c)
			for {
				i := fo.claim()
				if i < 0 {
					break
				}
				out, f := job(sc, i)
				fo.record(i, out, f, stop)
			}
			fo.mu.Lock()
			fo.workers--
			last := fo.workers == 0
			fo.mu.Unlock()
			if last {
				fo.w.fire(wakeDone)
			}
		}()
	}
	fo.w.wait()
	return fo.results, fo.first
}

// fanoutInline is fanout for jobs that never wait: they run one after
// another on this goroutine, each under the thread's own scope. A child
// scope would add nothing: a job that fails and stops the rest has
// returned before the rest would start, so they are simply not started,
// and a cancellation of the thread's scope (Stop, the execution's
// timeout) reaches the running job through it as it would through a
// child.
func (th *thread) fanoutInline(count int, job func(sc *cancelScope, i int) (any, *Failure), stop func(nfail int) bool) ([]any, *Failure) {
	results := make([]any, count)
	th.inlineFanout = true
	defer func() { th.inlineFanout = false }()
	nfail := 0
	for i := range count {
		out, f := job(th.sc, i)
		results[i] = out
		if f != nil && f != errStopped {
			if nfail++; stop(nfail) {
				return results, f
			}
		}
	}
	return results, nil
}

func (fo *fanout) claim() int {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	if fo.stopped || fo.next >= fo.count {
		return -1
	}
	fo.next++
	return fo.next - 1
}

func (fo *fanout) record(i int, out any, f *Failure, stop func(int) bool) {
	fo.mu.Lock()
	defer fo.mu.Unlock()
	fo.results[i] = out
	if f != nil && f != errStopped {
		fo.nfail++
		if !fo.stopped && stop(fo.nfail) {
			fo.stopped, fo.first = true, f
			fo.sc.cancel()
		}
	}
}
