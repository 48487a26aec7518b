package jsonpath

import (
	"encoding/json"
	"testing"
)

// Values of Object.hashCode computed by Java for the same data.
func TestJavaHash(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want int32
	}{
		{nil, 0},
		{true, 1231},
		{false, 1237},
		{"", 0},
		{"hello", 99162322},
		{"😀", 1772899},
		{json.Number("5"), 5},
		{json.Number("-7"), -7},
		{json.Number("3000000000"), -1294967296},
		{json.Number("1.5"), 1073217536},
		{[]any{json.Number("1"), json.Number("2")}, 994},
		{[]any{}, 1},
		{map[string]any{"a": json.Number("1")}, 96},
		{map[string]any{"a": json.Number("1"), "b": "ab"}, 96 + (98 ^ 3105)},
	} {
		if got := javaHash(tt.v); got != tt.want {
			t.Errorf("javaHash(%s) = %d, want %d", jsonText(tt.v), got, tt.want)
		}
	}
}

func TestJavaOrderCapacity(t *testing.T) {
	// 20 values need a 32-bucket table: 17 (bucket 17) sorts after 1 and
	// 16 (bucket 16) comes between 15 and 17, where a 16-bucket table
	// would put 16 and 17 first.
	items := make([]any, 0, 20)
	for i := 19; i >= 0; i-- {
		items = append(items, jsonInt(i))
	}
	javaOrder(items, len(items))
	for i, v := range items {
		if v != jsonInt(i) {
			t.Fatalf("order = %s, want 0..19", jsonText(items))
		}
	}
}
