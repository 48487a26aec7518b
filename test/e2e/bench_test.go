package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/local/stack"
)

// benchObjects is the size of a benchmark burst, and benchClients the concurrent PutObject clients.
const (
	benchObjects = 1000
	benchClients = 32
)

// BenchmarkPipeline measures the whole pipeline on the stack for bursts of 1,000 small objects:
// objects/s and the p50/p99 latency from the start of each PutObject to its manifest's commit time
// (the Store task stamps it just before the conditional write). Beside it, in the same run, the
// baseline: the same state machine on the engine in process (asl/interp), invoking the same task
// handlers directly, against the same local S3, started as each PutObject returns. The ratio
// (engine/stack) is the cost of EventBridge, the Lambda service and Step Functions persistence.
func BenchmarkPipeline(b *testing.B) {
	stackGC(b)
	var stackRate, baseRate float64
	var stackCPU, baseCPU time.Duration
	var stackAlloc uint64
	var stackLat, baseLat []time.Duration
	var throttles, concurrent float64
	var freeRate, freeCPU, freeThrottles float64
	unreserved := withoutReservedConcurrency(b)
	for i := range b.N {
		b.StopTimer()
		e := openStack(b, "", "")
		e.putSchema(b)
		objs := burstObjects(benchObjects, fmt.Sprintf("bench%d", i), 0)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		cpu0, t0 := cpuTime(b), time.Now()
		starts := e.timedPuts(b, objs, nil)
		e.waitQuiet(b, len(objs))
		stackCPU += cpuTime(b) - cpu0
		runtime.ReadMemStats(&m1)
		stackAlloc += m1.TotalAlloc - m0.TotalAlloc
		wall := time.Since(t0)
		b.StopTimer()
		rate, lat := e.manifestLatencies(b, objs, starts)
		stackRate += rate
		stackLat = append(stackLat, lat...)
		use := e.lambdaUse(b, t0)
		throttles += use.throttles
		concurrent += use.busy.Seconds() / wall.Seconds()
		e.close(b)

		// The same burst with the functions' reserved concurrency left out of the template (as it was
		// when the template had none): no Lambda throttles, so it measures what the stack itself
		// sustains for a burst, not the throttling back-off.
		free := openStack(b, "", "", unreserved)
		free.putSchema(b)
		b.StartTimer()
		cpu0, t0 = cpuTime(b), time.Now()
		starts = free.timedPuts(b, objs, nil)
		free.waitQuiet(b, len(objs))
		freeCPU += ms(cpuTime(b) - cpu0)
		b.StopTimer()
		rate, _ = free.manifestLatencies(b, objs, starts)
		freeRate += rate
		freeThrottles += free.lambdaUse(b, t0).throttles
		free.close(b)

		base := newBaseline(b)
		base.env.putSchema(b)
		b.StartTimer()
		cpu0 = cpuTime(b)
		starts = base.env.timedPuts(b, objs, base.start)
		base.wait(b)
		baseCPU += cpuTime(b) - cpu0
		b.StopTimer()
		rate, lat = base.env.manifestLatencies(b, objs, starts)
		baseRate += rate
		baseLat = append(baseLat, lat...)
		base.env.close(b)
	}
	n := float64(b.N)
	b.ReportMetric(stackRate/n, "objects/s")
	b.ReportMetric(ms(percentile(stackLat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(stackLat, 99)), "p99-ms")
	b.ReportMetric(baseRate/n, "engine-objects/s")
	b.ReportMetric(ms(percentile(baseLat, 50)), "engine-p50-ms")
	b.ReportMetric(ms(percentile(baseLat, 99)), "engine-p99-ms")
	b.ReportMetric(baseRate/stackRate, "engine/stack")
	// CPU time per object (this process, user and system) does not depend on what else runs on the
	// machine: 2 cores / cpu-ms per object bounds the throughput an idle 2-core machine can reach.
	b.ReportMetric(ms(stackCPU)/(n*benchObjects), "cpu-ms/object")
	b.ReportMetric(ms(baseCPU)/(n*benchObjects), "engine-cpu-ms/object")
	b.ReportMetric(float64(stackAlloc)/(n*benchObjects), "alloc-B/object")
	// The burst is far above each function's reserved concurrency (10, gen/config.go): Lambda throttles
	// it as AWS does and the state machine waits in its Retry's backoff (1 s doubling to 60 s, full
	// jitter), so most of the burst's time is spent waiting, with the functions' slots mostly idle:
	// throttles/object counts the refused invocations, lambda-concurrency the mean number of invocations
	// running (at most 30: three functions of 10). BenchmarkPipelineSteady measures the pipeline itself.
	b.ReportMetric(throttles/(n*benchObjects), "throttles/object")
	b.ReportMetric(concurrent/n, "lambda-concurrency")
	b.ReportMetric(freeRate/n, "unreserved-objects/s")
	b.ReportMetric(freeCPU/(n*benchObjects), "unreserved-cpu-ms/object")
	b.ReportMetric(freeThrottles/(n*benchObjects), "unreserved-throttles/object")
}

// BenchmarkPipelineUnreserved is BenchmarkPipeline's burst without reserved concurrency alone (1,000
// small objects, no throttles), without the throttled burst and the in-process baseline around it: a
// profile of it (-cpuprofile, -memprofile) shows only the stack at work on the burst.
func BenchmarkPipelineUnreserved(b *testing.B) {
	stackGC(b)
	unreserved := withoutReservedConcurrency(b)
	var rate, cpu float64
	var alloc uint64
	for i := range b.N {
		b.StopTimer()
		objs := burstObjects(benchObjects, fmt.Sprintf("bench%d", i), 0)
		e := openStack(b, "", "", unreserved)
		e.putSchema(b)
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		b.StartTimer()
		cpu0 := cpuTime(b)
		starts := e.timedPuts(b, objs, nil)
		e.waitQuiet(b, len(objs))
		cpu += ms(cpuTime(b) - cpu0)
		b.StopTimer()
		runtime.ReadMemStats(&m1)
		alloc += m1.TotalAlloc - m0.TotalAlloc
		r, _ := e.manifestLatencies(b, objs, starts)
		rate += r
		e.close(b)
	}
	n := float64(b.N)
	b.ReportMetric(rate/n, "objects/s")
	b.ReportMetric(cpu/(n*benchObjects), "cpu-ms/object")
	b.ReportMetric(float64(alloc)/(n*benchObjects), "alloc-B/object")
}

// withoutReservedConcurrency deploys deploy/template.json with every function's
// ReservedConcurrentExecutions removed, so the functions draw from the account's unreserved pool.
func withoutReservedConcurrency(tb testing.TB) stackOption {
	tb.Helper()
	var tmpl map[string]any
	if err := json.Unmarshal(repoFile(tb, "deploy/template.json"), &tmpl); err != nil {
		tb.Fatal(err)
	}
	removed := 0
	for _, r := range tmpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] != "AWS::Lambda::Function" {
			continue
		}
		props := res["Properties"].(map[string]any)
		if _, ok := props["ReservedConcurrentExecutions"]; ok {
			delete(props, "ReservedConcurrentExecutions")
			removed++
		}
	}
	if removed == 0 {
		tb.Fatal("deploy/template.json: no function has ReservedConcurrentExecutions to remove")
	}
	out, err := json.Marshal(tmpl)
	if err != nil {
		tb.Fatal(err)
	}
	return withTemplate(out)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(d))
	return s[(len(s)-1)*p/100]
}

