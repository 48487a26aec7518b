package e2e

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Steady arrival, for BenchmarkPipelineSteady: steadyObjects objects, one every 1/steadyRate s (the
// defaults are below each function's reserved concurrency on a 2-core machine).
var (
	steadyObjects = flag.Int("steady.objects", 300, "BenchmarkPipelineSteady: objects written")
	steadyRate    = flag.Float64("steady.rate", 50, "BenchmarkPipelineSteady: objects/s at which they arrive")
	// The sweep's rates, and what a sustained rate must meet.
	sweepRates   = flag.String("sweep.rates", "50,100,150,200,250,300,400,500", "BenchmarkPipelineSweep: arrival rates tried, objects/s, ascending")
	sweepSeconds = flag.Float64("sweep.seconds", 4, "BenchmarkPipelineSweep: seconds of arrival at each rate")
	sweepP99     = flag.Duration("sweep.p99", time.Second, "BenchmarkPipelineSweep: the p99 latency a sustained rate stays under")
)

// BenchmarkPipelineSteady measures the pipeline under a steady arrival of small objects, at a rate each
// function's reserved concurrency (10, gen/config.go) serves without throttling, rather than
// BenchmarkPipeline's burst of 1,000 objects at once. A burst far above the reserved concurrency is
// throttled by design (Lambda answers TooManyRequestsException, as AWS does, and the state machine waits
// in its Retry's backoff of 1 s doubling up to 60 s with full jitter), so its objects/s measures the
// backoff, not the pipeline; this benchmark's latencies are the pipeline's own. It reports the rate
// achieved (objects over the time from the first PutObject to the last commit, the arrival rate at
// best), the p50/p99 latency from PutObject to commit, the Lambda throttles per object (0 when the rate
// is served), and the CPU time and bytes allocated per object by the whole process (stack and clients).
// -steady.rate and -steady.objects change the arrival; BenchmarkPipelineSweep searches for the highest
// rate served.
func BenchmarkPipelineSteady(b *testing.B) {
	stackGC(b)
	var sum steadyResult
	for i := range b.N {
		r := runSteady(b, fmt.Sprintf("steady%d", i), *steadyObjects, *steadyRate)
		sum.rate += r.rate
		sum.lat = append(sum.lat, r.lat...)
		sum.throttles += r.throttles
		sum.cpu += r.cpu
		sum.alloc += r.alloc
	}
	n := float64(b.N)
	objs := n * float64(*steadyObjects)
	b.ReportMetric(sum.rate/n, "objects/s")
	b.ReportMetric(ms(percentile(sum.lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(sum.lat, 99)), "p99-ms")
	b.ReportMetric(sum.throttles/objs, "throttles/object")
	b.ReportMetric(ms(sum.cpu)/objs, "cpu-ms/object")
	b.ReportMetric(float64(sum.alloc)/objs, "alloc-B/object")
}

// BenchmarkPipelineSweep looks for the highest steady arrival rate the stack sustains: for each rate of
// -sweep.rates in turn, on a fresh stack, -sweep.seconds of objects arriving at that rate; a rate is
// sustained when no Lambda invocation was throttled, the rate achieved is at least 90% of the arrival
// rate, and the p99 latency from PutObject to commit is under -sweep.p99. The sweep stops at the first
// rate not sustained. It reports the highest sustained rate, and that rate's p50/p99 and CPU time per
// object; each rate's figures are logged.
func BenchmarkPipelineSweep(b *testing.B) {
	stackGC(b)
	var rates []float64
	for _, s := range strings.Split(*sweepRates, ",") {
		var r float64
		if _, err := fmt.Sscan(strings.TrimSpace(s), &r); err != nil || r <= 0 {
			b.Fatalf("-sweep.rates: %q is not a rate", s)
		}
		rates = append(rates, r)
	}
	var best float64
	var bestRes steadyResult
	for i := range b.N {
		for _, rate := range rates {
			n := max(int(rate**sweepSeconds), 50)
			r := runSteady(b, fmt.Sprintf("sweep%d-%g", i, rate), n, rate)
			p50, p99 := percentile(r.lat, 50), percentile(r.lat, 99)
			ok := r.throttles == 0 && r.rate >= 0.9*rate && p99 < *sweepP99
			b.Logf("arrival %g/s, %d objects: achieved %.1f/s, p50 %v, p99 %v, throttles/object %.3f, cpu-ms/object %.2f, alloc-KB/object %.0f, sustained %v",
				rate, n, r.rate, p50.Round(time.Millisecond), p99.Round(time.Millisecond), r.throttles/float64(n), ms(r.cpu)/float64(n), float64(r.alloc)/float64(n)/1024, ok)
			if !ok {
				break
			}
			if rate > best {
				best, bestRes = rate, r
				bestRes.objects = n
			}
		}
	}
	b.ReportMetric(best, "sustained-objects/s")
	if best > 0 {
		b.ReportMetric(ms(percentile(bestRes.lat, 50)), "p50-ms")
		b.ReportMetric(ms(percentile(bestRes.lat, 99)), "p99-ms")
		b.ReportMetric(ms(bestRes.cpu)/float64(bestRes.objects), "cpu-ms/object")
	}
}

// steadyResult is one steady run's figures.
type steadyResult struct {
	objects   int
	rate      float64 // objects/s achieved
	lat       []time.Duration
	throttles float64
	cpu       time.Duration // process CPU time from the first PutObject until no execution runs
	alloc     uint64        // bytes the process allocated in that time
}

// steadyWarmUp is the number of objects a steady run writes, one at a time, before those it measures.
const steadyWarmUp = 5

// runSteady starts a stack, writes steadyWarmUp objects one at a time, then n objects arriving at rate
// objects/s, waits until every execution ended, and closes the stack; only the arrival of the n objects
// and the wait for them are timed.
func runSteady(b *testing.B, tag string, n int, rate float64) steadyResult {
	b.StopTimer()
	e := openStack(b, "", "")
	defer e.close(b)
	e.putSchema(b)
	// A few objects first, one at a time, so that what is measured is the stack warmed up: its
	// functions' first instances, log groups and streams made, the schema cached.
	warm := burstObjects(steadyWarmUp, tag+"-warm", 0)
	for i, o := range warm {
		e.put(b, o.key, o.body)
		e.waitQuiet(b, i+1)
	}
	objs := burstObjects(n, tag, 0)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.StartTimer()
	cpu0, t0 := cpuTime(b), time.Now()
	starts := e.steadyPuts(b, objs, rate)
	e.waitQuiet(b, len(warm)+len(objs))
	cpu := cpuTime(b) - cpu0
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	r := steadyResult{objects: n, cpu: cpu, alloc: m1.TotalAlloc - m0.TotalAlloc}
	r.rate, r.lat = e.manifestLatencies(b, objs, starts)
	r.throttles = e.lambdaUse(b, t0).throttles
	return r
}

// steadyPuts starts one PutObject every 1/rate s, each in its own goroutine, and returns when each
// started once all returned. The schedule is kept against the clock (a late tick is caught up), so
// the arrival rate is rate even when the ticker's goroutine is scheduled late.
func (e *env) steadyPuts(b *testing.B, objs []burstObject, rate float64) map[string]time.Time {
	starts := make(map[string]time.Time, len(objs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	begin := time.Now()
	for i, o := range objs {
		if d := time.Until(begin.Add(time.Duration(float64(i) / rate * float64(time.Second)))); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(o.key), Body: strings.NewReader(string(o.body))}); err != nil {
				b.Errorf("put %s: %v", o.key, err)
				return
			}
			mu.Lock()
			starts[o.key] = t0
			mu.Unlock()
		}()
	}
	wg.Wait()
	return starts
}

// lambdaUsage is what the Lambda service reported under AWS/Lambda for the pipeline's functions.
type lambdaUsage struct {
	throttles   float64 // invocations refused with TooManyRequestsException
	invocations float64 // invocations run
	busy        time.Duration
}

// lambdaUse sums the AWS/Lambda Throttles, Invocations and Duration the stack's functions reported
// since since, through CloudWatch GetMetricStatistics as a user would read them.
func (e *env) lambdaUse(b *testing.B, since time.Time) lambdaUsage {
	cw := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	var u lambdaUsage
	for _, fn := range e.st.Resources().Functions {
		for _, m := range []struct {
			name string
			into func(float64)
		}{
			{"Throttles", func(v float64) { u.throttles += v }},
			{"Invocations", func(v float64) { u.invocations += v }},
			{"Duration", func(v float64) { u.busy += time.Duration(v * float64(time.Millisecond)) }},
		} {
			out, err := cw.GetMetricStatistics(context.Background(), &cloudwatch.GetMetricStatisticsInput{
				Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(m.name),
				Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(fn)}},
				StartTime:  aws.Time(since.Add(-time.Minute).Truncate(time.Minute)), EndTime: aws.Time(time.Now().Add(time.Minute)),
				Period: aws.Int32(60), Statistics: []cwtypes.Statistic{cwtypes.StatisticSum},
			})
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range out.Datapoints {
				m.into(aws.ToFloat64(p.Sum))
			}
		}
	}
	return u
}
