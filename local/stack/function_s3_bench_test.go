package stack

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/local/lambda"
)

// processCPU is the CPU time the process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFunctionS3 measures what a pipeline task's invocation costs the stack around the task's own
// work: Lambda's invocation (instance, log records in the JSON format, EMF metrics, the log's delivery
// to CloudWatch Logs) and S3 calls as the tasks make them (the stack's S3 client for functions, through
// the in-process transport, to the local S3), six calls an invocation on small objects. Two callers
// invoke at once, as Step Functions does with several executions. It reports the process's CPU time and
// bytes allocated per invocation; the machine's other load changes ns/op far more than cpu-us/op.
func BenchmarkFunctionS3(b *testing.B) {
	st := startEmptyStack(b)
	ctx := context.Background()
	clients := &s3Clients{m: map[s3ClientKey]*s3.Client{}}
	const bucket = "bench-bucket"
	if _, err := clients.get(st.URL(), st.inProcess).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		b.Fatal(err)
	}
	type input struct{ Key string }
	err := st.Lambda.Register(lambda.Function{Name: "bench", Concurrency: 10, LogFormat: lambda.LogFormatJSON, Timeout: time.Minute,
		NewHandler: func(rt lambda.Runtime) awslambda.Handler {
			c := clients.get(st.URL(), st.inProcess)
			return awslambda.NewHandler(func(ctx context.Context, in input) (string, error) {
				fmt.Fprintf(rt.Stdout, `{"level":"INFO","msg":"start","key":%q}`+"\n", in.Key)
				src, dst := "incoming/"+in.Key, "processed/"+in.Key
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(src),
					Body: strings.NewReader("id,name\n1,a\n2,b\n"), ContentType: aws.String("text/csv")}); err != nil {
					return "", err
				}
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(src)})
				if err != nil {
					return "", err
				}
				_, err = io.Copy(io.Discard, out.Body)
				out.Body.Close()
				if err != nil {
					return "", err
				}
				if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst),
					CopySource: aws.String(bucket + "/" + src)}); err != nil {
					return "", err
				}
				if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(dst)}); err != nil {
					return "", err
				}
				for _, k := range []string{src, dst} {
					if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
						return "", err
					}
				}
				fmt.Fprintf(rt.Stdout, `{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"Bench","Dimensions":[["Stage"]],"Metrics":[{"Name":"Rows","Unit":"Count"}]}]},"Stage":"bench","Rows":2}`+"\n", time.Now().UnixMilli())
				return dst, nil
			})
		}})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	invoke := func() {
		key := fmt.Sprintf("k%d.csv", n.Add(1))
		res, err := st.Lambda.Invoke(ctx, "bench", []byte(`{"Key":"`+key+`"}`))
		if err != nil || res.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, res.Payload)
		}
	}
	for range 20 { // warm: instances, log group and streams
		invoke()
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	cpu0 := processCPU(b)
	b.SetParallelism(1)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			invoke()
		}
	})
	b.StopTimer()
	cpu := processCPU(b) - cpu0
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(b.N), "alloc-B/op")
}
