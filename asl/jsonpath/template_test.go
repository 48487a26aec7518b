package jsonpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sluicehq/sluice/internal/jsonvalue"
)

// Parameters examples from
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
func TestTemplateEval(t *testing.T) {
	input := mustJSON(t, `{"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small", "material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}}`)
	ctx := mustJSON(t, `{"Execution": {"Id": "arn:exec:1"}, "Map": {"Item": {"Value": "Pikachu", "Index": 1}}}`)
	scope := &Scope{Input: input, Context: ctx, Var: func(n string) (any, bool) {
		v, ok := map[string]any{"AnswerTemplate": "It's {}!", "Question": "Who's that Pokemon?"}[n]
		return v, ok
	}}
	tests := []struct {
		name, tmpl, want string
	}{
		{"doc example", `{"comment": "Selecting what I care about.", "MyDetails": {"size.$": "$.product.details.size", "exists.$": "$.product.availability", "StaticValue": "foo"}}`,
			`{"comment": "Selecting what I care about.", "MyDetails": {"size": "small", "exists": "in stock", "StaticValue": "foo"}}`},
		{"context object", `{"id.$": "$$.Execution.Id", "all.$": "$$"}`, `{"id": "arn:exec:1", "all": {"Execution": {"Id": "arn:exec:1"}, "Map": {"Item": {"Value": "Pikachu", "Index": 1}}}}`},
		{"variables and intrinsic", `{"AnnouncePokemon.$": "States.Format($AnswerTemplate, $$.Map.Item.Value)", "Question.$": "$Question"}`,
			`{"AnnouncePokemon": "It's Pikachu!", "Question": "Who's that Pokemon?"}`},
		{"arrays recurse", `{"list": [1, {"a.$": "$.product.sku"}, [{"b.$": "$.product.cost"}]]}`, `{"list": [1, {"a": "2317"}, [{"b": "$23"}]]}`},
		{"indefinite path gives an array", `{"vals.$": "$.product.details.*"}`, `{"vals": ["blue", "cotton", "small"]}`},
		{"static values pass through", `{"n": null, "b": false, "x": 1.50, "s": "$.not.a.path", "o": {}}`, `{"n": null, "b": false, "x": 1.5, "s": "$.not.a.path", "o": {}}`},
		{"non-object template", `[1, 2]`, `[1, 2]`},
		{"whole input", `{"in.$": "$"}`, `{"in": {"comment": "Example for Parameters.", "product": {"details": {"color": "blue", "size": "small", "material": "cotton"}, "availability": "in stock", "sku": "2317", "cost": "$23"}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := CompileTemplate(mustJSON(t, tt.tmpl))
			if err != nil {
				t.Fatalf("CompileTemplate: %v", err)
			}
			got, err := tmpl.Eval(scope)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Eval = %s, want %s", jsonText(got), jsonText(want))
			}
			checkEvalAppend(t, tmpl, scope)
		})
	}
}

// checkEvalAppend checks that EvalAppend builds what Eval builds, fails as
// it fails, and, when it says it wrote the text, wrote what jsonvalue
// writes for the value.
func checkEvalAppend(t *testing.T, tmpl *Template, scope *Scope) {
	t.Helper()
	want, wantErr := tmpl.Eval(scope)
	got, text, ok, err := tmpl.EvalAppend(scope, []byte("prefix"))
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("EvalAppend error = %v, want %v", err, wantErr)
	}
	if err != nil {
		return
	}
	if !sameJSON(got, want) {
		t.Errorf("EvalAppend = %s, want %s", jsonText(got), jsonText(want))
	}
	if !ok {
		return
	}
	wantText, err := jsonvalue.Append([]byte("prefix"), got)
	if err != nil {
		t.Fatalf("EvalAppend wrote text for a value jsonvalue cannot write: %v", err)
	}
	if string(text) != string(wantText) {
		t.Errorf("EvalAppend text = %s, want %s", text, wantText)
	}
}

func TestTemplateEvalAppend(t *testing.T) {
	input := mustJSON(t, `{"a": "x", "n": 1.50, "l": [1, "two", {"z": null, "y": true}], "e": "<&>\u2028"}`)
	scope := &Scope{Input: input, Context: mustJSON(t, `{"Execution": {"Name": "ex"}}`)}
	tests := []struct {
		name, tmpl string
		wantOK     bool
	}{
		{"fields in order", `{"b.$": "$.a", "c": "s", "d": {"e.$": "$.n"}, "f": [1, {"g.$": "$.l"}]}`, true},
		{"keys that need escaping", `{"\u0001.$": "$.e", "é": {"\"q\"": 1}, "k\\.$": "$$.Execution.Name"}`, true},
		{"static order differs from written order", `{"a-b": 1, "a.$": "$.a"}`, false},
		{"nested object out of order, outer in order", `{"o": {"a-b": 1, "a.$": "$.a"}, "p.$": "$.n"}`, false},
		{"intrinsic", `{"x.$": "States.Array($.a, $.n)", "y.$": "States.Format('{}', $.e)"}`, true},
		{"root array", `[{"a.$": "$.a"}, 2]`, true},
		{"root static", `{"a": [1, {"b": 2}]}`, true},
		{"path missing", `{"a.$": "$.a", "b.$": "$.nope"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := CompileTemplate(mustJSON(t, tt.tmpl))
			if err != nil {
				t.Fatalf("CompileTemplate: %v", err)
			}
			checkEvalAppend(t, tmpl, scope)
			if _, _, ok, _ := tmpl.EvalAppend(scope, nil); ok != tt.wantOK {
				t.Errorf("EvalAppend ok = %v, want %v", ok, tt.wantOK)
			}
		})
	}
}

