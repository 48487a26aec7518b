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

// TestPlainColumns checks which columns are known to hold only plain JSON text (written without
// escaping or checking): those whose simple pattern or enum admits nothing else.
func TestPlainColumns(t *testing.T) {
	tests := []struct {
		column string
		want   bool
	}{
		{`{"name":"c","type":"string","pattern":"ORD-[0-9]{8}"}`, true},
		{`{"name":"c","type":"string","pattern":"[A-Z]{3}|x"}`, false}, // not a simple pattern, so not known
		{`{"name":"c","type":"string","pattern":"[a-z ~]+"}`, true},
		{`{"name":"c","type":"string","pattern":"a\\\\b"}`, false},
		{`{"name":"c","type":"string","pattern":"a\"b"}`, false},
		{`{"name":"c","type":"string","pattern":"[\\x00-\\x7f]*"}`, false},
		{`{"name":"c","type":"string","pattern":"a.b"}`, false},
		{`{"name":"c","type":"string","pattern":"(a|bc)*d"}`, false},
		{`{"name":"c","type":"string","enum":["EUR","USD"]}`, true},
		{`{"name":"c","type":"string","enum":["EUR","żółw"]}`, false},
		{`{"name":"c","type":"string","enum":["a\"b"]}`, false},
		{`{"name":"c","type":"string","pattern":"[^x]*","enum":["EUR"]}`, true},
		{`{"name":"c","type":"string","maxLength":3}`, false},
		{`{"name":"c","type":"string"}`, false},
		{`{"name":"c","type":"integer","enum":[1,2]}`, false},
	}
	for _, tt := range tests {
		s, err := Parse([]byte(`{"name":"p","columns":[` + tt.column + `]}`))
		if err != nil {
			t.Fatalf("%s: %v", tt.column, err)
		}
		if got := s.Columns[0].plain; got != tt.want {
			t.Errorf("%s: plain %v, want %v", tt.column, got, tt.want)
		}
	}
}
