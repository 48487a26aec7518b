package jsonpath

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testHost is a Host with fixed variables and context object.
type testHost struct {
	vars map[string]any
	full any
}

func (h testHost) Context() any                     { return map[string]any{"Execution": map[string]any{"Name": "lazy"}} }
func (h testHost) Variable(name string) (any, bool) { v, ok := h.vars[name]; return v, ok }
func (h testHost) FullContext() any                 { return h.full }

// A Scope's Host answers for Var and FullContext where they are nil, and
// gives way to them where they are set.
func TestScopeHost(t *testing.T) {
	host := testHost{vars: map[string]any{"x": "from host"}, full: map[string]any{"Execution": map[string]any{"Name": "e"}, "State": "s"}}
	tmpl, err := CompileTemplate(map[string]any{"v.$": "$x", "c.$": "$$.Missing"})
	if err != nil {
		t.Fatal(err)
	}
	v, err := MustCompile("$x").Eval(&Scope{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, any("from host")); diff != "" {
		t.Errorf("variable (-got +want):\n%s", diff)
	}
	v, err = MustCompile("$x").Eval(&Scope{Host: host, Var: func(string) (any, bool) { return "from Var", true }})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, any("from Var")); diff != "" {
		t.Errorf("variable with Var set (-got +want):\n%s", diff)
	}
	v, err = MustCompile("$$.Execution.Name").Eval(&Scope{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, any("lazy")); diff != "" {
		t.Errorf("context without Context (-got +want):\n%s", diff)
	}
	_, err = tmpl.Eval(&Scope{Host: host, Context: map[string]any{"Execution": map[string]any{"Name": "e"}}})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	want := `The JSONPath '$$.Missing' specified for the field 'c.$' could not be found in the input '{"Execution":{"Name":"e"},"State":"s"}'`
	if diff := cmp.Diff(e.Cause, want); diff != "" {
		t.Errorf("cause (-got +want):\n%s", diff)
	}
}