// timedPuts writes the objects from benchClients clients and returns when each PutObject started. after,
// when set, is called with each object's event as S3 would describe it, once its PutObject returned.
func (e *env) timedPuts(b *testing.B, objs []burstObject, after func(event []byte)) map[string]time.Time {
	starts := make(map[string]time.Time, len(objs))
	var mu sync.Mutex
	next := make(chan burstObject)
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range next {
				t0 := time.Now()
				out, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(o.key), Body: strings.NewReader(string(o.body))})
				if err != nil {
					b.Errorf("put %s: %v", o.key, err)
					continue
				}
				mu.Lock()
				starts[o.key] = t0
				mu.Unlock()
				if after != nil {
					after(objectCreated(e.bucket, o.key, int64(len(o.body)), strings.Trim(aws.ToString(out.ETag), `"`), aws.ToString(out.VersionId)))
				}
			}
		}()
	}
	for _, o := range objs {
		next <- o
	}
	close(next)
	wg.Wait()
	return starts
}

// objectCreated is the "Object Created" event of an object, in the shape S3 sends to EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), for the baseline.
func objectCreated(bucket, key string, size int64, etag, version string) []byte {
	obj := map[string]any{"key": key, "size": size, "etag": etag}
	if version != "" {
		obj["version-id"] = version
	}
	b, _ := json.Marshal(map[string]any{
		"version": "0", "detail-type": "Object Created", "source": "aws.s3", "account": "000000000000",
		"region": "us-east-1", "resources": []string{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{"version": "0", "bucket": map[string]string{"name": bucket}, "object": obj, "reason": "PutObject"},
	})
	return b
}

// waitQuiet waits until n executions exist and none runs, polling lightly (one RUNNING execution at most
// per request) so as not to load the stack it measures.
func (e *env) waitQuiet(b *testing.B, n int) {
	deadline := time.Now().Add(settleTimeout)
	for time.Now().Before(deadline) {
		out, err := e.sfn.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(e.sm), StatusFilter: sfntypes.ExecutionStatusRunning, MaxResults: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(out.Executions) == 0 && len(e.executions(b)) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("executions still running after %v", settleTimeout)
}

// manifestLatencies reads each object's manifest and returns the burst's objects/s (objects over the
// time from the first PutObject to the last commit) and each object's latency.
func (e *env) manifestLatencies(b *testing.B, objs []burstObject, starts map[string]time.Time) (float64, []time.Duration) {
	committed := map[string]time.Time{}
	for _, k := range e.keys(b, "manifests/") {
		var m struct {
			Source struct {
				Key string `json:"key"`
			} `json:"source"`
			Committed time.Time `json:"committed"`
		}
		e.getJSON(b, k, &m)
		committed[m.Source.Key] = m.Committed
	}
	var first, last time.Time
	lat := make([]time.Duration, 0, len(objs))
	for _, o := range objs {
		s, c := starts[o.key], committed[o.key]
		if s.IsZero() || c.IsZero() {
			b.Fatalf("%s: put at %v, committed at %v", o.key, s, c)
		}
		lat = append(lat, c.Sub(s))
		if first.IsZero() || s.Before(first) {
			first = s
		}
		if c.After(last) {
			last = c
		}
	}
	return float64(len(objs)) / last.Sub(first).Seconds(), lat
}

// baseline runs the pipeline's state machine on the engine in process, invoking the task handlers
// directly, against the S3 of a stack whose rule is disabled (so that it starts nothing itself).
type baseline struct {
	env     *env
	machine *interp.Machine
	mu      sync.Mutex
	running []*interp.Execution
}

func newBaseline(b *testing.B) *baseline {
	var tpl map[string]any
	if err := json.Unmarshal(repoFile(b, "deploy/template.json"), &tpl); err != nil {
		b.Fatal(err)
	}
	for _, r := range tpl["Resources"].(map[string]any) {
		if res := r.(map[string]any); res["Type"] == "AWS::Events::Rule" {
			res["Properties"].(map[string]any)["State"] = "DISABLED"
		}
	}
	raw, err := json.Marshal(tpl)
	if err != nil {
		b.Fatal(err)
	}
	e := openStack(b, "", "", withTemplate(raw))
	def := string(repoFile(b, "statemachine/pipeline.asl.json"))
	inv := directInvoker{endpoint: e.url, functions: map[string]stack.HandlerFactory{}}
	for id, f := range stack.PipelineFunctions() {
		def = strings.ReplaceAll(def, "${"+id+"Arn}", id)
		inv.functions[id] = f
	}
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		b.Fatal(err)
	}
	m, err := interp.New(sm, interp.WithLambdaInvoker(inv))
	if err != nil {
		b.Fatal(err)
	}
	return &baseline{env: e, machine: m}
}

func (bl *baseline) start(event []byte) {
	var input any
	d := json.NewDecoder(strings.NewReader(string(event)))
	d.UseNumber()
	if err := d.Decode(&input); err != nil {
		panic(err)
	}
	x := bl.machine.Start(context.Background(), input, interp.WithExecutionName(fmt.Sprintf("b%p", event)),
		interp.WithExecutionArn("arn:aws:states:us-east-1:000000000000:execution:baseline:"+fmt.Sprintf("b%p", event)))
	bl.mu.Lock()
	bl.running = append(bl.running, x)
	bl.mu.Unlock()
}

func (bl *baseline) wait(b *testing.B) {
	for _, x := range bl.running {
		r, err := x.Wait(context.Background())
		if err != nil || r.Status != interp.StatusSucceeded {
			b.Fatalf("baseline execution: %v %s %s: %s", err, r.Status, r.Error, r.Cause)
		}
	}
}

// directInvoker calls the task handlers in process, a new handler per invocation as the local Lambda
// does, without the Lambda service.
type directInvoker struct {
	endpoint  string
	functions map[string]stack.HandlerFactory
}

func (d directInvoker) InvokeLambda(ctx context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
	f := d.functions[req.FunctionName]
	if f == nil {
		return interp.LambdaResponse{}, fmt.Errorf("no function %s", req.FunctionName)
	}
	h := f(lambda.Runtime{Stdout: io.Discard, Env: map[string]string{"LOG_LEVEL": "WARN"}}, d.endpoint)
	out, err := h.Invoke(ctx, req.Payload)
	if err != nil {
		doc, _ := json.Marshal(map[string]string{"errorType": fmt.Sprintf("%T", errors.Unwrap(err)), "errorMessage": err.Error()})
		return interp.LambdaResponse{StatusCode: 200, Payload: doc, FunctionError: "Unhandled"}, nil
	}
	return interp.LambdaResponse{StatusCode: 200, Payload: out}, nil
}

// benchMachine is a small machine: a Pass, a Choice and a Succeed.
const benchMachine = `{"StartAt":"A","States":{
	"A":{"Type":"Pass","Result":{"x":1},"ResultPath":"$.a","Next":"B"},
	"B":{"Type":"Choice","Choices":[{"Variable":"$.a.x","NumericEquals":1,"Next":"C"}],"Default":"C"},
	"C":{"Type":"Succeed"}}}`

// BenchmarkStepFunctionsAPI measures executions/s of a small machine started through the Step Functions
// HTTP API of `sluice up` in its own process (StartExecution from benchClients clients, durable journal
// and history, until none runs), and the CPU time that process spends per execution (server-cpu-ms/exec,
// read from /proc: the clients' time is not in it), beside the engine's own figures in the same run
// (interp.Machine.Start in this process, the same concurrency, engine-cpu-ms/exec).
func BenchmarkStepFunctionsAPI(b *testing.B) {
	const batch = 500
	up := startUp(b, buildSluice(b), b.TempDir())
	e := up.env
	created, err := e.sfn.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String("bench"), Definition: aws.String(benchMachine), RoleArn: aws.String("arn:aws:iam::000000000000:role/bench")})
	if err != nil {
		b.Fatal(err)
	}
	sm, err := asl.Parse([]byte(benchMachine))
	if err != nil {
		b.Fatal(err)
	}
	m, err := interp.New(sm)
	if err != nil {
		b.Fatal(err)
	}
	var apiTime, engineTime, serverCPU, engineCPU time.Duration
	b.ResetTimer()
	for range b.N {
		t0, cpu0 := time.Now(), processCPU(b, up.cmd.Process.Pid)
		concurrently(batch, func(int) {
			if _, err := e.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: created.StateMachineArn, Input: aws.String(`{"n":1}`)}); err != nil {
				b.Error(err)
			}
		})
		for {
			out, err := e.sfn.ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: created.StateMachineArn, StatusFilter: sfntypes.ExecutionStatusRunning, MaxResults: 1})
			if err != nil {
				b.Fatal(err)
			}
			if len(out.Executions) == 0 {
				break
			}
			time.Sleep(time.Millisecond)
		}
		apiTime += time.Since(t0)
		serverCPU += processCPU(b, up.cmd.Process.Pid) - cpu0

		t0, cpu0 = time.Now(), cpuTime(b)
		concurrently(batch, func(int) {
			r, err := m.Start(context.Background(), map[string]any{"n": json.Number("1")}).Wait(context.Background())
			if err != nil || r.Status != interp.StatusSucceeded {
				b.Errorf("engine: %v %s", err, r.Status)
			}
		})
		engineTime += time.Since(t0)
		engineCPU += cpuTime(b) - cpu0
	}
	execs := float64(b.N * batch)
	api := execs / apiTime.Seconds()
	engine := execs / engineTime.Seconds()
	b.ReportMetric(api, "api-execs/s")
	b.ReportMetric(engine, "engine-execs/s")
	b.ReportMetric(engine/api, "engine/api")
	b.ReportMetric(ms(serverCPU)/execs, "server-cpu-ms/exec")
	b.ReportMetric(ms(engineCPU)/execs, "engine-cpu-ms/exec")
}

