package interp

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors of TaskTokens, which the Step Functions API maps to its
// TaskDoesNotExist/InvalidToken and TaskTimedOut codes.
var (
	ErrInvalidToken = errors.New("invalid task token")
	ErrTaskTimedOut = errors.New("task timed out or already completed")
)

// TaskTokens is the registry of tasks waiting for a callback: Task states
// with a ".waitForTaskToken" resource, whose token the host hands out and
// later completes with Succeed or Fail (SendTaskSuccess, SendTaskFailure)
// or keeps alive with Heartbeat (SendTaskHeartbeat). It is safe for
// concurrent use.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
type TaskTokens struct {
	mu      sync.Mutex
	pending map[string]*taskWait
}

// NewTaskTokens returns an empty registry.
func NewTaskTokens() *TaskTokens {
	return &TaskTokens{pending: map[string]*taskWait{}}
}

// tokenLen is the length of the tokens register makes (24 random bytes,
// base64url): a token of that shape that is no longer pending belonged to a
// task that ended, one of another shape was never issued.
const tokenLen = 32

func (t *TaskTokens) register(tw *taskWait) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	t.mu.Lock()
	t.pending[tok] = tw
	t.mu.Unlock()
	return tok
}

func (t *TaskTokens) remove(tok string) {
	t.mu.Lock()
	delete(t.pending, tok)
	t.mu.Unlock()
}

func (t *TaskTokens) lookup(tok string) (*taskWait, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tw, ok := t.pending[tok]; ok {
		return tw, nil
	}
	if _, err := base64.RawURLEncoding.DecodeString(tok); err == nil && len(tok) == tokenLen {
		return nil, ErrTaskTimedOut
	}
	return nil, ErrInvalidToken
}

// Succeed completes the task with output (a JSON value).
func (t *TaskTokens) Succeed(token string, output any) error {
	tw, err := t.lookup(token)
	if err != nil {
		return err
	}
	tw.complete(output, nil)
	return nil
}

// Fail fails the task with an error name and cause.
func (t *TaskTokens) Fail(token, errName, cause string) error {
	tw, err := t.lookup(token)
	if err != nil {
		return err
	}
	tw.complete(nil, &Failure{Error: errName, Cause: cause})
	return nil
}

// Heartbeat restarts the task's HeartbeatSeconds timer.
func (t *TaskTokens) Heartbeat(token string) error {
	tw, err := t.lookup(token)
	if err != nil {
		return err
	}
	tw.heartbeat()
	return nil
}

// taskWait is a task in flight: completed by its invoker goroutine or
// through a token, raced against TimeoutSeconds, HeartbeatSeconds and Stop.
type taskWait struct {
	mu     sync.Mutex
	w      *wakeup
	done   bool
	result any
	fail   *Failure
	// startedBy is the worker name of an activity task taken by a worker (activity.go).
	startedBy *string
}

func (tw *taskWait) complete(result any, f *Failure) {
	tw.mu.Lock()
	if tw.done {
		tw.mu.Unlock()
		return
	}
	tw.done, tw.result, tw.fail = true, result, f
	w := tw.w
	tw.mu.Unlock()
	if w != nil {
		w.fire(wakeDone)
	}
}

func (tw *taskWait) heartbeat() {
	tw.mu.Lock()
	w := tw.w
	tw.mu.Unlock()
	if w != nil {
		w.fire(wakeHeartbeat)
	}
}

const wakeHeartbeatTimeout = wakeHeartbeat + 1

// errTaskTimeout and errHeartbeatTimeout are the failures of a task that
// ran out of time.
var (
	errTaskTimeout      = &Failure{Error: "States.Timeout"}
	errHeartbeatTimeout = &Failure{Error: "States.HeartbeatTimeout"}
)

// await blocks until tw completes, timeout elapses (from start), no
// heartbeat arrives for heartbeat, or ctx ends. Zero durations disable
// their timer.
func (tw *taskWait) await(sc *cancelScope, c Clock, start time.Time, timeout, heartbeat time.Duration) (any, *Failure) {
	for {
		tw.mu.Lock()
		if tw.done {
			tw.mu.Unlock()
			return tw.result, tw.fail
		}
		w := newWakeup(c)
		tw.w = w
		tw.mu.Unlock()
		var stops []func() bool
		if timeout > 0 {
			stops = append(stops, c.AfterFunc(start.Add(timeout).Sub(c.Now()), func() { w.fire(wakeTimer) }))
		}
		if heartbeat > 0 {
			stops = append(stops, c.AfterFunc(heartbeat, func() { w.fire(wakeHeartbeatTimeout) }))
		}
		unwatch := sc.watch(w)
		reason := w.wait()
		unwatch()
		for _, s := range stops {
			s()
		}
		switch reason {
		case wakeTimer:
			return nil, errTaskTimeout
		case wakeHeartbeatTimeout:
			return nil, errHeartbeatTimeout
		case wakeCancel:
			return nil, errStopped
		}
	}
}

func (f *Failure) String() string { return fmt.Sprintf("%s: %s", f.Error, f.Cause) }
