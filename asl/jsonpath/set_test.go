package jsonpath

import (
	"errors"
	"testing"
)

// ResultPath semantics:
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
func TestSet(t *testing.T) {
	tests := []struct {
		name, doc, ref, value, want string
	}{
		{"root replaces", `{"a":1}`, "$", `{"r":2}`, `{"r":2}`},
		{"root replaces a scalar", `"s"`, "$", `3`, `3`},
		{"new field", `{"a":1}`, "$.b", `2`, `{"a":1,"b":2}`},
		{"overwrite field", `{"a":1}`, "$.a", `[1]`, `{"a":[1]}`},
		{"creates intermediate objects", `{"a":1}`, "$.x.y.z", `true`, `{"a":1,"x":{"y":{"z":true}}}`},
		{"into existing object", `{"a":{"k":1}}`, "$.a.b", `2`, `{"a":{"k":1,"b":2}}`},
		{"bracket field", `{}`, "$['a b']", `1`, `{"a b":1}`},
		{"array element", `{"a":[1,2,3]}`, "$.a[1]", `"x"`, `{"a":[1,"x",3]}`},
		{"negative index", `{"a":[1,2,3]}`, "$.a[-1]", `"x"`, `{"a":[1,2,"x"]}`},
		{"field of array element", `{"a":[{"b":1}]}`, "$.a[0].c", `2`, `{"a":[{"b":1,"c":2}]}`},
		{"null value", `{"a":1}`, "$.n", `null`, `{"a":1,"n":null}`},
		// Seven keys fit a copied table with room for one more; eight do not.
		{"new field in a small object", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7}`, "$.h", `8`,
			`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8}`},
		{"new field in a larger object", `{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8}`, "$.i", `9`,
			`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}`},
		{"new field in an empty object", `{}`, "$.a", `1`, `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustJSON(t, tt.doc)
			before := jsonText(doc)
			got, err := Set(doc, mustRef(t, tt.ref), mustJSON(t, tt.value))
			if err != nil {
				t.Fatalf("Set: %v", err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Set = %s, want %s", jsonText(got), jsonText(want))
			}
			if after := jsonText(doc); after != before {
				t.Errorf("Set mutated its input: %s became %s", before, after)
			}
		})
	}
}

func TestSetFailures(t *testing.T) {
	tests := []struct {
		name, doc, ref string
	}{
		{"field of a string input", `"s"`, "$.a"},
		{"field of a number", `{"a":1}`, "$.a.b"},
		{"field of an array", `{"a":[1]}`, "$.a.b"},
		{"field of null", `{"a":null}`, "$.a.b"},
		{"index of an object", `{"a":{}}`, "$.a[0]"},
		{"index out of range", `{"a":[1]}`, "$.a[1]"},
		{"index of a missing field", `{}`, "$.a[0]"},
		{"context root", `{}`, "$$.a"},
		{"variable root", `{}`, "$v.a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Set(mustJSON(t, tt.doc), mustRef(t, tt.ref), "v")
			if err == nil {
				t.Fatalf("Set = %s, want an error", jsonText(got))
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrResultPath) || e.Name != "States.ResultPathMatchFailure" {
				t.Errorf("Set error = %#v, want a States.ResultPathMatchFailure *Error", err)
			}
		})
	}
	// The cause is AWS's.
	_, err := Set("text", mustRef(t, "$.partitioned"), 1)
	var e *Error
	if !errors.As(err, &e) || e.Cause != `Unable to apply ReferencePath $.partitioned to input "text"` {
		t.Errorf("Set error = %v", err)
	}
	// A non-reference path is refused too.
	if _, err := Set(map[string]any{}, MustCompile("$.a[*]"), 1); !errors.Is(err, ErrResultPath) {
		t.Errorf("Set with $.a[*] error = %v, want ErrResultPath", err)
	}
}

// Only the objects along the path are copied; siblings are shared.
func TestSetSharesSiblings(t *testing.T) {
	doc := mustJSON(t, `{"keep":{"deep":[1,2]},"a":{"b":1}}`).(map[string]any)
	got, err := Set(doc, mustRef(t, "$.a.c"), 2)
	if err != nil {
		t.Fatal(err)
	}
	keep := got.(map[string]any)["keep"].(map[string]any)
	keep["marker"] = true
	if _, ok := doc["keep"].(map[string]any)["marker"]; !ok {
		t.Errorf("sibling subtree was copied, want it shared")
	}
}

func mustRef(t testing.TB, expr string) *Path {
	t.Helper()
	p, err := CompileReference(expr)
	if err != nil {
		t.Fatalf("CompileReference(%q): %v", expr, err)
	}
	return p
}
