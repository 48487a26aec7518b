package interp

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingSink is a HistorySink that keeps nothing, so long benchmarks do
// not grow memory; the events are still built and delivered. It does not
// say so (BorrowingSink): these benchmarks measure the events a sink that
// keeps them gets, owned (test/peerbench's sink borrows).
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
// timed in the same loop, interleaved (see yardstick).
// allocs/transition and B/transition are the engine's alone, measured
// before the loop.
func BenchmarkPassChain(b *testing.B) {
	m := compile(b, passChain(100), WithClock(SystemClock()))
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	allocs, bytes := perRun(func() { m.Run(context.Background(), input, WithHistory(sink)) })
	var engine, baseline time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		if r := m.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
			b.Fatal(r.Status, r.Error, r.Cause)
		}
		t1 := time.Now()
		for range 100 {
			yardstick(input)
		}
		engine += t1.Sub(t0)
		baseline += time.Since(t1)
	}
	transitions := float64(b.N) * 100
	b.ReportMetric(transitions/engine.Seconds(), "transitions/s")
	b.ReportMetric(float64(engine)/float64(baseline), "x-baseline")
	b.ReportMetric(allocs/100, "allocs/transition")
	b.ReportMetric(bytes/100, "B/transition")
	b.ReportMetric(0, "ns/op")
}

// perRun returns the heap allocations and bytes of one call of f, averaged
// over a few calls after a warm-up.
func perRun(f func()) (allocs, bytes float64) {
	const runs = 20
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / runs, float64(after.TotalAlloc-before.TotalAlloc) / runs
}

// BenchmarkPassChainAllocs runs the chain of BenchmarkPassChain alone, so
// that ns/op and allocs/op are the engine's (100 transitions an op); it
// also reports the process CPU time a transition costs.
func BenchmarkPassChainAllocs(b *testing.B) {
	m := compile(b, passChain(100), WithClock(SystemClock()))
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	allocs := testing.AllocsPerRun(20, func() { m.Run(context.Background(), input, WithHistory(sink)) })
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		m.Run(context.Background(), input, WithHistory(sink))
	}
	cpu := processCPU() - cpu0
	b.ReportMetric(allocs/100, "allocs/transition")
	b.ReportMetric(float64(b.N)*100/b.Elapsed().Seconds(), "transitions/s")
	if cpu > 0 {
		// CPU time (GC included) varies far less than wall time on a
		// machine shared with other work.
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*100), "cpu-ns/transition")
	}
}

// yardstick is the baseline work of one transition: encoding the state's
// input and output (here the same document) for the history, with
// encoding/json, so that the yardstick does not move when the engine's own
// renderer changes.
func yardstick(v any) {
	for range 2 {
		if _, err := json.Marshal(v); err != nil {
			panic(err)
		}
	}
}

// BenchmarkBaseline runs the yardstick alone, 100 transitions an op.
func BenchmarkBaseline(b *testing.B) {
	input := mustJSON(b, benchInput)
	b.ReportAllocs()
	for b.Loop() {
		for range 100 {
			yardstick(input)
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

// BenchmarkPipeline reports executions/s of the pipeline-shaped machine,
// one execution at a time, and its cost relative to the yardstick of its
// five transitions, interleaved in the loop.
func BenchmarkPipeline(b *testing.B) {
	m := pipelineMachine(b)
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
		for range 5 {
			yardstick(input)
		}
		engine += t1.Sub(t0)
		baseline += time.Since(t1)
	}
	b.ReportMetric(float64(b.N)/engine.Seconds(), "executions/s")
	b.ReportMetric(float64(engine)/float64(baseline), "x-baseline")
}

// BenchmarkPipelineParallel runs executions of the pipeline-shaped machine
// concurrently on one Machine, each goroutine with its own history sink;
// compare -cpu 1,2 for the scaling. Besides executions/s it reports the
// process CPU time an execution costs (GC included): on a machine shared
// with other work, wall-clock throughput depends on the CPU the scheduler
// grants, while CPU time per execution stays flat from 1 to 2 cores
// exactly when the executions do not contend with each other. The live
// heap of this benchmark is tiny, so at the default GOGC the collector
// runs some hundred times a second and, with 2 Ps, the runtime's span
// allocation and scavenging cost extra CPU per execution; GOGC=400 shows
// the engine's own scaling.
func BenchmarkPipelineParallel(b *testing.B) {
	m := pipelineMachine(b)
	input := mustJSON(b, benchInput)
	b.ReportAllocs()
	cpu0 := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		sink := &countingSink{}
		for pb.Next() {
			if r := m.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
				b.Error(r.Status, r.Error, r.Cause)
				return
			}
		}
	})
	cpu := processCPU() - cpu0
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "executions/s")
	if cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/execution")
	}
}