func TestTemplateStatic(t *testing.T) {
	static := mustJSON(t, `{"a": {"b": [1, 2]}, "c": "d"}`)
	tmpl, err := CompileTemplate(static)
	if err != nil {
		t.Fatal(err)
	}
	if !tmpl.IsStatic() {
		t.Errorf("IsStatic() = false for a template without paths")
	}
	dyn, err := CompileTemplate(mustJSON(t, `{"a": {"b.$": "$"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if dyn.IsStatic() {
		t.Errorf("IsStatic() = true for a template with a path")
	}
}

// A missing path names the field and the input as AWS does.
func TestTemplateEvalNotFound(t *testing.T) {
	tests := []struct {
		name, tmpl, input, wantCause string
	}{
		{"path", `{"x": {"parsed.$": "$.missing"}}`, `{"a":1}`,
			`The JSONPath '$.missing' specified for the field 'parsed.$' could not be found in the input '{"a":1}'`},
		// AWS (and Step Functions Local) word a path argument of an intrinsic differently, naming the
		// function: quoted in github.com/floci-io/floci/issues/2870.
		{"path in an intrinsic", `{"v.$": "States.Format('{}', $.nope)"}`, `{"other":1}`,
			`The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"other":1}'`},
		{"path in a nested intrinsic", `{"v.$": "States.ArrayPartition(States.Array($.missing), 2)"}`, `{}`,
			`The function 'States.ArrayPartition(States.Array($.missing), 2)' had the following error: The JsonPath argument for the field '$.missing' could not be found in the input '{}'`},
		{"undefined variable", `{"v.$": "$nope"}`, `{}`,
			`The JSONPath '$nope' specified for the field 'v.$' could not be found in the input '{}'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := CompileTemplate(mustJSON(t, tt.tmpl))
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.Eval(&Scope{Input: mustJSON(t, tt.input)})
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrPathNotFound) {
				t.Fatalf("Eval = %v, %v; want a path-not-found *Error", got, err)
			}
			if e.Name != "States.Runtime" || e.Cause != tt.wantCause {
				t.Errorf("error = %s / %q, want States.Runtime / %q", e.Name, e.Cause, tt.wantCause)
			}
		})
	}
	// Intrinsic failures pass through unchanged.
	tmpl, err := CompileTemplate(mustJSON(t, `{"v.$": "States.ArrayLength('x')"}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Eval(&Scope{}); !errors.Is(err, ErrIntrinsic) {
		t.Errorf("Eval error = %v, want ErrIntrinsic", err)
	}
}

// The recorded CreateStateMachine failures of the conformance set reject
// these with "The value for the field 'parsed.$' must be a valid JSONPath
// or a valid intrinsic function call".
func TestCompileTemplateErrors(t *testing.T) {
	tests := []struct {
		name, tmpl, field string
	}{
		{"illegal escape", `{"parsed.$": "States.StringToJson('{\"text\":\"An \\\"escaped double quote\\\" here\"}')"}`, "parsed.$"},
		{"illegal escape 2", `{"parsed.$": "States.Format('He said, \\\"Hello, {}!\\\"', 'Test \\\"Name\\\" Here')"}`, "parsed.$"},
		{"not a path", `{"a": {"b.$": "hello"}}`, "b.$"},
		{"bad path", `{"b.$": "$.a["}`, "b.$"},
		{"not a string", `{"b.$": 1}`, "b.$"},
		{"nested in array", `{"l": [{"b.$": "$$$"}]}`, "b.$"},
		{"unknown function", `{"b.$": "States.Nope()"}`, "b.$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CompileTemplate(mustJSON(t, tt.tmpl))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("CompileTemplate error = %v, want a *FieldError", err)
			}
			if fe.Field != tt.field {
				t.Errorf("Field = %q, want %q", fe.Field, tt.field)
			}
			want := "The value for the field '" + tt.field + "' must be a valid JSONPath or a valid intrinsic function call"
			if fe.Error() != want {
				t.Errorf("Error() = %q, want %q", fe.Error(), want)
			}
		})
	}
	if _, err := CompileTemplate(mustJSON(t, `{"a": 1, "a.$": "$"}`)); err == nil {
		t.Errorf("duplicate field after stripping .$: no error")
	}
}

