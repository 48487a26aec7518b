package asl

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The codec itself is tested and fuzzed in internal/jsonvalue; these tests
// cover what parseJSON adds: duplicate state names, and where a syntax
// error is.

func TestParseJSONDuplicates(t *testing.T) {
	// A repeated key outside a States object is not a duplicate state.
	in := `{"StartAt":"A","Comment":"x","Comment":"y","States":{"A":{"Type":"Pass","End":true},` +
		`"A":{"Type":"Parallel","End":true,"Branches":[{"StartAt":"B","States":{"B":{},"B":{}}}]}}}`
	got, dups, err := parseJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Diagnostic{
		{Severity: SeverityError, Code: CodeDuplicateStateName, Message: "Duplicate State name: B", Location: "/States/A/Branches[0]/States/B"},
		{Severity: SeverityError, Code: CodeDuplicateStateName, Message: "Duplicate State name: A", Location: "/States/A"},
	}
	if diff := cmp.Diff(dups, want); diff != "" {
		t.Errorf("duplicates (-got +want):\n%s", diff)
	}
	if c := got.(map[string]any)["Comment"]; c != "y" {
		t.Errorf("Comment = %v, want the last one, y", c)
	}
}

func TestParseJSONSyntaxError(t *testing.T) {
	_, _, err := parseJSON([]byte("{\n  \"StartAt\": 01\n}"))
	want := &jsonSyntaxError{msg: "invalid character '1' after object key:value pair", line: 2, col: 15}
	if diff := cmp.Diff(err, error(want), cmp.AllowUnexported(jsonSyntaxError{})); diff != "" {
		t.Errorf("error (-got +want):\n%s", diff)
	}
	if v, _, err := parseJSON([]byte(` [1.50] `)); err != nil || !cmp.Equal(v, []any{json.Number("1.50")}) {
		t.Errorf("parseJSON = %v, %v", v, err)
	}
}
