package interp

import (
	"encoding/json"
	"fmt"
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
		// More keys than appendObject sorts on the stack.
		{largeObject(20), `{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,` +
			`"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k18":18,"k19":19}`},
		{largeObject(16), `{"k00":0,"k01":1,"k02":2,"k03":3,"k04":4,"k05":5,"k06":6,"k07":7,"k08":8,"k09":9,` +
			`"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15}`},
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

// largeObject returns {"k00":0, "k01":1, ...} with n keys.
func largeObject(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = i
	}
	return m
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
