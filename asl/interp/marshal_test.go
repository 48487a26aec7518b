package interp

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshal(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{json.Number("1.50"), `1.50`},
		{"a<b>&\"\\\n\t\u0001é😀", `"a<b>&\"\\\n\t\u0001é😀"`}, // no HTML escaping, as AWS
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": 1.5, "a": []any{int64(2), "x"}}, `{"a":[2,"x"],"b":1.5}`},
		{"\xff", `"\ufffd"`},
	}
	for _, tc := range tests {
		got, err := marshal(tc.in)
		if err != nil {
			t.Errorf("marshal(%#v): %v", tc.in, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("marshal(%#v): got %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzMarshal checks that marshal produces JSON that decodes to the same
// value encoding/json decodes from the input.
func FuzzMarshal(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x",null,true,{"b":2.5e3}]}`, `"é\u2028\\"`, `[]`, `{"":{}}`, `-0.0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeJSON(data)
		if err != nil {
			return
		}
		out, err := marshal(v)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := decodeJSON(out)
		if err != nil {
			t.Fatalf("marshal produced invalid JSON %q: %v", out, err)
		}
		if diff := cmp.Diff(v, back); diff != "" {
			t.Errorf("round trip (-in +out):\n%s", diff)
		}
	})
}
