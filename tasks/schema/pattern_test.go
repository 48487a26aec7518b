package schema

import (
	"regexp"
	"testing"
)

// TestPattern checks that common patterns get the simple matcher, that others keep regexp, and that
// both answer as regexp does.
func TestPattern(t *testing.T) {
	tests := []struct {
		pattern    string
		wantSimple bool
		in         string
		want       bool
	}{
		{"ORD-[0-9]{8}", true, "ORD-12345678", true},
		{"ORD-[0-9]{8}", true, "ORD-1234567", false},
		{"ORD-[0-9]{8}", true, "ORD-123456789", false},
		{"ORD-[0-9]{8}", true, "ORD-1234567٣", false},
		{"[A-Z]{2,3}-\\d+", true, "EU-7", true},
		{"[A-Z]{2,3}-\\d+", true, "EURO-7", false},
		{"[a-z]+@x\\.com", true, "ab@x.com", true},
		{"(?i)abc", true, "AbC", true},
		{"(?i)k", false, "\u212a", true}, // the Kelvin sign folds to k
		{"a*a", false, "aaa", true},      // greed would fail: regexp backtracks
		{"[0-9]*[a-z]?[0-9]", false, "12", true},
		{"[0-9]+x?", true, "12x", true},
		{"a|bc", false, "bc", true},
		{"[^,]+", false, "é", true},
		{".+", false, "x", true},
		{"(ab)+", false, "abab", true},
		{"^a$", true, "a", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+" "+tt.in, func(t *testing.T) {
			p, err := compilePattern(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.simple != nil; got != tt.wantSimple {
				t.Errorf("simple matcher: got %v, want %v", got, tt.wantSimple)
			}
			if got := p.MatchString(tt.in); got != tt.want {
				t.Errorf("MatchString(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if re := regexp.MustCompile(`^(?:` + tt.pattern + `)$`); re.MatchString(tt.in) != tt.want {
				t.Errorf("the test is wrong: regexp says %v", !tt.want)
			}
		})
	}
}
