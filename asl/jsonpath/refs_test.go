package jsonpath

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReferences(t *testing.T) {
	tmpl, err := CompileTemplate(mustJSON(t, `{
	  "a.$": "$.x",
	  "b": [{"c.$": "States.Format('{}', $v1, States.Array($$.Execution.Id))"}],
	  "d.$": "$.items[?(@.k == $v2 || @.j == $v1)]",
	  "e.$": "$v0..deep"
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got := tmpl.References()
	want := References{Context: true, Variables: []string{"v0", "v1", "v2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("References() mismatch (-want +got):\n%s", diff)
	}
	if got := MustCompile("$.a").References(); got.Context || got.Variables != nil {
		t.Errorf("References of $.a = %+v, want none", got)
	}
	if got := mustIntrinsic(t, "States.UUID()").References(); got.Context || got.Variables != nil {
		t.Errorf("References of States.UUID() = %+v, want none", got)
	}
	static, err := CompileTemplate(mustJSON(t, `{"a": "$$.not.a.path"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := static.References(); got.Context {
		t.Errorf("a static string is not a reference: %+v", got)
	}
}
