package jsonvalue

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var seeds = []string{
	`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`,
	`[1, 2.5e-3, -0, "a\u0041\n", true, false, null, {"k": []}]`,
	`"\ud800\udc00 \ud800"`, `{"a":1,"a":2}`, "\"\xf0\x28\x8c\xbc\"", `1e400`, ` {} `, `{"a" 1}`,
	`"é\u2028\\"`, `{"":{}}`, `-0.0`, "[\"\xff\"]", `[1 2]`, `{} ]`, `[1,]`, `"\ud83d\u0041"`, `tru`,
}

// FuzzDecode checks Decode against encoding/json: the same inputs accepted
// and the same values; and that it never panics.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decode(data)
		want, ok := decodeStd(data)
		if (err == nil) != ok {
			t.Fatalf("Decode(%q) error = %v, encoding/json accepts: %v", data, err, ok)
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("Decode(%q) (-got +encoding/json):\n%s", data, diff)
		}
	})
}

// FuzzSkip checks that Skip accepts exactly what json.Valid accepts.
func FuzzSkip(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Scanner
		s.Reset(data)
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if (err == nil) != json.Valid(data) {
			t.Fatalf("Skip(%q) error = %v, json.Valid = %v", data, err, json.Valid(data))
		}
	})
}

// FuzzRoundTrip checks that what Append writes is valid JSON that decodes
// to the value it wrote, and is what encoding/json writes with sorted keys
// and no HTML escaping, but for the numbers (kept as written here).
func FuzzRoundTrip(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		out, err := Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		back, err := Decode(out)
		if err != nil {
			t.Fatalf("Marshal wrote invalid JSON %q: %v", out, err)
		}
		if diff := cmp.Diff(back, v); diff != "" {
			t.Fatalf("round trip of %q (-back +in):\n%s", data, diff)
		}
		if again, err := Marshal(back); err != nil || string(again) != string(out) {
			t.Fatalf("Marshal is not stable: %q then %q (%v)", out, again, err)
		}
	})
}

// FuzzAppendFloat checks AppendFloat against encoding/json, which writes
// float64 the same way (ES6 number to string) but for -0, and that the
// text reads back as the same number.
func FuzzAppendFloat(f *testing.F) {
	for _, v := range []float64{0, 1, -2.5, 0.30000000000000004, 1e20, 1e21, 1e-6, 1e-7, 5e-324, math.MaxFloat64, math.NaN(), math.Inf(1)} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		v := math.Float64frombits(bits)
		got, err := AppendFloat(nil, v, 64)
		want, werr := json.Marshal(v)
		if (err == nil) != (werr == nil) {
			t.Fatalf("AppendFloat(%v) error = %v, encoding/json error = %v", v, err, werr)
		}
		if err != nil {
			return
		}
		if v == 0 {
			want = []byte("0")
		}
		if string(got) != string(want) {
			t.Fatalf("AppendFloat(%v) = %s, encoding/json %s", v, got, want)
		}
		if back, err := strconv.ParseFloat(string(got), 64); err != nil || back != v && !(v == 0 && back == 0) {
			t.Fatalf("AppendFloat(%v) = %s reads back as %v, %v", v, got, back, err)
		}
	})
}
