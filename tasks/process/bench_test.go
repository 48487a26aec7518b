package process

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/records"
	"github.com/sluicehq/sluice/tasks/schema"
)

const benchBucket = "pipeline"

// benchSchema mixes every type and most constraints, as a real dataset would.
const benchSchema = `{"name":"bench","columns":[
	{"name":"order_id","type":"string","required":true,"pattern":"ORD-[0-9]{8}"},
	{"name":"line","type":"integer","required":true,"min":1,"max":999},
	{"name":"sku","type":"string","required":true,"maxLength":16},
	{"name":"quantity","type":"integer","required":true,"min":1},
	{"name":"unit_price","type":"number","required":true,"min":0},
	{"name":"currency","type":"string","required":true,"enum":["EUR","USD","GBP"]},
	{"name":"paid","type":"boolean","nullable":true},
	{"name":"order_date","type":"date","required":true},
	{"name":"created_at","type":"timestamp","required":true},
	{"name":"note","type":"string","nullable":true}]}`

const benchHeader = "order_id,line,sku,quantity,unit_price,currency,paid,order_date,created_at,note\n"

// benchRow appends row i. Every row has the same length (numbers are zero-padded), as s3test.Rows needs.
func benchRow(i int64, dst []byte) []byte {
	pad := func(dst []byte, v int64, width int) []byte {
		s := strconv.FormatInt(v, 10)
		dst = append(dst, "0000000000"[:width-len(s)]...)
		return append(dst, s...)
	}
	dst = pad(append(dst, "ORD-"...), i%100000000, 8)
	dst = pad(append(dst, ','), i%999+1, 3)
	dst = pad(append(dst, ",SKU-"...), (i*7919)%10000, 4)
	dst = pad(append(dst, ','), i%50+1, 3)
	dst = pad(append(dst, ','), (i*31)%10000, 4)
	dst = pad(append(dst, '.'), i%100, 2)
	dst = append(dst, [3]string{",EUR", ",USD", ",GBP"}[i%3]...)
	dst = append(dst, [3]string{",true ,", ",false,", ",     ,"}[i%3]...)
	dst = pad(append(dst, "2024-03-"...), i%28+1, 2)
	dst = pad(append(dst, ",2024-03-01 "...), i/3600%24, 2)
	dst = pad(append(dst, ':'), i/60%60, 2)
	dst = pad(append(dst, ':'), i%60, 2)
	return append(dst, "+01:00, a note about the order \n"...)
}

// benchRows is how many rows make about size bytes.
func benchRows(size int64) int64 {
	return (size - int64(len(benchHeader))) / int64(len(benchRow(0, nil)))
}

// benchInput is the process input for a generated object, with the report validation would give it.
func benchInput(key, etag string, size, rows int64, open func() io.Reader) tasks.ProcessInput {
	sum := sha256.New()
	if _, err := io.Copy(sum, open()); err != nil {
		panic(err)
	}
	return tasks.ProcessInput{
		Invocation: tasks.Invocation{
			Bucket:    benchBucket,
			Object:    tasks.S3Object{Key: key, Size: size, ETag: etag},
			Execution: "arn:aws:states:us-east-1:123456789012:execution:Pipeline:bench",
		},
		Report: tasks.Report{Valid: true, Dataset: "bench", Format: "csv", Rows: rows, Bytes: size, SHA256: hex.EncodeToString(sum.Sum(nil))},
	}
}

// baseline GETs the object, gzips it at the output's level with the standard library's compress/gzip
// (the task's compressor before it moved to github.com/klauspost/compress, so the yardstick stays put) and
// uploads the result with the same upload machinery as the task: the cost of moving the bytes, without
// parsing, coercing and encoding them.
func baseline(ctx context.Context, b *testing.B, client S3, key string) int64 {
	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key)})
	if err != nil {
		b.Fatal(err)
	}
	defer got.Body.Close()
	up := newUpload(ctx, client, benchBucket, "baseline/"+key+".gz", nil, DefaultPartSize, DefaultInFlight)
	zw, err := gzip.NewWriterLevel(up, DefaultCompressionLevel)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(zw, got.Body)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		_, err = up.Close()
	}
	if err != nil {
		_ = up.Abort()
		b.Fatalf("baseline: %v", err)
	}
	return n
}

// benchLevel is the gzip level BenchmarkProcess256MiB writes at (-process.level 1 for gzip.BestSpeed):
// the output stays one standard gzip member at every level, and the level trades its size for speed.
var benchLevel = flag.Int("process.level", DefaultCompressionLevel, "gzip level of BenchmarkProcess256MiB's output (-2 to 9; -1 is the default level)")

