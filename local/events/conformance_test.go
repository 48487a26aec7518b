package events_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// patternCase is one line of ../shared/conformance/event-pattern-cases.jsonl,
// recorded against real EventBridge.
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
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	return cases
}

// TestConformanceThroughAPI runs the shared pattern cases through
// TestEventPattern with the real SDK client over HTTP.
func TestConformanceThroughAPI(t *testing.T) {
	cases := loadCases(t)
	c := newFixture(t).client
	for _, tc := range cases {
		t.Run(tc.ID, func(t *testing.T) {
			pat, ev := string(tc.Pattern), string(tc.Event)
			if tc.PatternText != nil {
				pat = *tc.PatternText
			}
			if tc.EventText != nil {
				ev = *tc.EventText
			}
			out, err := c.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{
				EventPattern: aws.String(pat), Event: aws.String(ev)})
			if tc.Expect == "error" {
				if err == nil {
					t.Fatalf("TestEventPattern succeeded (Result %v), want %s", out.Result, tc.Error.Code)
				}
				code, msg := apiError(t, err)
				if code != tc.Error.Code || msg != tc.Error.Message {
					t.Errorf("error = %s: %s\nwant %s: %s", code, msg, tc.Error.Code, tc.Error.Message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out.Result != *tc.Match {
				t.Errorf("Result = %v, want %v", out.Result, *tc.Match)
			}
		})
	}
}
