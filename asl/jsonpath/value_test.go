package jsonpath

import (
	"encoding/json"
	"testing"
)

func TestCompareNumbers(t *testing.T) {
	for _, tt := range []struct {
		a, b any
		want int
	}{
		{json.Number("1"), json.Number("1.0"), 0},
		{json.Number("1e2"), json.Number("100"), 0},
		{json.Number("-0.5"), json.Number("0"), -1},
		{json.Number("12345678901234567891"), json.Number("12345678901234567890"), 1},
		{json.Number("0.1"), 0.1, 0},
		{3, json.Number("2.999"), 1},
	} {
		got, ok := compareNumbers(tt.a, tt.b)
		if !ok || got != tt.want {
			t.Errorf("compareNumbers(%v, %v) = %d, %v; want %d", tt.a, tt.b, got, ok, tt.want)
		}
	}
	if _, ok := compareNumbers("1", json.Number("1")); ok {
		t.Errorf("compareNumbers accepted a string")
	}
}

func TestJSONText(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{map[string]any{"b": json.Number("1.50"), "a": []any{nil, true, "x<&>\"\\\n\u0001é"}}, `{"a":[null,true,"x<&>\"\\\n\u0001é"],"b":1.50}`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{float64(2.5), `2.5`},
		{"\xff", `"\ufffd"`},
	} {
		if got := jsonText(tt.v); got != tt.want {
			t.Errorf("jsonText(%#v) = %s, want %s", tt.v, got, tt.want)
		}
	}
}

func TestJavaLength(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "✓": 1, "🚀": 2, "a🚀b": 4} {
		if got := javaLength(s); got != want {
			t.Errorf("javaLength(%q) = %d, want %d", s, got, want)
		}
	}
}
