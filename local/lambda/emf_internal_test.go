package lambda

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzMembers holds members to json.Unmarshal into a map[string]json.RawMessage for every document
// that starts with '{' (what ParseEMF gives it): the same documents accepted, the same names, the same
// value bytes.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{
		`{"_aws":{"Timestamp":1764064800000,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["A"]],"Metrics":[{"Name":"C","Unit":"Count"}]}]},"A":"a","C":[1,2]}`,
		`{}`, ` { "a" : 1 , "b" :[ 1, {"c":null} ] } `, `{"a":1,"a":2}`, `{"\u00e9\ud800":"x","\xff":true}`,
		`{"a":1,}`, `{"a" 1}`, `{"a":1} x`, `{"a":"\u12"}`, `{"a":-01}`, `{"a":1e400}`, `{`, `{"a":[}`, "{\"a\":\"\x01\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
			return
		}
		got, gotErr := members(data)
		var want map[string]json.RawMessage
		wantErr := json.Unmarshal(data, &want)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("members(%q) error %v; json.Unmarshal error %v", data, gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("members(%q) (-got +want):\n%s", data, diff)
		}
	})
}
