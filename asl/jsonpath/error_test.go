package jsonpath

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorStrings(t *testing.T) {
	_, err := MustCompile("$.a").Eval(&Scope{Input: map[string]any{}})
	if got, want := err.Error(), "States.Runtime: Invalid path '$.a' : No results for path: $['a']"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	_, err = Compile("$.a[")
	if err == nil || !strings.Contains(err.Error(), `invalid JSONPath "$.a["`) {
		t.Errorf("Compile error = %v, want it to quote the expression", err)
	}
	_, err = CompileTemplate(map[string]any{"x.$": "$.a["})
	var fe *FieldError
	if !errors.As(err, &fe) || errors.Unwrap(fe) == nil {
		t.Fatalf("CompileTemplate error = %v, want a *FieldError with a detail", err)
	}
	if !strings.Contains(errors.Unwrap(fe).Error(), "expected") {
		t.Errorf("detail = %v", errors.Unwrap(fe))
	}
	f := mustIntrinsic(t, "States.Array( 1 )")
	if f.String() != "States.Array( 1 )" {
		t.Errorf("String() = %q", f.String())
	}
}

func TestFilterRoots(t *testing.T) {
	s := &Scope{
		Input:   mustJSON(t, `{"min": 2, "xs": [{"v": 1}, {"v": 2}, {"v": 3}]}`),
		Context: mustJSON(t, `{"Execution": {"Input": {"max": 2}}}`),
		Var:     func(n string) (any, bool) { return mustJSON(t, `[1, 3]`), n == "pick" },
	}
	for _, tt := range []struct{ expr, want string }{
		{"$.xs[?(@.v >= $.min)].v", `[2,3]`},
		{"$.xs[?(@.v <= $$.Execution.Input.max)].v", `[1,2]`},
		{"$.xs[?(@.v in $pick)].v", `[1,3]`},
		{"$.xs[?((@.v == 1 || @.v == 3) && !(@.v == 3))].v", `[1]`},
		{"$.xs[?(@.v == $undefined)].v", `[]`},
		{"$.xs[?(@.v != $undefined)].v", `[1,2,3]`},
		{"$..v", `[1,2,3]`},
		{"$..[0]", `[{"v":1}]`},
		{"$.xs[?(@.v > 1)]..v", `[2,3]`},
		{"$.xs[*]['v']", `[1,2,3]`},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := MustCompile(tt.expr).Eval(s)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Eval = %s, want %s", jsonText(got), jsonText(want))
			}
		})
	}
}

func TestIntrinsicMoreFunctions(t *testing.T) {
	s := &Scope{Input: mustJSON(t, `{"o": {"b": 1, "a": [1, 1.0]}, "l": [[1, 2], [1, 2.0], {"k": [1]}, {"k": [1.00]}]}`)}
	for _, tt := range []struct{ expr, want string }{
		{"States.Hash('input data', 'SHA-384')", `"` + hashHex384(t, "input data") + `"`},
		{"States.Hash($.o, 'SHA-256')", `"` + hashHex(t, `{"a":[1,1.0],"b":1}`) + `"`},
		{"States.ArrayUnique($.l)", `[[1,2],{"k":[1]}]`},
		{"States.JsonToString($.o)", `"{\"a\":[1,1.0],\"b\":1}"`},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := mustIntrinsic(t, tt.expr).Eval(s)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Eval = %s, want %s", jsonText(got), jsonText(want))
			}
		})
	}
}
