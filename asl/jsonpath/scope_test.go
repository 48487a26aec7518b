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

// memberHost is a testHost that answers $$.Execution.Name itself
// (ContextMembers) and counts the context objects it builds.
type memberHost struct {
	testHost
	built *int
}

func (h memberHost) Context() any {
	*h.built++
	return h.testHost.Context()
}

func (h memberHost) ContextMember(parent, member string) (any, bool) {
	if parent == "Execution" && member == "Name" {
		return "member", true
	}
	return nil, false
}

// A Host that answers paths of two members into the context object gives
// their values without the context object built; other paths, and a
// scope with its Context set, read the context object.
func TestScopeContextMembers(t *testing.T) {
	tests := []struct {
		path    string
		context any
		want    any
		built   int
	}{
		{"$$.Execution.Name", nil, "member", 0},
		{"$$['Execution']['Name']", nil, "member", 0},
		{"$$.Execution", nil, map[string]any{"Name": "lazy"}, 1},
		{"$$.Execution.Id", nil, nil, 1},
		{"$$.Execution.Name", map[string]any{"Execution": map[string]any{"Name": "set"}}, "set", 0},
		{"$.Execution.Name", nil, "input", 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			var built int
			s := &Scope{Input: map[string]any{"Execution": map[string]any{"Name": "input"}}, Context: tc.context, Host: memberHost{built: &built}}
			got, _ := MustCompile(tc.path).Lookup(s)
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("Lookup (-got +want):\n%s", diff)
			}
			s.Context = tc.context
			got, _ = MustCompile(tc.path).Eval(s)
			if diff := cmp.Diff(got, tc.want); diff != "" {
				t.Errorf("Eval (-got +want):\n%s", diff)
			}
			if want := 2 * tc.built; built != want {
				t.Errorf("%d context objects built, want %d", built, want)
			}
		})
	}
}
