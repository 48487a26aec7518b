package jsonpath

import (
	"encoding/json"
	"testing"
)

// The benchmarks report allocations; compare each against its baseline in
// the same run (BenchmarkBaseline* copies the same data by hand).

const benchInput = `{"detail": {"bucket": {"name": "in-bucket"}, "object": {"key": "uploads/a.csv", "size": 1234, "etag": "abc"}},
 "id": "event-1", "time": "2024-01-01T00:00:00Z", "items": [{"id": 1}, {"id": 2}, {"id": 3}], "count": 3}`

func benchScope(b *testing.B) *Scope {
	ctx := mustJSON(b, `{"Execution": {"Id": "arn:exec", "StartTime": "2024-01-01T00:00:00Z"}, "State": {"Name": "S", "RetryCount": 0}}`)
	return &Scope{Input: mustJSON(b, benchInput), Context: ctx, Var: func(n string) (any, bool) { return "v", n == "run" }}
}

func BenchmarkPathEvalDefinite(b *testing.B) {
	p := MustCompile("$.detail.object.key")
	s := benchScope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPathEvalWildcard(b *testing.B) {
	p := MustCompile("$.items[*].id")
	s := benchScope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPathEvalFilter(b *testing.B) {
	p := MustCompile("$.items[?(@.id > 1)].id")
	s := benchScope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

// A typical Parameters block: a few paths, the context object, a variable,
// a static nested object and one intrinsic.
const benchTemplate = `{
  "Bucket.$": "$.detail.bucket.name",
  "Key.$": "$.detail.object.key",
  "Size.$": "$.detail.object.size",
  "ExecutionId.$": "$$.Execution.Id",
  "Run.$": "$run",
  "Options": {"Mode": "strict", "Retries": 3},
  "Meta": {"Source.$": "$.id", "Attempt.$": "$$.State.RetryCount"}
}`

func BenchmarkTemplateEval(b *testing.B) {
	tmpl, err := CompileTemplate(mustJSON(b, benchTemplate))
	if err != nil {
		b.Fatal(err)
	}
	s := benchScope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTemplateEvalIntrinsic(b *testing.B) {
	tmpl, err := CompileTemplate(mustJSON(b, `{"Name.$": "States.Format('{}/{}', $.detail.bucket.name, $.detail.object.key)"}`))
	if err != nil {
		b.Fatal(err)
	}
	s := benchScope(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Eval(s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineHandBuilt builds the same payload as
// BenchmarkTemplateEval with direct Go map access: the floor a template
// evaluator can approach.
func BenchmarkBaselineHandBuilt(b *testing.B) {
	s := benchScope(b)
	options := map[string]any{"Mode": "strict", "Retries": json.Number("3")}
	b.ReportAllocs()
	var out any // outlives the loop, so the maps are heap allocated as in Eval
	for b.Loop() {
		in := s.Input.(map[string]any)
		detail := in["detail"].(map[string]any)
		obj := detail["object"].(map[string]any)
		ctx := s.Context.(map[string]any)
		run, _ := s.Var("run")
		out = map[string]any{
			"Bucket":      detail["bucket"].(map[string]any)["name"],
			"Key":         obj["key"],
			"Size":        obj["size"],
			"ExecutionId": ctx["Execution"].(map[string]any)["Id"],
			"Run":         run,
			"Options":     options,
			"Meta":        map[string]any{"Source": in["id"], "Attempt": ctx["State"].(map[string]any)["RetryCount"]},
		}
	}
	if out == nil {
		b.Fatal("no payload")
	}
}

func BenchmarkSet(b *testing.B) {
	ref, err := CompileReference("$.result.payload")
	if err != nil {
		b.Fatal(err)
	}
	doc := mustJSON(b, benchInput)
	value := map[string]any{"ok": true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Set(doc, ref, value); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSetReplace overwrites an existing field, as a ResultPath does on
// every pass of a loop.
func BenchmarkSetReplace(b *testing.B) {
	ref, err := CompileReference("$.count")
	if err != nil {
		b.Fatal(err)
	}
	doc := mustJSON(b, benchInput)
	value := json.Number("4")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Set(doc, ref, value); err != nil {
			b.Fatal(err)
		}
	}
}
