package filter_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/logs/filter"
)

// Examples from https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-events.html and
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html, plus the
// shapes the pipeline's own log lines take.
func TestMatch(t *testing.T) {
	const line = `{"time":"2026-01-01T00:00:00Z","level":"ERROR","msg":"invalid object","key":"incoming/orders/bad.csv","rows":12,"latency":51.5,"ok":false,"none":null,"tags":["a","b"],"nested":{"code":"E42"}}`
	tests := []struct {
		pattern, msg string
		want         bool
	}{
		{"", "anything", true},
		{"ERROR", "[ERROR] Caught IllegalArgumentException", true},
		{"ERROR", "[error] lower case", false},
		{"ERROR Exception", "[ERROR] Caught IllegalArgumentException", true},
		{"ERROR Exception", "[ERROR] nothing else", false},
		{"?ERROR ?WARN", "[WARN] careful", true},
		{"?ERROR ?WARN", "[INFO] fine", false},
		{"ERROR -Exiting", "[ERROR] Exiting now", false},
		{"ERROR -Exiting", "[ERROR] going on", true},
		{`"Failed to process"`, "Failed to process the request", true},
		{`"Failed to process"`, "Failed to handle the process", false},
		{`"say \"hi\""`, `they say "hi" here`, true},
		{`"incoming/orders/bad.csv"`, line, true},
		{`{ $.level = "ERROR" }`, line, true},
		{`{ $.level = ERROR }`, line, true},
		{`{ $.level = "INFO" }`, line, false},
		{`{ $.level != "INFO" }`, line, true},
		{`{ $.key = "incoming/orders/*" }`, line, true},
		{`{ $.key = "incoming/other/*" }`, line, false},
		{`{ $.rows = 12 }`, line, true},
		{`{ $.rows > 11 && $.rows < 13 }`, line, true},
		{`{ $.rows >= 13 }`, line, false},
		{`{ $.latency > 50 }`, line, true},
		{`{ $.latency <= 51.5 }`, line, true},
		{`{ $.level = "INFO" || $.rows = 12 }`, line, true},
		{`{ ($.level = "INFO" || $.rows = 12) && $.ok IS FALSE }`, line, true},
		{`{ $.level = "INFO" || $.rows = 12 && $.ok IS TRUE }`, line, false},
		{`{ $.none IS NULL }`, line, true},
		{`{ $.missing NOT EXISTS }`, line, true},
		{`{ $.level NOT EXISTS }`, line, false},
		{`{ $.tags[1] = "b" }`, line, true},
		{`{ $.tags[2] = "b" }`, line, false},
		{`{ $.nested.code = "E42" }`, line, true},
		{`{ $.nested.code = %E[0-9]+% }`, line, true},
		{`{ $.nested.code != %^X% }`, line, true},
		{`{ $.level = "ERROR" }`, "ERROR but not JSON", false},
		{`{ $.level = "ERROR" }`, `["not an object"]`, false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"|"+tt.msg[:min(len(tt.msg), 20)], func(t *testing.T) {
			p, err := filter.Parse(tt.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.pattern, err)
			}
			if got := p.Match(tt.msg); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.msg, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	for _, pattern := range []string{
		`"unterminated`,
		`{ $.level = "ERROR"`,
		`{ level = "ERROR" }`,
		`{ $. = 1 }`,
		`{ $.a > "text" }`,
		`{ $.a = }`,
		`{ ($.a = 1 }`,
		`{ $.a = 1 && }`,
		`{ $.a ~ 1 }`,
		`{ $.a = %[% }`,
		`[ip, user]`,
		`? alone`,
		`a"b`,
		strings.Repeat("x", filter.MaxLength+1),
		"{" + strings.Repeat("(", 40) + "$.a=1" + strings.Repeat(")", 40) + "}",
	} {
		if _, err := filter.Parse(pattern); !errors.Is(err, filter.ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want ErrSyntax", pattern, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "ERROR", `"a phrase" -x ?y ?z`, `{ $.a = "b" }`, `{ ($.a.b[0] > 1 || $.c IS NULL) && $.d NOT EXISTS }`,
		`{ $.k = "in*" }`, `{ $.k = %ab+% }`, `{ $.n != 1.5e3 }`, `[a, b]`, `"\"`, `{}`, `{ $ = 1 }`,
	} {
		f.Add(s, `{"a":"b","c":null,"k":"incoming","n":1500,"x":[1,2]}`)
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		p, err := filter.Parse(pattern)
		if err != nil {
			if !errors.Is(err, filter.ErrSyntax) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrSyntax", pattern, err)
			}
			return
		}
		if p.String() != pattern {
			t.Fatalf("String() = %q, want %q", p.String(), pattern)
		}
		got := p.Match(msg)
		// Matching is a function of the message: the same answer twice, and whitespace around a JSON
		// document does not change it.
		if again := p.Match(msg); again != got {
			t.Fatalf("Match(%q) not deterministic", msg)
		}
		if strings.HasPrefix(strings.TrimSpace(pattern), "{") {
			if padded := p.Match(" " + msg + "\n"); padded != got {
				t.Fatalf("Match(%q) = %v but padded %v", msg, got, padded)
			}
		}
		// A term pattern that is one plain word matches every message containing it.
		if w := strings.TrimSpace(pattern); w != "" && !strings.ContainsAny(w, " \t\r\n\"?-{[") && !p.Match("x"+w+"x") {
			t.Fatalf("pattern %q does not match a message containing it", pattern)
		}
	})
}
