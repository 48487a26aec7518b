package pattern_test

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/events/pattern"
)

var seedPatterns = []string{
	`{"source":["aws.s3"],"detail-type":["Object Created"]}`,
	`{"detail":{"object":{"key":[{"prefix":"in/"},{"suffix":{"equals-ignore-case":".CSV"}}]}}}`,
	`{"a":[{"anything-but":{"wildcard":["*/x/*","y*"]}},{"exists":false}]}`,
	`{"n":[{"numeric":[">",0,"<=",5]},300,null,true]}`,
	`{"ip":[{"cidr":"10.0.0.0/8"},"::1"]}`,
	`{"$or":[{"a":["1"]},{"b":{"c":[{"anything-but":[1,2]}]}}]}`,
	`{"r":{"k":["a"],"v":[{"wildcard":"a*b\\*"}]}}`,
	`{"a":[{"anything-but":{"prefix":""}}]}`,
	`[]`, `{`, `{"a":[{"numeric":[">",0,"<"]}]}`,
}

var seedEvents = []string{
	`{"source":"aws.s3","detail-type":"Object Created","detail":{"object":{"key":"in/a.csv"}}}`,
	`{"a":"x/x/y","n":3.0,"ip":"10.1.2.3","b":{"c":3}}`,
	`{"r":[{"k":"a","v":"ab*"},{"k":"b","v":"x"}],"n":[1,[2,{"x":null}]]}`,
	`{"a":"\u00e9\ud83d\ude00","n":-0.5e-3}`,
	`{}`, `[]`, `{"a":`, `{"a":"\ud800"}`,
}

// FuzzCompile checks that Compile never panics, that its failures are
// pattern errors, and that a compiled pattern matches without error.
func FuzzCompile(f *testing.F) {
	for _, p := range seedPatterns {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := pattern.Compile([]byte(src))
		if err != nil {
			var perr *pattern.Error
			if !errors.As(err, &perr) && !errors.Is(err, pattern.ErrTooLong) {
				t.Fatalf("Compile(%q) error %v is not a pattern error", src, err)
			}
			return
		}
		if !json.Valid([]byte(src)) {
			t.Fatalf("Compile accepted invalid JSON %q", src)
		}
		for _, ev := range seedEvents {
			got, err := p.Match([]byte(ev))
			if err != nil && !errors.Is(err, pattern.ErrInvalidEvent) {
				t.Fatalf("Match error %v is not ErrInvalidEvent", err)
			}
			if err != nil {
				continue
			}
			if decoded, err := decodeNumbers(ev); err == nil {
				if got2, err := p.MatchValue(decoded); err != nil || got2 != got {
					t.Fatalf("pattern %s event %s: Match = %v, MatchValue = %v, %v", src, ev, got, got2, err)
				}
			}
		}
	})
}

// FuzzMatch checks that Match never panics, rejects exactly the events that
// are not JSON objects, and agrees with matching the decoded event.
func FuzzMatch(f *testing.F) {
	for i, ev := range seedEvents {
		f.Add(seedPatterns[i%6], ev)
	}
	f.Fuzz(func(t *testing.T, src, ev string) {
		p, err := pattern.Compile([]byte(src))
		if err != nil {
			return
		}
		got, err := p.Match([]byte(ev))
		decoded, decodeErr := decodeNumbers(ev)
		_, isObject := decoded.(map[string]any)
		if (err == nil) != (decodeErr == nil && isObject) {
			t.Fatalf("Match(%q) error = %v; encoding/json error = %v, object = %v", ev, err, decodeErr, isObject)
		}
		if err != nil {
			return
		}
		if got2, err := p.MatchValue(decoded); err != nil || got2 != got {
			t.Fatalf("pattern %s event %s: Match = %v, MatchValue = %v, %v", src, ev, got, got2, err)
		}
	})
}

// decodeNumbers decodes an event keeping numbers as written (json.Number),
// so MatchValue sees the same number text as Match.
func decodeNumbers(ev string) (any, error) {
	d := json.NewDecoder(strings.NewReader(ev))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("trailing data")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return v, nil
}
