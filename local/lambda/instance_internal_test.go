package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/internal/goid"
)

// handlerFunc is a handler from a function of the invocation's context.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// TestInstanceKeepsItsGoroutine checks that a warm instance runs its invocations on one goroutine; that
// an invocation that times out leaves its handler running on that goroutine and the instance's next
// invocation runs at once on another; and that the service's Close lets the goroutines go.
func TestInstanceKeepsItsGoroutine(t *testing.T) {
	fire := make(chan time.Time)
	timer := func(time.Duration) (<-chan time.Time, func() bool) { return fire, func() bool { return true } }
	s, err := New(WithTimer(timer))
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	blocked := make(chan struct{})
	h := handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		if string(payload) == `"block"` {
			close(blocked)
			<-release
		}
		return []byte(goid.Current()), nil
	})
	if err := s.Register(Function{Name: "f", Concurrency: 1, Handler: h}); err != nil {
		t.Fatal(err)
	}
	invoke := func(payload string) Result {
		t.Helper()
		res, err := s.Invoke(t.Context(), "f", []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var ids []string
	for range 3 {
		ids = append(ids, string(invoke(`{}`).Payload))
	}
	if ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("three invocations of one warm instance ran on goroutines %v, want one", ids)
	}

	timedOut := make(chan Result, 1)
	go func() {
		res, _ := s.Invoke(context.Background(), "f", []byte(`"block"`))
		timedOut <- res
	}()
	<-blocked
	fire <- time.Now()
	res := <-timedOut
	if res.FunctionError == "" || !bytes.Contains(res.Payload, []byte("Sandbox.Timedout")) {
		t.Fatalf("blocked invocation: %s %s, want a timeout", res.FunctionError, res.Payload)
	}
	// The timed-out handler still runs; the next invocation does not wait for it.
	next := make(chan Result, 1)
	go func() {
		res, _ := s.Invoke(context.Background(), "f", []byte(`{}`))
		next <- res
	}()
	select {
	case res := <-next:
		if string(res.Payload) == ids[0] {
			t.Errorf("invocation after a timeout ran on the timed-out handler's goroutine %s", ids[0])
		}
	case <-time.After(5 * time.Second):
		t.Fatal("invocation after a timeout waits for the timed-out handler")
	}
	close(release)

	fn, err := s.resolve("f", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fn.mu.Lock()
	idle := len(fn.idle)
	fn.mu.Unlock()
	if idle != 0 || !fn.removed {
		t.Errorf("after Close: %d idle instances, removed %v; want none kept", idle, fn.removed)
	}
	// An invocation after Close still runs, on a goroutine of its own that it lets go.
	if got := invoke(`{}`); got.FunctionError != "" {
		t.Errorf("invocation after Close: %s", got.Payload)
	}
}

// TestPanicStackTraceLeavesOutTheInstance checks that a panicking handler's stack trace ends with the
// invocation's own frames, as on a goroutine made for the invocation: the instance's loop is not in it.
func TestPanicStackTraceLeavesOutTheInstance(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := handlerFunc(func(context.Context, []byte) ([]byte, error) { panic("boom") })
	if err := s.Register(Function{Name: "p", Handler: h}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // a new instance, then a warm one
		res, err := s.Invoke(t.Context(), "p", []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			StackTrace []struct {
				Label string `json:"label"`
			} `json:"stackTrace"`
		}
		if err := json.Unmarshal(res.Payload, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.StackTrace) == 0 {
			t.Fatalf("invocation %d: no stack trace in %s", i, res.Payload)
		}
		var labels []string
		for _, f := range doc.StackTrace {
			labels = append(labels, f.Label)
		}
		if last := labels[len(labels)-1]; last != "goexit" || strings.Contains(strings.Join(labels, " "), "serveInstance") {
			t.Errorf("invocation %d: stack trace %v, want it to end with goexit and leave out serveInstance", i, labels)
		}
	}
}
