package pattern_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/sluicehq/sluice/local/events/internal/patterncases"
	"github.com/sluicehq/sluice/local/events/pattern"
)

func TestConformance(t *testing.T) {
	for _, c := range patterncases.Load(t) {
		t.Run(c.ID, func(t *testing.T) {
			p, err := pattern.Compile(c.PatternBytes())
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
			got, err := p.Match(c.EventBytes())
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if want := *c.Match; got != want {
				t.Errorf("Match = %v, want %v", got, want)
			}
			var decoded any
			if err := json.Unmarshal(c.EventBytes(), &decoded); err != nil {
				t.Fatal(err)
			}
			if got2, err := p.MatchValue(decoded); err != nil || got2 != got {
				t.Errorf("MatchValue = %v, %v; Match = %v", got2, err, got)
			}
		})
	}
}
