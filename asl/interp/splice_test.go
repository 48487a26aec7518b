package interp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/asl/jsonpath"
)

// spliceAgainstRender sets key in doc with jsonpath.Set and returns the
// spliced text (ok false when splicing declined) and the full rendering.
func spliceAgainstRender(t *testing.T, doc map[string]any, key string, val any) (got string, ok bool, want string) {
	t.Helper()
	p, err := jsonpath.CompileReference("$['" + key + "']")
	if err != nil {
		t.Skipf("key %q is not a reference path: %v", key, err)
	}
	if k, single := p.SingleField(); !single || k != key {
		t.Skipf("key %q does not compile to itself", key)
	}
	out, err := jsonpath.Set(doc, p, val)
	if err != nil {
		t.Fatalf("Set: %v", err)
	}
	b, ok := appendSpliced(nil, render(doc), key, val, "")
	withText, okWithText := appendSpliced(nil, render(doc), key, val, render(val))
	if ok != okWithText || string(b) != string(withText) {
		t.Errorf("splicing with the value's text gave %q, %v; without, %q, %v", withText, okWithText, b, ok)
	}
	return string(b), ok, render(out)
}

func TestAppendSpliced(t *testing.T) {
	tests := []struct {
		name, doc, key, val string
		spliced             bool
	}{
		{"into an empty object", `{}`, "a", `1`, true},
		{"before every key", `{"b":1,"c":2}`, "a", `{"x":[1,2]}`, true},
		{"between keys", `{"a":1,"c":2}`, "b", `"s"`, true},
		{"after every key", `{"a":1,"b":2}`, "c", `null`, true},
		{"replaces a value", `{"a":1,"b":{"x":"}"},"c":2}`, "b", `[true]`, true},
		{"replaces the last value", `{"a":1,"b":2}`, "b", `{}`, true},
		{"a prefix sorts first", `{"ab":1}`, "a", `2`, true},
		{"a longer key sorts after its prefix", `{"a":1,"b":3}`, "ab", `2`, true},
		{"values with brackets and quotes in strings", `{"a":"{[\"","c":["]}",{"d":","}]}`, "b", `1`, true},
		{"non-ASCII keys sort by bytes", `{"é":1,"z":2}`, "ü", `3`, true},
		{"an escaped key in the text declines", `{"a\"b":1}`, "c", `2`, false},
		{"a key that needs escaping declines", `{"a":1}`, "q\"", `2`, false},
		{"a control character declines", `{"a":1}`, "\n", `2`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustJSON(t, tc.doc).(map[string]any)
			got, ok, want := spliceAgainstRender(t, doc, tc.key, mustJSON(t, tc.val))
			if ok != tc.spliced {
				t.Fatalf("spliced = %v, want %v (text %s)", ok, tc.spliced, got)
			}
			if ok {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("spliced text differs from the full rendering (-render +spliced):\n%s", diff)
				}
			}
		})
	}
}

// FuzzAppendSpliced checks that a spliced text is always exactly the full
// rendering of the document with the field set.
func FuzzAppendSpliced(f *testing.F) {
	f.Add([]byte(`{"b":1,"d":[{"e":"}"}]}`), "c", []byte(`{"x":1}`))
	f.Add([]byte(`{}`), "a", []byte(`"\u2028"`))
	f.Add([]byte(`{"a":"\\\"","b":2}`), "b", []byte(`[]`))
	f.Add([]byte(`{"\u00e9":1}`), "\xff", []byte(`1`))
	f.Fuzz(func(t *testing.T, docText []byte, key string, valText []byte) {
		d, err := decodeJSON(docText)
		if err != nil {
			return
		}
		doc, isObject := d.(map[string]any)
		val, err := decodeJSON(valText)
		if !isObject || err != nil {
			return
		}
		if _, err := jsonpath.CompileReference("$['" + key + "']"); err != nil {
			return
		}
		got, ok, want := spliceAgainstRender(t, doc, key, val)
		if ok && got != want {
			t.Errorf("spliced %s, rendered %s", got, want)
		}
	})
}

// TestOutputTexts runs states whose output is their input (Choice,
// ResultPath null), their input with one top-level field set by ResultPath
// (before, between, after and over existing keys), or something else (an
// OutputPath, a deeper ResultPath), and checks every exited event's output
// text exactly: these texts are rendered from the input's text where they
// can be, and must equal the full rendering.
func TestOutputTexts(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Result":1,"ResultPath":"$.a","Next":"M"},
		"M":{"Type":"Pass","Parameters":{"k.$":"$.key"},"ResultPath":"$.m","Next":"Same"},
		"Same":{"Type":"Choice","Choices":[{"Variable":"$.b","BooleanEquals":true,"Next":"Z"}]},
		"Z":{"Type":"Pass","Result":{"s":"}\","},"ResultPath":"$.zz","Next":"Drop"},
		"Drop":{"Type":"Pass","Result":7,"ResultPath":null,"Next":"Over"},
		"Over":{"Type":"Pass","Result":[2],"ResultPath":"$.a","Next":"Out"},
		"Out":{"Type":"Pass","Result":3,"ResultPath":"$.o","OutputPath":"$.m","Next":"Deep"},
		"Deep":{"Type":"Pass","Result":4,"ResultPath":"$.x.y","End":true}}}`
	r, events := run(t, def, `{"key":"k1","b":true,"n":{"q":[1,{"r":"]"}]}}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("status %s: %s %s", r.Status, r.Error, r.Cause)
	}
	var got []string
	for _, ev := range events {
		if d := ev.StateExitedEventDetails; d != nil {
			got = append(got, d.Output)
		}
	}
	const n = `"n":{"q":[1,{"r":"]"}]}`
	want := []string{
		`{"a":1,"b":true,"key":"k1",` + n + `}`,
		`{"a":1,"b":true,"key":"k1","m":{"k":"k1"},` + n + `}`,
		`{"a":1,"b":true,"key":"k1","m":{"k":"k1"},` + n + `}`,
		`{"a":1,"b":true,"key":"k1","m":{"k":"k1"},` + n + `,"zz":{"s":"}\","}}`,
		`{"a":1,"b":true,"key":"k1","m":{"k":"k1"},` + n + `,"zz":{"s":"}\","}}`,
		`{"a":[2],"b":true,"key":"k1","m":{"k":"k1"},` + n + `,"zz":{"s":"}\","}}`,
		`{"k":"k1"}`,
		`{"k":"k1","x":{"y":4}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exited outputs (-want +got):\n%s", diff)
	}
	for i, text := range got {
		if full := render(mustJSON(t, text)); full != text {
			t.Errorf("output %d is %s, its full rendering %s", i, text, full)
		}
	}
	if diff := cmp.Diff(want[len(want)-1], canon(t, r.Output)); diff != "" {
		t.Errorf("execution output (-want +got):\n%s", diff)
	}
}
