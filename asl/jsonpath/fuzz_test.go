package jsonpath

import (
	"encoding/json"
	"errors"
	"testing"
)

var fuzzDoc = `{"a": {"b": [1, {"c": "x"}, null], "d": 2.5}, "s": "str", "arr": [3, 1, 2], "e": {}, "n": null}`

func fuzzScope(t *testing.T) *Scope {
	return &Scope{
		Input:   mustJSON(t, fuzzDoc),
		Context: mustJSON(t, `{"Execution": {"Id": "x", "Input": {"a": 1}}}`),
		Var:     func(n string) (any, bool) { return map[string]any{"v": []any{"p", "q"}}[n], n == "v" },
		Random:  seqRandom(1),
	}
}

// checkResult fails when an evaluation error is not an *Error with a name,
// or a result is not a JSON value.
func checkResult(t *testing.T, v any, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Name == "" {
			t.Fatalf("evaluation error %v is not an *Error", err)
		}
		return
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatalf("result %#v is not JSON: %v", v, err)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"$", "$.a.b[1].c", "$$.Execution.Id", "$v[0]", "$..c", "$.arr[*]", "$.arr[0:2]", "$.arr[-1:]",
		"$.a.b[?(@.c == 'x')]", "$.arr[?(@ > 1 && @ < 3)]", "$['a']['b']", "$.arr.length()", "$.a['b','d']",
		"$.arr[0,2]", "$.a.b[?(@.c =~ /x+/i)]", "$.arr[?(@ in [1,2])]", "$[", "$..", "$.a[?(", "$.*",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := Compile(expr)
		if err != nil {
			if p != nil {
				t.Fatalf("Compile returned a path and an error")
			}
			return
		}
		s := fuzzScope(t)
		v, err := p.Eval(s)
		checkResult(t, v, err)
		if n := len(p.segs); err == nil && !p.IsDefinite() && p.segs[n-1].kind != segLength {
			if _, ok := v.([]any); !ok {
				t.Fatalf("indefinite path %q returned %T", expr, v)
			}
		}
		if r, err := CompileReference(expr); err == nil {
			if _, err := Set(s.Input, r, "v"); err != nil && !errors.Is(err, ErrResultPath) {
				t.Fatalf("Set error %v is not ErrResultPath", err)
			}
		}
		if jsonText(s.Input) != jsonText(mustJSON(t, fuzzDoc)) {
			t.Fatalf("%q mutated the input", expr)
		}
	})
}

func FuzzCompileIntrinsic(f *testing.F) {
	for _, s := range []string{
		"States.Format('{} and {}', $.s, $.a.d)", "States.Array(1, 'two', true, null, $.arr)", "States.UUID()",
		"States.ArrayRange(1, 9, 2)", "States.ArrayPartition($.arr, 2)", "States.ArrayGetItem($.arr, 1)",
		"States.StringSplit('a,b', ',')", "States.MathAdd(1, -2.5)", "States.MathRandom(1, 10, 3)",
		"States.Hash($.s, 'SHA-256')", "States.Base64Decode(States.Base64Encode($.s))", "States.JsonMerge($.a, $.e, false)",
		"States.StringToJson(States.JsonToString($.a))", "States.ArrayUnique($.arr)", "States.ArrayContains($.arr, 1)",
		"States.ArrayLength($v)", `States.Format('\{\} \' \\ {}', $$.Execution.Id)`, "States.Format('{", "States.Array(",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		fn, err := CompileIntrinsic(expr)
		if err != nil {
			return
		}
		v, err := fn.Eval(fuzzScope(t))
		checkResult(t, v, err)
	})
}

func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{
		`{"a.$": "$.a", "b": {"c.$": "States.Array($.s)"}, "l": [1, {"d.$": "$$.Execution.Id"}]}`,
		`{"x": 1}`, `[{"y.$": "$v"}]`, `{"a.$": 1}`, `{"a.$": "nope"}`, `"scalar"`, `{"a": 1, "a.$": "$"}`,
		`{"a-b": 1, "a.$": "$.a"}`, `{"\u00e9": [true, {"k.$": "$$"}], "z.$": "States.Format('{}', $.a)"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var tmpl any
		dec := json.NewDecoder(stringsReader(text))
		dec.UseNumber()
		if dec.Decode(&tmpl) != nil {
			return
		}
		compiled, err := CompileTemplate(tmpl)
		if err != nil {
			return
		}
		v, err := compiled.Eval(fuzzScope(t))
		checkResult(t, v, err)
		checkEvalAppend(t, compiled, fuzzScope(t))
	})
}
