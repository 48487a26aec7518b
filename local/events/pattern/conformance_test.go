package pattern_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sluicehq/sluice/local/events/pattern"
)

// patternCase is one line of ../shared/conformance/event-pattern-cases.jsonl:
// a pattern and an event with what real EventBridge answered.
type patternCase struct {
	ID          string          `json:"id"`
	Pattern     json.RawMessage `json:"pattern"`
	PatternText *string         `json:"pattern_text"`
	Event       json.RawMessage `json:"event"`
	EventText   *string         `json:"event_text"`
	Match       *bool           `json:"match"`
	Expect      string          `json:"expect"`
	Error       *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c patternCase) pattern() []byte {
	if c.PatternText != nil {
		return []byte(*c.PatternText)
	}
	return c.Pattern
}

func (c patternCase) event() []byte {
	if c.EventText != nil {
		return []byte(*c.EventText)
	}
	return c.Event
}

// loadCases reads the shared conformance cases, skipping the test when the
// shared folder is absent. The folder sits beside the repository root.
func loadCases(t *testing.T) []patternCase {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	f, err := os.Open(filepath.Join(dir, "..", "shared", "conformance", "event-pattern-cases.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("shared conformance cases absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []patternCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var c patternCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("case line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

func TestConformance(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.ID, func(t *testing.T) {
			p, err := pattern.Compile(c.pattern())
			if c.Expect == "error" {
				if c.Error.Code != "InvalidEventPatternException" {
					t.Skipf("error %s is decided by the API, not the pattern", c.Error.Code)
				}
				var perr *pattern.Error
				if !errors.As(err, &perr) {
					t.Fatalf("Compile error = %v, want *pattern.Error", err)
				}
				if got, want := err.Error(), c.Error.Message; got != want {
					t.Errorf("Compile error message\n got: %s\nwant: %s", got, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := p.Match(c.event())
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if want := *c.Match; got != want {
				t.Errorf("Match = %v, want %v", got, want)
			}
			var decoded any
			if err := json.Unmarshal(c.event(), &decoded); err != nil {
				t.Fatal(err)
			}
			if got2, err := p.MatchValue(decoded); err != nil || got2 != got {
				t.Errorf("MatchValue = %v, %v; Match = %v", got2, err, got)
			}
		})
	}
}
