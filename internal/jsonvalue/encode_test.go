package jsonvalue

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{json.Number("1.50"), `1.50`},
		{json.Number(""), `0`},
		{"a<b>&\"\\\n\r\t\u0001\u007fé😀\u2028", `"a<b>&\"\\\n\r\t\u0001` + "\u007fé😀\u2028" + `"`}, // no HTML escaping, as AWS
		{"\xff", `"\ufffd"`},
		{"a\xe9b", `"a\ufffdb"`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": 1.5, "a": []any{int64(2), "x", int32(-3), uint64(4)}}, `{"a":[2,"x",-3,4],"b":1.5}`},
		{largeObject(20), `{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,` +
			`"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19}`},
		{largeObject(16), `{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,` +
			`"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15}`},
		// Other Go types go through encoding/json, without HTML escaping.
		{struct {
			A string `json:"a"`
		}{"<&>"}, `{"a":"<&>"}`},
		{[]string{"x"}, `["x"]`},
	}
	for _, tt := range tests {
		got, err := Marshal(tt.in)
		if err != nil {
			t.Errorf("Marshal(%#v): %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("Marshal(%#v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// largeObject returns {"k00":0, "k01":1, ...} with n keys.
func largeObject(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = i
	}
	return m
}

// TestAppendFloat pins how computed numbers are written: as JavaScript's
// JSON.stringify writes them, which is what Step Functions' JSONata
// returns ($string(1e21) is "1e+21" in the JSONata test suite,
// function-string/case007; the recorded execution
// test_json_manipulation_jsonata::test_parse turns "-0" into 0).
func TestAppendFloat(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, `0`},
		{math.Copysign(0, -1), `0`},
		{1, `1`},
		{-2.5, `-2.5`},
		{sum(0.1, 0.2), `0.30000000000000004`}, // computed at run time, not folded exactly
		{1e20, `100000000000000000000`},
		{1e21, `1e+21`},
		{-1.5e300, `-1.5e+300`},
		{123456789012345680000, `123456789012345680000`},
		{9007199254740993, `9007199254740992`},
		{1e-6, `0.000001`},
		{1e-7, `1e-7`},
		{1.25e-10, `1.25e-10`},
		{5e-324, `5e-324`},
		{math.MaxFloat64, `1.7976931348623157e+308`},
	}
	for _, tt := range tests {
		got, err := AppendFloat(nil, tt.in, 64)
		if err != nil || string(got) != tt.want {
			t.Errorf("AppendFloat(%v) = %s, %v, want %s", tt.in, got, err, tt.want)
		}
	}
	if got, err := Marshal(float32(0.1)); err != nil || string(got) != "0.1" {
		t.Errorf("Marshal(float32(0.1)) = %s, %v, want 0.1", got, err)
	}
}

func TestAppendUnsupported(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), float32(math.Inf(1)),
		[]any{1.0, math.NaN()}, map[string]any{"a": math.Inf(-1)},
		json.Number("NaN"), json.Number("1e"), json.Number("0x10"), json.Number(" 1")} {
		if got, err := Marshal(v); !errors.Is(err, ErrUnsupportedNumber) {
			t.Errorf("Marshal(%v) = %s, %v, want ErrUnsupportedNumber", v, got, err)
		}
	}
}

func sum(a, b float64) float64 { return a + b }
