// Package patterncases loads the shared EventBridge pattern conformance cases
// (../shared/conformance/event-pattern-cases.jsonl beside the repository root,
// recorded against real EventBridge) for the tests of package events and
// package pattern. A test that loads them is skipped when the shared folder is
// absent; the cases are never copied into the repository.
package patterncases

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Case is one recorded case: a pattern and an event with what EventBridge
// answered, a match result or an error.
type Case struct {
	ID          string          `json:"id"`
	Pattern     json.RawMessage `json:"pattern"`
	PatternText *string         `json:"pattern_text"` // the pattern as text, when it is not valid JSON
	Event       json.RawMessage `json:"event"`
	EventText   *string         `json:"event_text"`
	Match       *bool           `json:"match"`
	Expect      string          `json:"expect"` // "error" when EventBridge refused the request
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// PatternBytes is the pattern as sent.
func (c Case) PatternBytes() []byte {
	if c.PatternText != nil {
		return []byte(*c.PatternText)
	}
	return c.Pattern
}

// EventBytes is the event as sent.
func (c Case) EventBytes() []byte {
	if c.EventText != nil {
		return []byte(*c.EventText)
	}
	return c.Event
}

// Load reads every case, skipping the test when the repository root or the
// shared cases cannot be found.
func Load(tb testing.TB) []Case {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root not found")
		}
		dir = parent
	}
	f, err := os.Open(filepath.Join(dir, "..", "shared", "conformance", "event-pattern-cases.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip("shared conformance cases absent")
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var cases []Case
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c Case
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			tb.Fatalf("case line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return cases
}
