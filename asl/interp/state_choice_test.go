package interp

import (
	"strings"
	"testing"
)

// Choice rules: every comparison family, the Path variants, the Is* tests,
// And/Or/Not, and the rule that a value of the wrong type never matches.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
func TestChoiceRules(t *testing.T) {
	input := `{"s":"b","n":10,"f":1.5,"t":true,"ts":"2025-01-01T00:00:00Z","null":null,
		"other":{"s":"b","n":10.0,"t":true,"ts":"2025-01-01T00:00:00+00:00"}}`
	tests := []struct {
		rule string
		want bool
	}{
		{`"Variable":"$.s","StringEquals":"b"`, true},
		{`"Variable":"$.s","StringEquals":"c"`, false},
		{`"Variable":"$.n","StringEquals":"10"`, false}, // a number is not a string
		{`"Variable":"$.s","StringLessThan":"c"`, true},
		{`"Variable":"$.s","StringGreaterThan":"a"`, true},
		{`"Variable":"$.s","StringLessThanEquals":"b"`, true},
		{`"Variable":"$.s","StringGreaterThanEquals":"c"`, false},
		{`"Variable":"$.s","StringEqualsPath":"$.other.s"`, true},
		{`"Variable":"$.s","StringMatches":"*"`, true},
		{`"Variable":"$.s","StringMatches":"a*"`, false},
		{`"Variable":"$.n","NumericEquals":10`, true},
		{`"Variable":"$.n","NumericEquals":10.0`, true}, // by value
		{`"Variable":"$.s","NumericEquals":10`, false},  // a string is not a number
		{`"Variable":"$.f","NumericLessThan":2`, true},
		{`"Variable":"$.f","NumericGreaterThan":1.5`, false},
		{`"Variable":"$.f","NumericGreaterThanEquals":1.5`, true},
		{`"Variable":"$.n","NumericLessThanEquals":9`, false},
		{`"Variable":"$.n","NumericEqualsPath":"$.other.n"`, true},
		{`"Variable":"$.n","NumericLessThanPath":"$.f"`, false},
		{`"Variable":"$.t","BooleanEquals":true`, true},
		{`"Variable":"$.s","BooleanEquals":true`, false},
		{`"Variable":"$.t","BooleanEqualsPath":"$.other.t"`, true},
		{`"Variable":"$.ts","TimestampEquals":"2025-01-01T00:00:00Z"`, true},
		{`"Variable":"$.ts","TimestampLessThan":"2025-01-02T00:00:00Z"`, true},
		{`"Variable":"$.ts","TimestampGreaterThanEquals":"2025-01-02T00:00:00Z"`, false},
		{`"Variable":"$.ts","TimestampEqualsPath":"$.other.ts"`, true}, // same instant, other offset
		{`"Variable":"$.s","TimestampEquals":"2025-01-01T00:00:00Z"`, false},
		{`"Variable":"$.null","IsNull":true`, true},
		{`"Variable":"$.s","IsNull":true`, false},
		{`"Variable":"$.s","IsPresent":true`, true},
		{`"Variable":"$.missing","IsPresent":true`, false},
		{`"Variable":"$.missing","IsPresent":false`, true},
		{`"Variable":"$.n","IsNumeric":true`, true},
		{`"Variable":"$.s","IsNumeric":false`, true},
		{`"Variable":"$.s","IsString":true`, true},
		{`"Variable":"$.t","IsBoolean":true`, true},
		{`"Variable":"$.ts","IsTimestamp":true`, true},
		{`"Variable":"$.s","IsTimestamp":true`, false},
		{`"And":[{"Variable":"$.s","StringEquals":"b"},{"Variable":"$.n","NumericEquals":10}]`, true},
		{`"And":[{"Variable":"$.s","StringEquals":"b"},{"Variable":"$.n","NumericEquals":11}]`, false},
		{`"Or":[{"Variable":"$.s","StringEquals":"x"},{"Variable":"$.n","NumericEquals":10}]`, true},
		{`"Not":{"Variable":"$.s","StringEquals":"b"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{` + tc.rule + `,"Next":"Yes"}],"Default":"No"},
				"Yes":{"Type":"Pass","Result":true,"End":true},"No":{"Type":"Pass","Result":false,"End":true}}}`
			r, _ := run(t, def, input)
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
			}
			if got := r.Output; got != tc.want {
				t.Errorf("matched: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChoiceFailures(t *testing.T) {
	tests := []struct {
		name, choice, wantErr string
	}{
		// https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
		{"no match and no Default", `"Choices":[{"Variable":"$.a","NumericEquals":2,"Next":"E"}]`, "States.NoChoiceMatched"},
		{"missing variable", `"Choices":[{"Variable":"$.nope","NumericEquals":2,"Next":"E"}],"Default":"E"`, "States.Runtime"},
		{"missing Path operand", `"Choices":[{"Variable":"$.a","NumericEqualsPath":"$.nope","Next":"E"}],"Default":"E"`, "States.Runtime"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"C","States":{"C":{"Type":"Choice",` + tc.choice + `},"E":{"Type":"Succeed"}}}`
			r, _ := run(t, def, `{"a":1}`)
			if r.Status != StatusFailed || r.Error != tc.wantErr {
				t.Errorf("got %s %s (%s), want FAILED %s", r.Status, r.Error, r.Cause, tc.wantErr)
			}
		})
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*.log", "a.log", true},
		{"*.log", "a.txt", false},
		{"log-*-x", "log-1-2-x", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "acb", false},
		{`a\*`, "a*", true},
		{`a\*`, "ab", false},
		{`a\\b`, `a\b`, true},
		{"", "", true},
		{"*", "", true},
		{"abc", "abc", true},
		{"abc", "abcd", false},
		{"a*a", "a", false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"~"+tc.s, func(t *testing.T) {
			if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
				t.Errorf("wildcardMatch(%q, %q): got %v, want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}

// FuzzWildcardMatch checks the linear matcher against a plain recursive
// definition of StringMatches.
func FuzzWildcardMatch(f *testing.F) {
	for _, s := range [][2]string{{"*.log", "a.log"}, {"a*b*c", "aXbYc"}, {`\**`, "*x"}, {"a*a", "a"}, {`\\*`, `\x`}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 12 || len(s) > 12 || strings.Count(pattern, "*") > 4 {
			return
		}
		if got, want := wildcardMatch(pattern, s), referenceMatch(pattern, s); got != want {
			t.Errorf("wildcardMatch(%q, %q): got %v, want %v", pattern, s, got, want)
		}
	})
}

func referenceMatch(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch {
	case p[0] == '\\' && len(p) > 1:
		return s != "" && s[0] == p[1] && referenceMatch(p[2:], s[1:])
	case p[0] == '*':
		for i := 0; i <= len(s); i++ {
			if referenceMatch(p[1:], s[i:]) {
				return true
			}
		}
		return false
	}
	return s != "" && s[0] == p[0] && referenceMatch(p[1:], s[1:])
}