// Eval returns fresh containers for dynamic parts and never mutates input.
func TestTemplateEvalDoesNotMutate(t *testing.T) {
	input := mustJSON(t, `{"a": {"b": 1}}`)
	before := jsonText(input)
	tmpl, err := CompileTemplate(mustJSON(t, `{"x.$": "$.a", "y": {"z.$": "$.a.b"}}`))
	if err != nil {
		t.Fatal(err)
	}
	first, err := tmpl.Eval(&Scope{Input: input})
	if err != nil {
		t.Fatal(err)
	}
	first.(map[string]any)["y"].(map[string]any)["z"] = "changed"
	second, err := tmpl.Eval(&Scope{Input: input})
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonText(second); got != `{"x":{"b":1},"y":{"z":1}}` {
		t.Errorf("second Eval = %s", got)
	}
	if jsonText(input) != before {
		t.Errorf("input mutated")
	}
}

func TestMayHoldInput(t *testing.T) {
	tests := []struct {
		tmpl string
		want bool
	}{
		{`{"a.$":"$"}`, true},
		{`{"a.$":"$.a","b":{"c.$":"$"}}`, true},
		{`{"a":[1,{"b.$":"$"}]}`, true},
		{`{"a.$":"States.Array($)"}`, true},
		{`{"a.$":"States.Array(States.JsonMerge($, $.b, false))"}`, true},
		{`{"a.$":"$.a","b.$":"$.b[0]","c":{"d.$":"$$.Execution.Input"}}`, false},
		{`{"a.$":"$..x","b.$":"$[*]","c.$":"$v"}`, false},
		{`{"a.$":"States.Array($.a, 1)","b.$":"States.JsonToString($.c)"}`, false},
		{`{"a":1}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.tmpl), &v); err != nil {
				t.Fatal(err)
			}
			tm, err := CompileTemplate(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := tm.MayHoldInput(); got != tc.want {
				t.Errorf("MayHoldInput() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMayHoldField(t *testing.T) {
	tests := []struct {
		tmpl string
		want bool
	}{
		{`{"a.$":"$.acc"}`, true},
		{`{"a.$":"$['acc']"}`, true},
		{`{"a.$":"$"}`, true},
		{`{"a.$":"$.*"}`, true},
		{`{"a.$":"$..v"}`, true},
		{`{"a":{"b.$":"States.Array($.acc)"}}`, true},
		{`{"a.$":"$.acc.v","b.$":"$.acc.n[0]","c.$":"$.other","d.$":"$$.Execution.Name","e.$":"$acc"}`, false},
		{`{"a.$":"States.Format('{}', $.acc.v)"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.tmpl), &v); err != nil {
				t.Fatal(err)
			}
			tm, err := CompileTemplate(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := tm.MayHoldField("acc"); got != tc.want {
				t.Errorf("MayHoldField(acc) = %v, want %v", got, tc.want)
			}
		})
	}
}

