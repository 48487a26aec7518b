package jsonpath

import (
	"errors"
	"strings"
	"testing"
)

// The document of the paths page examples
// (https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html)
// plus a few more shapes.
const pathDoc = `{
  "foo": 123,
  "bar": ["a", "b", "c"],
  "car": {"cdr": true},
  "null": null,
  "weird key": {"x.y": 1, "it's": 2},
  "items": [
    {"id": 1, "price": 5, "tag": "cheap", "sku": {"code": "A"}},
    {"id": 2, "price": 15, "tag": "dear"},
    {"id": 3, "price": 10.0, "tag": "mid", "sku": {"code": "C"}}
  ],
  "limit": 10,
  "groups": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": ["b", "c"]}, {"id": 3, "tags": []}]
}`

func TestPathEval(t *testing.T) {
	doc := mustJSON(t, pathDoc)
	ctx := mustJSON(t, `{"Execution": {"Id": "arn:exec", "Input": {"a": 1}}, "Map": {"Item": {"Index": 2, "Value": "v"}}}`)
	vars := map[string]any{"x": mustJSON(t, `{"y": [10, 20]}`), "n": mustJSON(t, `7`), "_u1": "u"}
	scope := &Scope{Input: doc, Context: ctx, Var: func(n string) (any, bool) { v, ok := vars[n]; return v, ok }}
	tests := []struct {
		expr string
		want string
	}{
		{"$", pathDoc},
		{"$.foo", `123`},
		{"$.bar", `["a","b","c"]`},
		{"$.car.cdr", `true`},
		{"$.null", `null`},
		{"$['weird key']['x.y']", `1`},
		{`$["weird key"]['it\'s']`, `2`},
		{"$.bar[0]", `"a"`},
		{"$.bar[-1]", `"c"`},
		{"$.items[1].tag", `"dear"`},
		{"$.bar.length()", `3`},
		{"$.bar[*]", `["a","b","c"]`},
		{"$.bar.*", `["a","b","c"]`},
		{"$.car.*", `[true]`},
		{"$.bar[0,2]", `["a","c"]`},
		{"$.bar[1:]", `["b","c"]`},
		{"$.bar[:2]", `["a","b"]`},
		{"$.bar[-2:]", `["b","c"]`},
		{"$.bar[5:]", `[]`},
		{"$.items[*].id", `[1,2,3]`},
		{"$.items[*].sku.code", `["A","C"]`},
		{"$.items[?(@.price > 9)].id", `[2,3]`},
		{"$.items[?(@.price == 10)].id", `[3]`},
		{"$.items[?(@.price <= 10 && @.tag != 'mid')].id", `[1]`},
		{"$.items[?(@.price < 6 || @.tag == \"dear\")].id", `[1,2]`},
		{"$.items[?(@.sku)].id", `[1,3]`},
		{"$.items[?(!@.sku)].id", `[2]`},
		{"$.items[?(@.tag =~ /d.*/)].id", `[2]`},
		{"$.items[?(@.tag =~ /MID/i)].id", `[3]`},
		{"$.items[?(@.tag in ['cheap','mid'])].id", `[1,3]`},
		{"$.items[?(@.tag nin ['cheap','mid'])].id", `[2]`},
		{"$.items[?(@.price >= $.limit)].id", `[2,3]`},
		{"$.items[?(@.nope == 1)]", `[]`},
		{"$.items[?(@.tag size 4)].id", `[2]`},
		{"$.items[?(@.tags empty false)].id", `[]`},
		{"$.groups[?(@.tags subsetof ['a','b'])].id", `[1,3]`},
		{"$.groups[?(@.tags anyof ['c'])].id", `[2]`},
		{"$.groups[?(@.tags noneof ['c'])].id", `[1,3]`},
		{"$.groups[?(@.tags empty true)].id", `[3]`},
		{"$.groups[?(@.tags.length() > 1)].id", `[1,2]`},
		{"$.items[?(@.id in [2])].id", `[2]`},
		{"$..code", `["A","C"]`},
		{"$..cdr", `[true]`},
		{"$.items[?(@.id == 1)]", `[{"id": 1, "price": 5, "tag": "cheap", "sku": {"code": "A"}}]`},
		{"$.items[0]['id','tag']", `[{"id":1,"tag":"cheap"}]`},
		{"$.items[*].id.length()", `3`},
		{"$$", `{"Execution": {"Id": "arn:exec", "Input": {"a": 1}}, "Map": {"Item": {"Index": 2, "Value": "v"}}}`},
		{"$$.Execution.Id", `"arn:exec"`},
		{"$$.Map.Item.Value", `"v"`},
		{"$x", `{"y": [10, 20]}`},
		{"$x.y[1]", `20`},
		{"$x['y'][0]", `10`},
		{"$n", `7`},
		{"$_u1", `"u"`},
		{"$x.y[*]", `[10,20]`},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p, err := Compile(tt.expr)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.expr, err)
			}
			got, err := p.Eval(scope)
			if err != nil {
				t.Fatalf("Eval(%q): %v", tt.expr, err)
			}
			if want := mustJSON(t, tt.want); !sameJSON(got, want) {
				t.Errorf("Eval(%q) = %s, want %s", tt.expr, jsonText(got), jsonText(want))
			}
			if p.String() != tt.expr {
				t.Errorf("String() = %q, want %q", p.String(), tt.expr)
			}
		})
	}
}