func jsonataChain(n int) string {
	var b strings.Builder
	b.WriteString(`{"QueryLanguage":"JSONata","StartAt":"S0","States":{`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"S%d":{"Type":"Pass","Output":"{%% $merge([$states.input, {'last': {'step': %d, 'id': $states.input.id, 'tags': $states.input.tags}}]) %%}"`, i, i)
		if i == n-1 {
			b.WriteString(`,"End":true}`)
		} else {
			fmt.Fprintf(&b, `,"Next":"S%d"}`, i+1)
		}
	}
	b.WriteString("}}")
	return b.String()
}

// BenchmarkJSONataPassChain runs the Pass chain of BenchmarkPassChain
// written in JSONata (each state's Output merges the same "last" object into
// its input) and reports its cost relative to the JSONPath chain, timed in
// the same loop, interleaved.
func BenchmarkJSONataPassChain(b *testing.B) {
	jm := compile(b, jsonataChain(100), WithClock(SystemClock()))
	pm := compile(b, passChain(100), WithClock(SystemClock()))
	input := mustJSON(b, benchInput)
	sink := &countingSink{}
	if r := jm.Run(context.Background(), input, WithHistory(sink)); r.Status != StatusSucceeded {
		b.Fatal(r.Status, r.Error, r.Cause)
	}
	allocs, _ := perRun(func() { jm.Run(context.Background(), input, WithHistory(sink)) })
	var jsonata, jsonpath time.Duration
	for b.Loop() {
		t0 := time.Now()
		jm.Run(context.Background(), input, WithHistory(sink))
		t1 := time.Now()
		pm.Run(context.Background(), input, WithHistory(sink))
		jsonata += t1.Sub(t0)
		jsonpath += time.Since(t1)
	}
	b.ReportMetric(float64(b.N)*100/jsonata.Seconds(), "transitions/s")
	b.ReportMetric(float64(jsonata)/float64(jsonpath), "x-jsonpath")
	b.ReportMetric(allocs/100, "allocs/transition")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkDistributedMap streams items through a distributed Map of Pass
// children (each a child execution with its own ARN, run in process) into
// a ResultWriter, and reports items/s and the cost of an item relative to
// an inline Map iteration over the same items, measured interleaved.
func BenchmarkDistributedMap(b *testing.B) {
	const n = 5000
	passes := `"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"n.$":"$.n","k":"v"},"End":true}}`
	dist := compile(b, `{"StartAt":"M","States":{"M":{"Type":"Map",
		"ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSONL"},"Parameters":{"Bucket":"b","Key":"k"}},
		"ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out"}},
		"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},`+passes+`},"End":true}}}`,
		WithClock(SystemClock()), WithItemReader(newGenReader(n, numbered)), WithResultWriter(&sampledSink{every: n, sample: func() {}, count: new(int)}))
	inline := compile(b, `{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":{`+passes+`},"End":true}}}`,
		WithClock(SystemClock()), WithHistoryLimit(1<<30))
	items := make([]any, n)
	for i := range items {
		items[i] = numbered(i)
	}
	sink := &countingSink{}
	var engine, baseline time.Duration
	for b.Loop() {
		t0 := time.Now()
		if r := dist.Run(context.Background(), map[string]any{}, WithHistory(sink)); r.Status != StatusSucceeded {
			b.Fatal(r.Status, r.Error, r.Cause)
		}
		t1 := time.Now()
		if r := inline.Run(context.Background(), items, WithHistory(sink)); r.Status != StatusSucceeded {
			b.Fatal(r.Status, r.Error, r.Cause)
		}
		engine += t1.Sub(t0)
		baseline += time.Since(t1)
	}
	b.ReportMetric(float64(b.N)*n/engine.Seconds(), "items/s")
	b.ReportMetric(float64(b.N)*n/baseline.Seconds(), "inline-items/s")
	b.ReportMetric(float64(engine)/float64(baseline), "x-inline")
	b.ReportMetric(0, "ns/op")
}