// EvalAppendReuse builds an object template's payload in the map it is
// given, emptied, with the text EvalAppend writes; a template that makes no
// object leaves the map alone.
func TestEvalAppendReuse(t *testing.T) {
	s := &Scope{Input: map[string]any{"a": "x", "n": map[string]any{"m": true}}}
	dynamic, err := CompileTemplate(map[string]any{"k": 1, "a.$": "$.a", "n.$": "$.n"})
	if err != nil {
		t.Fatal(err)
	}
	reuse := map[string]any{"stale": 1, "k": 2}
	v, text, ok, err := dynamic.EvalAppendReuse(s, nil, reuse, nil)
	if err != nil || !ok {
		t.Fatalf("EvalAppendReuse: ok %v, err %v", ok, err)
	}
	wantV, wantText, _, _ := dynamic.EvalAppend(s, nil)
	if got, isMap := v.(map[string]any); !isMap || fmt.Sprintf("%p", got) != fmt.Sprintf("%p", reuse) {
		t.Errorf("the payload is not the map given")
	}
	if diff := cmp.Diff(v, wantV); diff != "" {
		t.Errorf("value (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(string(text), string(wantText)); diff != "" {
		t.Errorf("text (-got +want):\n%s", diff)
	}
	if !dynamic.MakesObject() {
		t.Error("MakesObject() = false for a template with paths")
	}
	static, err := CompileTemplate(map[string]any{"k": 1})
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]any{"stale": 1}
	v, _, _, err = static.EvalAppendReuse(s, nil, kept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, any(map[string]any{"k": 1})); diff != "" {
		t.Errorf("static value (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(kept, map[string]any{"stale": 1}); diff != "" {
		t.Errorf("the map given to a static template changed (-got +want):\n%s", diff)
	}
	if static.MakesObject() {
		t.Error("MakesObject() = true for a constant template")
	}
}

func TestMayHoldMade(t *testing.T) {
	maker := `{"n":{"d":{"x.$":"$.id"},"s":1,"p.$":"$.obj"},"arr":[{"a.$":"$.id"}],"c":{"k":1},"fn.$":"States.Array($.id)"}`
	tests := []struct {
		tmpl string
		want bool
	}{
		// Down to values maker took from elsewhere or wrote as constants.
		{`{"a.$":"$.acc.n.s","b.$":"$.acc.n.p","c.$":"$.acc.c","d.$":"$.acc.n.d.x","e.$":"$.acc.fn","f.$":"$.acc.missing.x"}`, false},
		{`{"a.$":"$.acc.n.p.deep","b.$":"$.other","c.$":"$$.Execution.Input","d.$":"$acc","e.$":"States.Format('{}', $.acc.n.s)"}`, false},
		{`{"a.$":"$.acc.n.length()"}`, true},
		{`{"a.$":"$.acc.n"}`, true},
		{`{"a.$":"$.acc.n.d"}`, true},
		{`{"a.$":"$.acc.arr"}`, true},
		{`{"a.$":"$.acc.arr[0]"}`, true},
		{`{"a.$":"$.acc"}`, true},
		{`{"a.$":"$"}`, true},
		{`{"a.$":"$..x"}`, true},
		{`{"a.$":"$.acc.n.*"}`, true},
		{`{"a":[{"b.$":"States.Array($.acc.n.d)"}]}`, true},
	}
	mk := compileTemplateText(t, maker)
	for _, tc := range tests {
		t.Run(tc.tmpl, func(t *testing.T) {
			if got := compileTemplateText(t, tc.tmpl).MayHoldMade("acc", mk); got != tc.want {
				t.Errorf("MayHoldMade(acc) = %v, want %v", got, tc.want)
			}
		})
	}
}

// Given the template that built the map, EvalAppendReuse builds the objects
// of its own object fields in the maps that template made at the same
// place, and no others: not a constant, not a value a path took, not an
// object in an array.
func TestEvalAppendReuseMade(t *testing.T) {
	s := &Scope{Input: map[string]any{"id": "x", "obj": map[string]any{"o": true}}}
	maker := compileTemplateText(t, `{"n":{"d":{"x.$":"$.id"},"old":1},"c":{"k":1},"p.$":"$.obj","arr":[{"a.$":"$.id"}],"gone":{"g.$":"$.id"}}`)
	made, _, _, err := maker.EvalAppend(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	reuse := made.(map[string]any)
	n, d := reuse["n"].(map[string]any), reuse["n"].(map[string]any)["d"].(map[string]any)
	constant, taken := reuse["c"].(map[string]any), reuse["p"].(map[string]any)
	tm := compileTemplateText(t, `{"n":{"d":{"y.$":"$.id"}},"c":{"k.$":"$.id"},"p":{"q.$":"$.id"},"arr":{"a":1}}`)
	v, text, ok, err := tm.EvalAppendReuse(s, nil, reuse, maker)
	if err != nil || !ok {
		t.Fatalf("EvalAppendReuse: ok %v, err %v", ok, err)
	}
	wantV, wantText, _, _ := tm.EvalAppend(s, nil)
	if diff := cmp.Diff(v, wantV); diff != "" {
		t.Errorf("value (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(string(text), string(wantText)); diff != "" {
		t.Errorf("text (-got +want):\n%s", diff)
	}
	got := v.(map[string]any)
	same := func(a, b any) bool { return fmt.Sprintf("%p", a) == fmt.Sprintf("%p", b) }
	if !same(got, reuse) || !same(got["n"], n) || !same(got["n"].(map[string]any)["d"], d) {
		t.Error("the payload and its objects n and n.d are not the maps the maker made")
	}
	if same(got["c"], constant) || same(got["p"], taken) {
		t.Error("an object was built in the maker's constant or in the value its path took")
	}
	if diff := cmp.Diff(constant, map[string]any{"k": float64(1)}); diff != "" {
		t.Errorf("the maker's constant changed (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(taken, map[string]any{"o": true}); diff != "" {
		t.Errorf("the input's object changed (-got +want):\n%s", diff)
	}
}

// compileTemplateText compiles a template written as JSON (numbers as
// float64, as encoding/json decodes them).
func compileTemplateText(t *testing.T, text string) *Template {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatal(err)
	}
	tm, err := CompileTemplate(v)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
