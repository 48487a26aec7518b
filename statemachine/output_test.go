package statemachine_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/statemachine"
)

// TestOutputMatchesDefinition builds the state an execution would end with from the definition itself
// (each task's ResultPath and ResultSelector name, each Catch's ResultPath) and decodes it into Output
// refusing unknown fields, then checks that every field of Output was set: the type and the definition
// name the same places.
func TestOutputMatchesDefinition(t *testing.T) {
	m := statemachine.Definition(testOptions())
	doc := map[string]any{"detail": map[string]any{"bucket": map[string]any{"name": "b"}, "object": map[string]any{"key": "incoming/d/x.csv"}}}
	for name, s := range m.States {
		task, ok := s.(*asl.Task)
		if !ok {
			continue
		}
		path, _ := task.ResultPath.Expr()
		selector, ok := task.ResultSelector.(map[string]any)
		if !ok || len(selector) != 1 {
			t.Fatalf("%s: ResultSelector %v, want one member", name, task.ResultSelector)
		}
		for k := range selector {
			doc[strings.TrimPrefix(path, "$.")] = map[string]any{strings.TrimSuffix(k, ".$"): map[string]any{}}
		}
		for _, c := range task.Catch {
			p, _ := c.ResultPath.Expr()
			doc[strings.TrimPrefix(p, "$.")] = map[string]any{"Error": "E", "Cause": "C"}
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var out statemachine.Output
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("the definition leaves what Output does not name: %v\n%s", err, raw)
	}
	back, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(back, &got); err != nil {
		t.Fatal(err)
	}
	var gotKeys, wantKeys []string
	for k := range got {
		gotKeys = append(gotKeys, k)
	}
	for k := range doc {
		wantKeys = append(wantKeys, k)
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("Output names %v, the definition leaves %v", gotKeys, wantKeys)
	}
	if out.Detail.Object.Key != "incoming/d/x.csv" || out.Detail.Bucket.Name != "b" {
		t.Errorf("Input = %+v", out.Input)
	}
}