// BenchmarkProcess256MiB processes a 256 MiB generated CSV held by the in-memory S3 server and, in the
// same iterations, runs the baseline (GET, gzip, PUT) on it. It reports both speeds and their ratio
// (process/baseline), the same ratio in CPU time, which a busy machine disturbs less, and the MiB
// processed per CPU second of the whole process (the S3 server included), what Lambda bills.
func BenchmarkProcess256MiB(b *testing.B) {
	s := s3test.New(b, benchBucket)
	ctx := context.Background()
	if _, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("schemas/bench.json"), Body: strings.NewReader(benchSchema)}); err != nil {
		b.Fatal(err)
	}
	rows := benchRows(256 << 20)
	size, open := s3test.Rows(benchHeader, rows, benchRow)
	key := "incoming/bench/orders.csv"
	body, err := io.ReadAll(open())
	if err != nil {
		b.Fatal(err)
	}
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		b.Fatal(err)
	}
	body = nil
	in := benchInput(key, strings.Trim(aws.ToString(out.ETag), `"`), size, rows, open)
	runtime.GC()
	h := New(s.Client, WithCompressionLevel(*benchLevel))
	var base, proc, baseCPU, procCPU time.Duration
	var written int64
	b.SetBytes(size)
	for b.Loop() {
		cpu, start := cpuTime(), time.Now()
		if n := baseline(ctx, b, s.Client, key); n != size {
			b.Fatalf("baseline read %d bytes, want %d", n, size)
		}
		base += time.Since(start)
		baseCPU += cpuTime() - cpu

		cpu, start = cpuTime(), time.Now()
		res, err := h.Handle(ctx, in)
		if err != nil || res.Rows != rows {
			b.Fatalf("process: %v (%d rows, want %d)", err, res.Rows, rows)
		}
		proc += time.Since(start)
		procCPU += cpuTime() - cpu
		written = res.Bytes
	}
	mib := float64(size) / (1 << 20) * float64(b.N)
	b.ReportMetric(mib/proc.Seconds(), "process-MiB/s")
	b.ReportMetric(mib/base.Seconds(), "baseline-MiB/s")
	b.ReportMetric(base.Seconds()/proc.Seconds(), "ratio")
	b.ReportMetric(baseCPU.Seconds()/procCPU.Seconds(), "cpu-ratio")
	b.ReportMetric(mib/procCPU.Seconds(), "process-MiB/cpu-s")
	b.ReportMetric(float64(written)/(1<<20), "output-MiB")
}

// BenchmarkProcessSmallObject processes a 20-row CSV (about 2.6 KB), the typical object of a burst,
// again and again with one Handler, and in the same iterations runs a baseline that GETs the object and
// PUTs its bytes back unchanged: the cost of the S3 round trips alone. It reports both times per object,
// their ratio (process/baseline) and, with -benchmem, the allocation of both together per iteration.
func BenchmarkProcessSmallObject(b *testing.B) {
	s := s3test.New(b, benchBucket)
	ctx := context.Background()
	if _, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("schemas/bench.json"), Body: strings.NewReader(benchSchema)}); err != nil {
		b.Fatal(err)
	}
	const rows = 20
	size, open := s3test.Rows(benchHeader, rows, benchRow)
	key := "incoming/bench/small.csv"
	body, err := io.ReadAll(open())
	if err != nil {
		b.Fatal(err)
	}
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		b.Fatal(err)
	}
	in := benchInput(key, strings.Trim(aws.ToString(out.ETag), `"`), size, rows, open)
	h := New(s.Client)
	var base, proc time.Duration
	for b.Loop() {
		start := time.Now()
		got, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(benchBucket), Key: aws.String(key)})
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(got.Body)
		got.Body.Close()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(benchBucket), Key: aws.String("baseline/small.csv"), Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
		base += time.Since(start)

		start = time.Now()
		res, err := h.Handle(ctx, in)
		if err != nil || res.Rows != rows {
			b.Fatalf("process: %v (%d rows, want %d)", err, res.Rows, rows)
		}
		proc += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(proc.Microseconds())/n, "process-us/object")
	b.ReportMetric(float64(base.Microseconds())/n, "baseline-us/object")
	b.ReportMetric(proc.Seconds()/base.Seconds(), "process/baseline")
}

// BenchmarkProcessPeakHeap1GiB processes a 1 GiB CSV that the synthetic S3 endpoint generates on the fly,
// uploading to the same endpoint (which discards what it receives), and reports the peak of live heap
// objects during the run: the task's own memory, whatever the object size.
func BenchmarkProcessPeakHeap1GiB(b *testing.B) {
	s := s3test.NewSynthetic(b)
	s.AddBytes(benchBucket, "schemas/bench.json", []byte(benchSchema))
	key := "incoming/bench/big.csv"
	rows := benchRows(1 << 30)
	size, open := s3test.Rows(benchHeader, rows, benchRow)
	etag := s.Add(benchBucket, key, size, open)
	in := benchInput(key, etag, size, rows, open)
	ctx := context.Background()
	h := New(s.Client)
	var peak uint64
	var proc time.Duration
	b.SetBytes(size)
	for b.Loop() {
		runtime.GC()
		stop := sampleHeap(&peak)
		start := time.Now()
		res, err := h.Handle(ctx, in)
		proc += time.Since(start)
		stop()
		if err != nil || res.Rows != rows {
			b.Fatalf("process: %v (%d rows, want %d)", err, res.Rows, rows)
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(size)/(1<<20)*float64(b.N)/proc.Seconds(), "process-MiB/s")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap records the largest live heap seen until stop is called, sampling without stopping the world.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			*peak = max(*peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// BenchmarkEncode encodes the records of 8 MiB of the generated CSV, parsed once beforehand, so that
// it measures the encoder alone (coercion, JSON, statistics) without S3, parsing or compression. It also
// reports the MiB encoded per CPU second (one goroutine), which a busy machine disturbs less than the
// wall time.
func BenchmarkEncode(b *testing.B) {
	s, err := schema.Parse([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	size, open := s3test.Rows(benchHeader, benchRows(8<<20), benchRow)
	rd := records.NewReader(open(), records.Type{Format: records.CSV}, s)
	var recs []records.Record
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, records.Record{Line: rec.Line, Values: slices.Clone(rec.Values)})
	}
	buf := make([]byte, 0, 1<<20)
	b.SetBytes(size)
	cpu := cpuTime()
	for b.Loop() {
		enc := newEncoder(s)
		for i := range recs {
			if buf, err = enc.appendRecord(buf[:0], &recs[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(size)/(1<<20)*float64(b.N)/(cpuTime()-cpu).Seconds(), "MiB/cpu-s")
}