// processCPU is the CPU time another process has used, user and system, from /proc/PID/stat (Linux; the
// benchmark is skipped elsewhere). Its times are in clock ticks of USER_HZ, 100 a second on Linux.
func processCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Skipf("cannot read the server's CPU time: %v", err)
	}
	// The command name, in parentheses, may hold spaces: the fields counted are those after it.
	rest := string(data[bytes.LastIndexByte(data, ')')+1:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat: %d fields after the name, want at least 13", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of stat(5)
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		b.Fatal(err)
	}
	return time.Duration(utime+stime) * (time.Second / 100)
}

// concurrently runs f(0..n-1) from benchClients goroutines.
func concurrently(n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// BenchmarkPipelineLatency measures the latency of one object at a time, the pipeline otherwise idle:
// from the start of its PutObject to its manifest's commit time. BenchmarkPipeline's latencies include
// the queueing of a 1,000-object burst; these do not.
func BenchmarkPipelineLatency(b *testing.B) {
	stackGC(b)
	e := startStack(b, "", "")
	e.putSchema(b)
	objs := burstObjects(b.N, "latency", 0)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i, o := range objs {
		t0 := time.Now()
		etag := e.put(b, o.key, o.body)
		key := "manifests/orders/" + strings.TrimPrefix(o.key, "incoming/orders/") + "." + etag + ".json"
		var m struct {
			Committed time.Time `json:"committed"`
		}
		for {
			if body, ok := e.get(b, key); ok {
				if err := json.Unmarshal(body, &m); err != nil {
					b.Fatal(err)
				}
				break
			}
			if time.Since(t0) > settleTimeout {
				b.Fatalf("object %d: no manifest after %v", i, settleTimeout)
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, m.Committed.Sub(t0))
	}
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
}
