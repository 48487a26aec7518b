package sfn

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeInput holds decodeInput to encoding/json's decoder with UseNumber, which it reads inputs
// with when the engine's decoder refuses them: the same inputs accepted, the same values.
func FuzzDecodeInput(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.50,"x",null,true]}`, `{} {}`, `{} }`, `{"a":1,"a":2}`, `"\ud800"`, "\"\xff\"", ` 1e400 `, `[`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, gotErr := decodeInput(text)
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var want any
		wantErr := dec.Decode(&want)
		if wantErr == nil && dec.More() {
			wantErr = errTrailing
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("decodeInput(%q): error %v, encoding/json's %v", text, gotErr, wantErr)
		}
		if gotErr == nil {
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("decodeInput(%q) (-got +want):\n%s", text, diff)
			}
		}
	})
}
