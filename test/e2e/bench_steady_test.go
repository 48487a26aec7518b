package e2e

import (
	"context"
	"fmt"
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

// Steady arrival, for BenchmarkPipelineSteady: steadyObjects objects, one every 1/steadyRate s.
const (
	steadyObjects = 300
	steadyRate    = 50 // objects/s
)

// BenchmarkPipelineSteady measures the pipeline under a steady arrival of small objects, at a rate each
// function's reserved concurrency (10, gen/config.go) serves without throttling, rather than
// BenchmarkPipeline's burst of 1,000 objects at once. A burst far above the reserved concurrency is
// throttled by design (Lambda answers TooManyRequestsException, as AWS does, and the state machine waits
// in its Retry's backoff of 2 s doubling up to 60 s with full jitter), so its objects/s measures the
// backoff, not the pipeline; this benchmark's latencies are the pipeline's own. It reports the rate
// achieved (objects over the time from the first PutObject to the last commit, steadyRate at best), the
// p50/p99 latency from PutObject to commit, and the Lambda throttles per object (0 when the rate is
// served).
func BenchmarkPipelineSteady(b *testing.B) {
	var rate, throttles float64
	var lat []time.Duration
	for i := range b.N {
		b.StopTimer()
		e := openStack(b, "", "")
		e.putSchema(b)
		objs := burstObjects(steadyObjects, fmt.Sprintf("steady%d", i), 0)
		b.StartTimer()
		t0 := time.Now()
		starts := e.steadyPuts(b, objs, steadyRate)
		e.waitQuiet(b, len(objs))
		b.StopTimer()
		r, l := e.manifestLatencies(b, objs, starts)
		rate += r
		lat = append(lat, l...)
		use := e.lambdaUse(b, t0)
		throttles += use.throttles
		e.close(b)
	}
	n := float64(b.N)
	b.ReportMetric(rate/n, "objects/s")
	b.ReportMetric(ms(percentile(lat, 50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 99)), "p99-ms")
	b.ReportMetric(throttles/(n*steadyObjects), "throttles/object")
}

// steadyPuts starts one PutObject every 1/rate s, each in its own goroutine, and returns when each
// started once all returned.
func (e *env) steadyPuts(b *testing.B, objs []burstObject, rate int) map[string]time.Time {
	starts := make(map[string]time.Time, len(objs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for i, o := range objs {
		if i > 0 {
			<-tick.C
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
