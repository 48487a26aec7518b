package interp

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A scope is the context of the work it bounds: contexts derived from it,
// context.AfterFunc and context.Cause behave as for a context of the
// context package's, and a host context's error reaches its scopes.
func TestCancelScopeContext(t *testing.T) {
	type key struct{}
	host, cancelHost := context.WithCancel(context.WithValue(t.Context(), key{}, "v"))
	defer cancelHost()
	root := newCancelScope(host)
	c := root.child()
	if got := c.Value(key{}); got != "v" {
		t.Errorf("Value = %v, want v", got)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("Err before cancel = %v", err)
	}
	derived, cancelDerived := context.WithTimeout(c, time.Hour)
	defer cancelDerived()
	ran := make(chan struct{})
	context.AfterFunc(c, func() { close(ran) })
	stopped := context.AfterFunc(c, func() { t.Error("a stopped AfterFunc ran") })
	if !stopped() {
		t.Error("stop = false before the scope ended")
	}

	root.cancel()
	for _, ctx := range []context.Context{root, c} {
		select {
		case <-ctx.Done():
		default:
			t.Error("Done not closed after cancel")
		}
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err = %v, want context.Canceled", err)
		}
		if got := context.Cause(ctx); !errors.Is(got, context.Canceled) {
			t.Errorf("Cause = %v, want context.Canceled", got)
		}
	}
	select {
	case <-derived.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("a context derived from a cancelled scope was not cancelled")
	}
	if err := derived.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("derived Err = %v, want context.Canceled", err)
	}
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("AfterFunc did not run")
	}
	if err := host.Err(); err != nil {
		t.Errorf("host Err = %v: a scope must not cancel its host", err)
	}
}

// An execution whose host context ends is aborted, its scopes reporting the
// host context's error; one started under an ended context is aborted at
// once.
func TestExecutionHostContextEnds(t *testing.T) {
	m := compile(t, `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`, WithClock(SystemClock()))
	host, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	e := m.Start(host, map[string]any{})
	r, err := e.Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusAborted {
		t.Errorf("status = %s, want %s", r.Status, StatusAborted)
	}
	if err := e.ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("execution context Err = %v, want context.DeadlineExceeded (the host's)", err)
	}
	if !e.root.hooked {
		t.Error("an execution that waited did not hook its host's context")
	}
	if r := m.Run(host, map[string]any{}); r.Status != StatusAborted {
		t.Errorf("under an ended context: status = %s, want %s", r.Status, StatusAborted)
	}
}

// cancelOnEntered is a HistorySink that cancels its host's context when the
// execution enters its first state.
type cancelOnEntered struct{ cancel context.CancelFunc }

func (s cancelOnEntered) Record(ev HistoryEvent) {
	if ev.Type == PassStateEntered {
		s.cancel()
	}
}

// An execution that never waits registers nothing with its host's context,
// yet the host's context ending while it runs aborts it before its next
// state, as it did when a hook cancelled it.
func TestExecutionHostContextEndsWhileRunning(t *testing.T) {
	m := compile(t, `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}`, WithClock(SystemClock()))
	host, cancel := context.WithCancel(t.Context())
	defer cancel()
	e := m.RunExecution(host, map[string]any{}, WithHistory(cancelOnEntered{cancel}))
	if r := e.Result(); r.Status != StatusAborted {
		t.Errorf("status = %s, want %s", r.Status, StatusAborted)
	}
	if err := e.ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("execution context Err = %v, want context.Canceled", err)
	}
	if e.root.hooked {
		t.Error("an execution that never waited hooked its host's context")
	}
}
