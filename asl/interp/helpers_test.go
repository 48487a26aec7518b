package interp

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sluicehq/sluice/asl"
)

// epoch is where every test's virtual clock starts.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// mustJSON decodes a JSON literal the way the interpreter expects values.
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

func compile(t testing.TB, def string, opts ...Option) *Machine {
	t.Helper()
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	m, err := New(sm, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return m
}

// run executes def on input with a fresh virtual clock and returns the
// result and history.
func run(t testing.TB, def, input string, opts ...Option) (Result, []HistoryEvent) {
	t.Helper()
	clock := NewVirtualClock(epoch)
	m := compile(t, def, append([]Option{WithClock(clock), WithRandom(func() float64 { return 0.5 })}, opts...)...)
	var h HistoryLog
	e := m.Start(context.Background(), mustJSON(t, input), WithHistory(&h))
	r := wait(t, e)
	return r, h.Events()
}

// wait waits for e with a generous real-time guard against a hung
// execution (a guard, not a timing assertion).
func wait(t testing.TB, e *Execution) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := e.Wait(ctx)
	if err != nil {
		t.Fatalf("execution did not finish: %v", err)
	}
	return r
}

// canon renders a JSON value canonically (sorted keys) for comparisons.
func canon(t testing.TB, v any) string {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// types lists the event types of a history, with state names.
func types(events []HistoryEvent) string {
	var parts []string
	for _, ev := range events {
		s := string(ev.Type)
		if d := ev.StateEnteredEventDetails; d != nil {
			s += "(" + d.Name + ")"
		}
		if d := ev.StateExitedEventDetails; d != nil {
			s += "(" + d.Name + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// at returns the virtual time of the first event of type typ (and state
// name, if given) as an offset from epoch.
func at(t testing.TB, events []HistoryEvent, typ EventType, name string) time.Duration {
	t.Helper()
	for _, ev := range events {
		if ev.Type != typ {
			continue
		}
		if name != "" {
			n := ""
			if ev.StateEnteredEventDetails != nil {
				n = ev.StateEnteredEventDetails.Name
			}
			if ev.StateExitedEventDetails != nil {
				n = ev.StateExitedEventDetails.Name
			}
			if n != name {
				continue
			}
		}
		return ev.Timestamp.Sub(epoch)
	}
	t.Fatalf("no %s %s event", typ, name)
	return 0
}
