package interp

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    any
		wantErr bool
	}{
		{in: ` {"a":[1,-2.5e+3,"x",true,false,null],"b":{}} `, want: map[string]any{
			"a": []any{json.Number("1"), json.Number("-2.5e+3"), "x", true, false, nil}, "b": map[string]any{}}},
		{in: `[]`, want: []any{}},
		{in: `"é"`, want: "é"},
		{in: `{"a":1,"a":2}`, want: map[string]any{"a": json.Number("2")}}, // the last wins
		// Escapes and invalid UTF-8 take encoding/json's path.
		{in: `"a\nb\u00e9"`, want: "a\nb\u00e9"},
		{in: "\"\xff\"", want: "\ufffd"},
		// encoding/json accepts a closing bracket after the value (More is
		// false there); so does decodeJSON.
		{in: `{} ]`, want: map[string]any{}},
		{in: `01`, wantErr: true},
		{in: `{"a":1} {}`, wantErr: true},
		{in: `[1,]`, wantErr: true},
		{in: `tru`, wantErr: true},
		{in: ``, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := decodeJSON([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("decodeJSON(%q) error %v, want error %v", tc.in, err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decodeJSON(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// FuzzDecodeJSON checks that the fast decoder and encoding/json agree on
// every input: the same value, or both an error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,"x",null,true,{"b":-0.5E-3}]}`, `"é\u2028\\"`, `[]`, `{"":{}}`, `-0.0`, ` 1 `, `{"a":1,"a":[]}`, "[\"\xff\"]", `[1 2]`, `{"a" 1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeJSON(data)
		want, wantErr := decodeJSONStd(data)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("decodeJSON(%q) error %v, encoding/json error %v", data, err, wantErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeJSON(%q) (-encoding/json +fast):\n%s", data, diff)
		}
	})
}
