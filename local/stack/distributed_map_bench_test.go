package stack

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

var dmapCSVBytes = flag.Int64("dmap.csvbytes", 64<<20, "bytes of CSV BenchmarkDistributedMapCSV reads through the stack (1073741824 for 1 GiB)")

// csvStream makes size bytes (about) of CSV on the fly: a header, then numbered rows of about 70 bytes.
type csvStream struct {
	size, n int64
	row     int
	buf     []byte
}

func (c *csvStream) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.n >= c.size {
			return 0, io.EOF
		}
		if c.row == 0 && c.n == 0 {
			c.buf = []byte("id,name,note\n")
		} else {
			c.buf = fmt.Appendf(c.buf[:0], "%d,\"row %d, quoted\",%s\n", c.row, c.row, strings.Repeat("x", 40))
		}
		c.row++
	}
	k := copy(p, c.buf)
	c.buf = c.buf[k:]
	c.n += int64(k)
	return k, nil
}

// BenchmarkDistributedMapCSV uploads a CSV made on the fly (64 MiB by default, -dmap.csvbytes for more)
// to the local S3 with the SDK's multipart uploader, then runs a Distributed Map over it through the
// Step Functions API: batches of 1,000 rows to EXPRESS children that count them, results exported with a
// ResultWriter. It reports rows/s and the peak live heap of the whole process (sampled every 100 ms after
// a GC), which stays bounded whatever the size of the object.
func BenchmarkDistributedMapCSV(b *testing.B) {
	st := startTestStack(b, nil)
	s3c, c := st.testS3(b), st.testSFN()
	ctx := b.Context()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		b.Fatal(err)
	}
	up := manager.NewUploader(s3c, func(u *manager.Uploader) { u.PartSize = 16 << 20; u.Concurrency = 2 })
	if _, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("big"), Key: aws.String("rows.csv"), Body: &csvStream{size: *dmapCSVBytes}}); err != nil {
		b.Fatal(err)
	}
	def := `{"StartAt":"Rows","States":{"Rows":{"Type":"Map","MaxConcurrency":100,
	  "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"CSV"},"Parameters":{"Bucket":"big","Key":"rows.csv"}},
	  "ItemBatcher":{"MaxItemsPerBatch":1000},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"Count",
	    "States":{"Count":{"Type":"Pass","Parameters":{"rows.$":"States.ArrayLength($.Items)"},"End":true}}},
	  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"big","Prefix":"out"},
	    "WriterConfig":{"OutputType":"JSONL","Transformation":"COMPACT"}},"End":true}}}`
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("big-csv"), Definition: aws.String(def), RoleArn: aws.String(dmapRole)})
	if err != nil {
		b.Fatal(err)
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
		}
	}()
	b.ResetTimer()
	var items int64
	for b.Loop() {
		ex, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
		if err != nil {
			b.Fatal(err)
		}
		d := waitExecution(b, c, aws.ToString(ex.ExecutionArn), time.Hour)
		if d.Status != types.ExecutionStatusSucceeded {
			b.Fatalf("execution %s: %s %s", d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
		}
		var out struct{ MapRunArn string }
		if err := json.Unmarshal([]byte(aws.ToString(d.Output)), &out); err != nil {
			b.Fatal(err)
		}
		dm, err := c.DescribeMapRun(ctx, &sfn.DescribeMapRunInput{MapRunArn: aws.String(out.MapRunArn)})
		if err != nil {
			b.Fatal(err)
		}
		items = dm.ItemCounts.Succeeded
	}
	elapsed := b.Elapsed()
	close(stop)
	<-sampled
	b.ReportMetric(float64(items), "rows")
	b.ReportMetric(float64(items)/elapsed.Seconds()*float64(b.N), "rows/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(*dmapCSVBytes)/(1<<20), "csv-MiB")
}
