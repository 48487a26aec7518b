package interp

import (
	"github.com/sluicehq/sluice/asl"
	"math"
	"time"
)

// Retrier defaults.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
const (
	defaultIntervalSeconds = 1
	defaultMaxAttempts     = 3
	defaultBackoffRate     = 2.0
)

// retryPolicy is one compiled Retrier.
type retryPolicy struct {
	errorEquals     []string
	intervalSeconds float64
	maxAttempts     int
	backoffRate     float64
	maxDelaySeconds float64 // 0: uncapped
	fullJitter      bool
}

// backoff returns the delay before retry number attempt (0 for the first
// retry): IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds,
// and with JitterStrategy FULL a uniformly random duration between zero and
// that delay, drawn from random (which returns a value in [0, 1)).
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
func (p *retryPolicy) backoff(attempt int, random func() float64) time.Duration {
	d := p.intervalSeconds * math.Pow(p.backoffRate, float64(attempt))
	if p.maxDelaySeconds > 0 && d > p.maxDelaySeconds {
		d = p.maxDelaySeconds
	}
	if math.IsInf(d, 0) || d > float64(math.MaxInt64/int64(time.Second)) {
		d = float64(math.MaxInt64 / int64(time.Second))
	}
	if p.fullJitter {
		d *= random()
	}
	return time.Duration(d * float64(time.Second))
}

// runWithRetry runs a Task, Parallel or Map state: each attempt processes
// the input, does the work and applies ResultSelector; a failed attempt is
// retried by the first Retrier whose ErrorEquals matches while it has
// attempts left, then caught by the first matching Catcher. States.Runtime
// is neither retried nor caught.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func (th *thread) runWithRetry(n *node, input any) (any, string, map[string]any, *Failure) {
	var counts []int
	if len(n.retry) > 0 {
		counts = make([]int, len(n.retry))
	}
	for attempt := 0; ; attempt++ {
		th.retry = attempt
		var result any
		var f *Failure
		if n.js != nil {
			result, f = th.attemptJSONata(n, input)
		} else {
			result, f = th.attempt(n, input)
		}
		if f == nil && n.js != nil {
			out, assigned, f := th.succeedJSONata(n, input, result)
			if f != nil {
				if f.Error == "States.Runtime" || f == errStopped {
					return nil, "", nil, f
				}
				return th.catch(n, input, f)
			}
			return out, n.next, assigned, nil
		}
		if f == nil {
			assigned, f := th.evalAssign(n.assign, result, nil)
			if f != nil {
				return nil, "", nil, f
			}
			out, f := th.resultPath(n.resultPath, input, result)
			if f == nil {
				out, f = th.outputPath(n, out)
			}
			if f != nil {
				if f.Error == "States.Runtime" {
					return nil, "", nil, f
				}
				return th.catch(n, input, f)
			}
			return out, n.next, assigned, nil
		}
		if f == errStopped || f.Error == "States.Runtime" {
			th.stateFailed(n, f, false)
			return nil, "", nil, f
		}
		if i := matchRetrier(n.retry, f.Error); i >= 0 && counts[i] < n.retry[i].maxAttempts {
			th.stateFailed(n, f, true)
			d := n.retry[i].backoff(counts[i], th.e.m.cfg.random)
			counts[i]++
			if sf := th.sleep(d); sf != nil {
				return nil, "", nil, sf
			}
			continue
		}
		th.stateFailed(n, f, false)
		return th.catch(n, input, f)
	}
}

// stateFailed records the failure event of a Map or Parallel state that
// is about to fail for good (AWS records none before a retry).
func (th *thread) stateFailed(n *node, f *Failure, retrying bool) {
	if retrying || f == errStopped || !th.started {
		return
	}
	switch n.typ {
	case asl.TypeMap:
		th.emit(&HistoryEvent{Type: MapStateFailed})
	case asl.TypeParallel:
		th.emit(&HistoryEvent{Type: ParallelStateFailed})
	}
}

func matchRetrier(rs []retryPolicy, name string) int {
	for i := range rs {
		if asl.ErrorMatches(rs[i].errorEquals, name) {
			return i
		}
	}
	return -1
}

// catch hands a failure to the first matching Catcher: the error output
// {"Error", "Cause"} goes through the Catcher's ResultPath into the state's
// input, and the state exits towards the Catcher's Next.
func (th *thread) catch(n *node, input any, f *Failure) (any, string, map[string]any, *Failure) {
	for i, c := range n.catch {
		if !asl.ErrorMatches(c.errorEquals, f.Error) {
			continue
		}
		errOut := map[string]any{"Error": f.Error, "Cause": f.Cause}
		if n.js != nil {
			out, assigned, jf := th.catchJSONata(n, i, input, errOut)
			if jf != nil {
				return nil, "", nil, jf
			}
			return out, c.next, assigned, nil
		}
		assigned, af := th.evalAssign(c.assign, errOut, nil)
		if af != nil {
			return nil, "", nil, af
		}
		out, rf := th.resultPath(c.resultPath, input, errOut)
		if rf != nil {
			return nil, "", nil, rf
		}
		return out, c.next, assigned, nil
	}
	return nil, "", nil, f
}
