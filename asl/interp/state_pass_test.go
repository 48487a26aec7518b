package interp

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Data flow of a Pass state: InputPath, Parameters, Result, ResultPath,
// OutputPath.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
func TestPassDataFlow(t *testing.T) {
	tests := []struct {
		name  string
		state string
		input string
		want  string
	}{
		{"no fields passes input through", `{"Type":"Pass","End":true}`, `{"a":1}`, `{"a":1}`},
		{"Result replaces input", `{"Type":"Pass","Result":{"x":1},"End":true}`, `{"a":1}`, `{"x":1}`},
		{"ResultPath merges into input", `{"Type":"Pass","Result":"r","ResultPath":"$.b.c","End":true}`, `{"a":1}`, `{"a":1,"b":{"c":"r"}}`},
		{"ResultPath null discards result", `{"Type":"Pass","Result":"r","ResultPath":null,"End":true}`, `{"a":1}`, `{"a":1}`},
		{"ResultPath $ replaces", `{"Type":"Pass","Result":"r","ResultPath":"$","End":true}`, `{"a":1}`, `"r"`},
		{"InputPath selects", `{"Type":"Pass","InputPath":"$.a","End":true}`, `{"a":{"b":2}}`, `{"b":2}`},
		{"InputPath null gives empty object", `{"Type":"Pass","InputPath":null,"End":true}`, `{"a":1}`, `{}`},
		{"OutputPath selects", `{"Type":"Pass","OutputPath":"$.a","End":true}`, `{"a":[1,2]}`, `[1,2]`},
		{"OutputPath null gives empty object", `{"Type":"Pass","OutputPath":null,"End":true}`, `{"a":1}`, `{}`},
		{"Parameters template", `{"Type":"Pass","Parameters":{"k":"v","p.$":"$.a","n":{"q.$":"$.b[1]"}},"End":true}`, `{"a":"x","b":[0,9]}`, `{"k":"v","n":{"q":9},"p":"x"}`},
		{"Parameters after InputPath, ResultPath into raw input", `{"Type":"Pass","InputPath":"$.a","Parameters":{"v.$":"$.b"},"ResultPath":"$.out","End":true}`, `{"a":{"b":3}}`, `{"a":{"b":3},"out":{"v":3}}`},
		// A Pass state's $$.State has no RetryCount: only Task, Parallel and
		// Map states retry (recorded on AWS).
		{"context object", `{"Type":"Pass","Parameters":{"n.$":"$$.State.Name","s.$":"$$.State","e.$":"$$.Execution.Name"},"End":true}`, `{}`, `{"e":"execution","n":"S","s":{"EnteredTime":"2025-01-01T00:00:00.000Z","Name":"S"}}`},
		{"intrinsic", `{"Type":"Pass","Parameters":{"s.$":"States.Format('{}-{}', $.a, $.b)"},"End":true}`, `{"a":"x","b":2}`, `{"s":"x-2"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"S","States":{"S":` + tc.state + `}}`
			r, _ := run(t, def, tc.input)
			if r.Status != StatusSucceeded {
				t.Fatalf("status %s: %s: %s", r.Status, r.Error, r.Cause)
			}
			if diff := cmp.Diff(canon(t, mustJSON(t, tc.want)), canon(t, r.Output)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// A path that matches nothing fails the execution with States.Runtime,
// which no Catch can handle.
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
func TestPassRuntimeErrors(t *testing.T) {
	tests := []struct{ name, state string }{
		{"InputPath missing", `{"Type":"Pass","InputPath":"$.nope","End":true}`},
		{"OutputPath missing", `{"Type":"Pass","OutputPath":"$.nope","End":true}`},
		{"Parameters path missing", `{"Type":"Pass","Parameters":{"x.$":"$.nope"},"End":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, ev := run(t, `{"StartAt":"S","States":{"S":`+tc.state+`}}`, `{"a":1}`)
			if got, want := r.Status, StatusFailed; got != want {
				t.Fatalf("status: got %s, want %s", got, want)
			}
			if got, want := r.Error, "States.Runtime"; got != want {
				t.Errorf("error: got %s, want %s", got, want)
			}
			if got, want := types(ev), "ExecutionStarted PassStateEntered(S) ExecutionFailed"; got != want {
				t.Errorf("history: got %s, want %s", got, want)
			}
		})
	}
}
