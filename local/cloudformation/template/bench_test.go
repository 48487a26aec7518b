package template_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/cloudformation/template"
)

// BenchmarkGeneratedTemplate measures what a deployment of deploy/template.json costs the engine:
// Parse, Validate, Bind, Order, every ResolveResource and the Outputs. It reports the ratio to decoding
// the same body with encoding/json alone (the baseline, run in the same benchmark).
func BenchmarkGeneratedTemplate(b *testing.B) {
	body, err := gen.TemplateJSON(gen.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	params := map[string]string{"ArtifactBucket": "artifacts", "ValidateCodeKey": "v.zip", "ProcessCodeKey": "p.zip", "StoreCodeKey": "s.zip"}
	env := template.Env{Region: "us-east-1", AccountID: "123456789012", StackName: "sluice"}
	deploy := func() {
		tpl, err := template.Parse(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tpl.Validate(); err != nil {
			b.Fatal(err)
		}
		s, err := tpl.Bind(params, env)
		if err != nil {
			b.Fatal(err)
		}
		order, err := s.Order()
		if err != nil {
			b.Fatal(err)
		}
		done := template.Provisioned{}
		for _, id := range order {
			if _, err := s.ResolveResource(id, done); err != nil {
				b.Fatal(err)
			}
			done[id] = fakeProvision(id)
		}
		if _, err := s.Outputs(done); err != nil {
			b.Fatal(err)
		}
	}
	decode := func() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
	var decodeNs, deployNs time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		decode()
		t1 := time.Now()
		deploy()
		decodeNs += t1.Sub(t0)
		deployNs += time.Since(t1)
	}
	if decodeNs > 0 {
		b.ReportMetric(float64(deployNs)/float64(decodeNs), "x-json-decode")
	}
}