// Missing nodes: the causes follow what AWS recorded for OutputPath and
// TimeoutSecondsPath ("Invalid path '$.no.such.result.path' : Missing
// property in path $['no']", "... : No results for path: $['x']").
func TestPathEvalNotFound(t *testing.T) {
	doc := mustJSON(t, `{"a": {"b": 1}, "s": "str", "arr": [1, 2], "n": null}`)
	scope := &Scope{Input: doc}
	tests := []struct {
		expr      string
		wantCause string
	}{
		{"$.x", "Invalid path '$.x' : No results for path: $['x']"},
		{"$.no.such.result.path", "Invalid path '$.no.such.result.path' : Missing property in path $['no']"},
		{"$.a.c", "Invalid path '$.a.c' : No results for path: $['a']['c']"},
		{"$.arr[2]", "Invalid path '$.arr[2]' : No results for path: $['arr'][2]"},
		{"$.arr[-3]", "Invalid path '$.arr[-3]' : No results for path: $['arr'][-3]"},
		{"$.s.x", "Invalid path '$.s.x' : Expected to find an object with property ['x'] in path $['s'] but found 'string'. This is not a json object."},
		{"$.n[0]", "Invalid path '$.n[0]' : The path $['n'] is null"},
		{"$.a[0]", `Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context is: {"b":1}`},
		{"$undefinedVar", "Invalid path '$undefinedVar' : The variable 'undefinedVar' is not defined"},
		{"$$.Execution", "Invalid path '$$.Execution' : Expected to find an object with property ['Execution'] in path $$ but found 'null'. This is not a json object."},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p, err := Compile(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Eval(scope)
			if err == nil {
				t.Fatalf("Eval(%q) = %s, want an error", tt.expr, jsonText(got))
			}
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrPathNotFound) {
				t.Fatalf("Eval(%q) error %v is not a path-not-found *Error", tt.expr, err)
			}
			if e.Name != "States.Runtime" || e.Cause != tt.wantCause {
				t.Errorf("Eval(%q) error = %s / %q, want States.Runtime / %q", tt.expr, e.Name, e.Cause, tt.wantCause)
			}
			if _, ok := p.Lookup(scope); ok {
				t.Errorf("Lookup(%q) found something", tt.expr)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, expr := range []string{
		"", "a", "$.", "$..", "$[", "$[*", "$['a'", "$[a]", "$.a[1:2:3]", "$.a.foo()", "$.a.length().b",
		"$.a[?(@.b ==)]", "$.a[?(@.b =~ 'x')]", "$.a[?@.b]", "$.a b", "$ .a", "$.a[?(@.b == 1]",
		"$" + strings.Repeat("v", 81),
	} {
		t.Run(expr, func(t *testing.T) {
			if p, err := Compile(expr); err == nil {
				t.Errorf("Compile(%q) = %v, want an error", expr, p.segs)
			}
		})
	}
}

func TestCompileReference(t *testing.T) {
	for _, tt := range []struct {
		expr string
		ok   bool
	}{
		{"$", true}, {"$.a.b", true}, {"$.a[0].b", true}, {"$['a']", true}, {"$$.Execution.Id", true}, {"$v.a", true},
		{"$.a[*]", false}, {"$..a", false}, {"$.a[0:1]", false}, {"$.a[?(@.b)]", false}, {"$.a[0,1]", false},
		{"$.a.length()", false}, {"$.*", false},
	} {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := CompileReference(tt.expr)
			if got := err == nil; got != tt.ok {
				t.Errorf("CompileReference(%q) error = %v, want ok=%v", tt.expr, err, tt.ok)
			}
		})
	}
}

func TestPathRootAndDefinite(t *testing.T) {
	for _, tt := range []struct {
		expr, root, variable string
		definite             bool
	}{
		{"$.a", "$", "", true},
		{"$$.a", "$$", "", true},
		{"$abc.d[0]", "$abc", "abc", true},
		{"$.a[*]", "$", "", false},
		{"$.a.length()", "$", "", true},
	} {
		p, err := Compile(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		if p.Root() != tt.root || p.Variable() != tt.variable || p.IsDefinite() != tt.definite {
			t.Errorf("%q: Root=%q Variable=%q IsDefinite=%v, want %q %q %v", tt.expr, p.Root(), p.Variable(), p.IsDefinite(), tt.root, tt.variable, tt.definite)
		}
	}
}

// Eval never mutates what it is given and indefinite results are fresh.
func TestPathEvalDoesNotMutate(t *testing.T) {
	doc := mustJSON(t, pathDoc)
	before := jsonText(doc)
	for _, expr := range []string{"$.items[*]", "$..code", "$.items[?(@.price > 1)]", "$.bar[0:2]"} {
		v, err := MustCompile(expr).Eval(&Scope{Input: doc})
		if err != nil {
			t.Fatal(err)
		}
		a := v.([]any)
		if len(a) > 0 {
			a[0] = "changed"
		}
	}
	if after := jsonText(doc); after != before {
		t.Errorf("document changed:\n%s\n%s", before, after)
	}
}
