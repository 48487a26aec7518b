package interp

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingSink is a HistorySink that keeps nothing, so long benchmarks do
// not grow memory; the events are still built and delivered.
type countingSink struct{ n atomic.Int64 }

func (s *countingSink) Record(HistoryEvent) { s.n.Add(1) }

func passChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Parameters":{"step":%d,"id.$":"$.id","tags.$":"$.tags"},"ResultPath":"$.last"`, i, i)
		if i == n-1 {
			b.WriteString(`,"End":true}`)
		} else {
			fmt.Fprintf(&b, `,"Next":"S%d"}`, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

const benchInput = `{"id":"obj-123","bucket":"in","key":"data/2025/01/a.csv","tags":["a","b"],"size":1024}`

// BenchmarkPassChain runs a chain of 100 Pass states with Parameters and
// ResultPath, history on; it reports transitions/s and, because the
// machine is noisy, the cost of a transition relative to the baseline work
// (rendering the state's input and output once each) timed in the same
// loop, interleaved.
func BenchmarkPassChain(b *testing.B) {
	m := compile(b, passChain(100), WithClock(SystemClock()))
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	var engine, baseline time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if r := m.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
			b.Fatal(r.Status, r.Error, r.Cause)
		}
		t1 := time.Now()
		for range 100 {
			_ = render(input)
			_ = render(input)
		}
		engine += t1.Sub(t0)
		baseline += time.Since(t1)
	}
	transitions := float64(b.N) * 100
	b.ReportMetric(transitions/engine.Seconds(), "transitions/s")
	b.ReportMetric(float64(engine)/float64(baseline), "x-baseline")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkPassChainAllocs reports allocations per transition.
func BenchmarkPassChainAllocs(b *testing.B) {
	m := compile(b, passChain(100), WithClock(SystemClock()))
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	allocs := testing.AllocsPerRun(20, func() { m.Run(context.Background(), input, WithHistory(sink)) })
	for b.Loop() {
		m.Run(context.Background(), input, WithHistory(sink))
	}
	b.ReportMetric(allocs/100, "allocs/transition")
}

// BenchmarkBaseline does the payload work a transition cannot avoid (render
// the input and the output for the history) on the same document, as the
// yardstick the interpreter's figures are compared with in the same run.
func BenchmarkBaseline(b *testing.B) {
	input := mustJSON(b, benchInput)
	b.ReportAllocs()
	for b.Loop() {
		for range 100 {
			_ = render(input)
			_ = render(input)
		}
	}
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "transitions/s")
	b.ReportMetric(0, "ns/op")
}

// pipelineMachine is shaped like the project's pipeline: Task validate ->
// Choice -> Task process -> Task store -> Succeed, with an instant invoker.
func pipelineMachine(b *testing.B) *Machine {
	def := `{"StartAt":"Validate","States":{
		"Validate":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:validate","ResultPath":"$.validation","Next":"IsValid"},
		"IsValid":{"Type":"Choice","Choices":[{"Variable":"$.validation.ok","BooleanEquals":true,"Next":"Process"}],"Default":"Rejected"},
		"Rejected":{"Type":"Fail","Error":"Rejected"},
		"Process":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:process","Parameters":{"key.$":"$.key"},
			"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"ResultPath":"$.processed","Next":"Store"},
		"Store":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:store","ResultPath":null,"Next":"Done"},
		"Done":{"Type":"Succeed"}}}`
	ok := []byte(`{"ok":true}`)
	inv := LambdaInvokerFunc(func(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
		return LambdaResponse{Payload: ok}, nil
	})
	return compile(b, def, WithClock(SystemClock()), WithLambdaInvoker(inv))
}

// BenchmarkPipeline reports executions/s of the pipeline-shaped machine.
func BenchmarkPipeline(b *testing.B) {
	m := pipelineMachine(b)
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	b.ReportAllocs()
	for b.Loop() {
		if r := m.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
			b.Fatal(r.Status, r.Error, r.Cause)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
}

// BenchmarkPipelineParallel runs executions concurrently on one Machine;
// compare -cpu 1,2 for the scaling.
func BenchmarkPipelineParallel(b *testing.B) {
	m := pipelineMachine(b)
	input := mustJSON(b, benchInput)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		sink := &countingSink{}
		for pb.Next() {
			if r := m.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
				b.Error(r.Status, r.Error, r.Cause)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
}
