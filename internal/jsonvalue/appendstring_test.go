package jsonvalue

import (
	"encoding/json"
	"testing"
)

// FuzzAppendStringHTML: AppendStringHTML writes exactly what encoding/json.Marshal writes for a string, and
// AppendStringJS and AppendString write text that decodes to the same string.
func FuzzAppendStringHTML(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\s`, "\b\f\n\r\t\x00\x1f\x7f", "<a href='x'>&</a>", "\u2028\u2029", "\xff\xfe", "é中😀", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendStringHTML(nil, s); string(got) != string(want) {
			t.Fatalf("AppendStringHTML(%q) = %s, want %s", s, got, want)
		}
		var wantText string
		if err := json.Unmarshal(want, &wantText); err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string][]byte{"AppendString": AppendString(nil, s), "AppendStringJS": AppendStringJS(nil, s)} {
			var text string
			if err := json.Unmarshal(got, &text); err != nil || text != wantText {
				t.Fatalf("%s(%q) = %s: decodes to %q (%v), want %q", name, s, got, text, err, wantText)
			}
		}
	})
}
