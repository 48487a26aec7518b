package asl

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeStd decodes with encoding/json as the reference: json.Valid
// decides acceptance (one value, nothing after it), a Decoder with
// UseNumber the value.
func decodeStd(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errInvalid
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

var errInvalid = &jsonSyntaxError{msg: "invalid"}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in   string
		want any
	}{
		{`{"a":[1,-2.5e3,"x",true,false,null,{}]}`, map[string]any{"a": []any{json.Number("1"), json.Number("-2.5e3"), "x", true, false, nil, map[string]any{}}}},
		{`"\u00e9\ud83d\ude00\n\"\\\/"`, "é😀\n\"\\/"},
		{`"\ud83d"`, "\ufffd"},
		{"\"\xff\"", "\ufffd"},
		{` [ ] `, []any{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, dups, err := parseJSON([]byte(tt.in))
			if err != nil || dups != nil {
				t.Fatalf("parseJSON() = %v, %v", dups, err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("parseJSON() (-got +want):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `01`, `1.`, `-`, `"\x"`, "\"\x01\"", `tru`, `{} x`, `{"a":1}}`} {
		if _, _, err := parseJSON([]byte(bad)); err == nil {
			t.Errorf("parseJSON(%q) accepted invalid JSON", bad)
		}
	}
}

// FuzzParseJSON checks the parser against encoding/json: the same inputs
// are accepted and, without repeated keys, decode to the same value.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{
		`{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}`,
		`[1, 2.5e-3, -0, "a\u0041\n", true, false, null, {"k": []}]`,
		`"\ud800\udc00 \ud800"`, `{"a":1,"a":2}`, "\"\xf0\x28\x8c\xbc\"", `1e400`, ` {} `, `{"a" 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, _, err := parseJSON(data)
		want, werr := decodeStd(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("parseJSON error = %v, encoding/json error = %v", err, werr)
		}
		if err != nil {
			return
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Fatalf("parseJSON differs from encoding/json (-ours +std):\n%s", diff)
		}
	})
}
