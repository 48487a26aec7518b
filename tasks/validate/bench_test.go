package validate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"runtime"
	"runtime/metrics"
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

// benchSchema is a realistic mix of types and constraints for the generated rows.
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

var currencies = [3]string{"EUR", "USD", "GBP"}

// benchRow appends row i; every row has the same length (fixed-width numbers).
func benchRow(i int64, dst []byte) []byte {
	pad := func(dst []byte, v int64, width int) []byte {
		var digits [20]byte
		s := strconv.AppendInt(digits[:0], v, 10)
		for range width - len(s) {
			dst = append(dst, '0')
		}
		return append(dst, s...)
	}
	dst = append(dst, "ORD-"...)
	dst = pad(dst, i%100000000, 8)
	dst = append(dst, ',')
	dst = pad(dst, i%999+1, 3)
	dst = append(dst, ",TEA-"...)
	dst = pad(dst, i%10000, 4)
	dst = append(dst, ',')
	dst = pad(dst, i%100+1, 3)
	dst = append(dst, ',')
	dst = pad(dst, i%10000, 4)
	dst = append(dst, '.')
	dst = pad(dst, i%100, 2)
	dst = append(dst, ',')
	dst = append(dst, currencies[i%3]...)
	if i%2 == 0 {
		dst = append(dst, ",true ,"...)
	} else {
		dst = append(dst, ",false,"...)
	}
	dst = append(dst, "2024-03-"...)
	dst = pad(dst, i%28+1, 2)
	dst = append(dst, ",2024-03-01T"...)
	dst = pad(dst, i/3600%24, 2)
	dst = append(dst, ':')
	dst = pad(dst, i/60%60, 2)
	dst = append(dst, ':')
	dst = pad(dst, i%60, 2)
	dst = append(dst, "Z,a short note about the order\n"...)
	return dst
}

// benchRows returns how many generated rows make about size bytes.
func benchRows(size int64) int64 {
	return (size - int64(len(benchHeader))) / int64(len(benchRow(0, nil)))
}

// BenchmarkValidate256MiB validates a 256 MiB generated CSV held by the in-memory S3 server and, in the
// same iterations, GETs it and discards the bytes (the baseline), and GETs it through SHA-256 (the
// floor: a report carries the object's digest, so validation can be no faster). It reports the speeds
// and the ratios validate/baseline and validate/floor: the machine is noisy, the ratios are what to
// compare.
func BenchmarkValidate256MiB(b *testing.B) {
	s := s3test.New(b, bucket)
	size, open := s3test.Rows(benchHeader, benchRows(256<<20), benchRow)
	ctx := context.Background()
	if _, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("schemas/bench.json"), Body: strings.NewReader(benchSchema)}); err != nil {
		b.Fatal(err)
	}
	key := "incoming/bench/orders.csv"
	body, err := io.ReadAll(open())
	if err != nil {
		b.Fatal(err)
	}
	out, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	body = nil
	if err != nil {
		b.Fatal(err)
	}
	obj := tasks.S3Object{Key: key, Size: size, ETag: trimQuotes(aws.ToString(out.ETag))}
	runtime.GC()
	h := New(s.Client)
	var baseline, validate, floor, baselineCPU, validateCPU, floorCPU time.Duration
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		cpu := cpuTime()
		start := time.Now()
		got, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, got.Body); err != nil || n != size {
			b.Fatalf("baseline GET: %d bytes, %v", n, err)
		}
		got.Body.Close()
		baseline += time.Since(start)
		baselineCPU += cpuTime() - cpu

		cpu = cpuTime()
		start = time.Now()
		got, err = s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			b.Fatal(err)
		}
		digest := sha256.New()
		if n, err := io.Copy(digest, got.Body); err != nil || n != size {
			b.Fatalf("floor GET: %d bytes, %v", n, err)
		}
		got.Body.Close()
		digest.Sum(nil)
		floor += time.Since(start)
		floorCPU += cpuTime() - cpu

		cpu = cpuTime()
		start = time.Now()
		rep, err := h.Handle(ctx, invocation(obj))
		if err != nil || !rep.Valid {
			b.Fatalf("validate: %v %+v", err, rep.Problems)
		}
		validate += time.Since(start)
		validateCPU += cpuTime() - cpu
	}
	mb := float64(size) / (1 << 20) * float64(b.N)
	b.ReportMetric(mb/validate.Seconds(), "validate-MiB/s")
	b.ReportMetric(mb/baseline.Seconds(), "baseline-MiB/s")
	b.ReportMetric(baseline.Seconds()/validate.Seconds(), "ratio")
	// CPU time (user and system, of the whole process: client and server) tells the same story without
	// the noise of a shared machine: validate-MiB per CPU-second against the baseline's.
	b.ReportMetric(baselineCPU.Seconds()/validateCPU.Seconds(), "cpu-ratio")
	b.ReportMetric(float64(validateCPU.Microseconds())/1000/mb, "validate-cpu-ms/MiB")
	b.ReportMetric(float64(baselineCPU.Microseconds())/1000/mb, "baseline-cpu-ms/MiB")
	b.ReportMetric(mb/floor.Seconds(), "floor-MiB/s")
	b.ReportMetric(floor.Seconds()/validate.Seconds(), "floor-ratio")
	b.ReportMetric(float64(floorCPU.Microseconds())/1000/mb, "floor-cpu-ms/MiB")
}

// BenchmarkValidatePeakHeap1GiB validates a 1 GiB CSV generated on the fly by the synthetic S3 endpoint
// (which holds no object data) and reports the peak of live heap objects during the run, sampled
// without stopping the world, and the speed against a GET-and-discard of the same object.
func BenchmarkValidatePeakHeap1GiB(b *testing.B) {
	s := s3test.NewSynthetic(b)
	s.AddBytes(bucket, "schemas/bench.json", []byte(benchSchema))
	key := "incoming/bench/big.csv"
	size, open := s3test.Rows(benchHeader, benchRows(1<<30), benchRow)
	etag := s.Add(bucket, key, size, open)
	obj := tasks.S3Object{Key: key, Size: size, ETag: etag}
	ctx := context.Background()
	h := New(s.Client)
	var peak uint64
	var baseline, validate time.Duration
	b.SetBytes(size)
	for b.Loop() {
		start := time.Now()
		got, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, got.Body); err != nil {
			b.Fatal(err)
		}
		got.Body.Close()
		baseline += time.Since(start)

		runtime.GC()
		stop := sampleHeap(&peak)
		start = time.Now()
		rep, err := h.Handle(ctx, invocation(obj))
		validate += time.Since(start)
		stop()
		if err != nil || !rep.Valid || rep.Bytes != size {
			b.Fatalf("validate: %v %+v", err, rep)
		}
	}
	mb := float64(size) / (1 << 20) * float64(b.N)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(mb/validate.Seconds(), "validate-MiB/s")
	b.ReportMetric(baseline.Seconds()/validate.Seconds(), "ratio")
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// sampleHeap records the largest live heap seen until stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// BenchmarkCSVChunkCheck measures a worker of the CSV path alone: splitting and checking the generated
// rows of 128 KiB chunks, in place, on one goroutine.
func BenchmarkCSVChunkCheck(b *testing.B) {
	sch, err := schema.Parse([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	var data []byte
	for i := int64(0); len(data) < 4<<20; i++ {
		data = benchRow(i, data)
	}
	c := &csvScan{sch: sch, delim: ',', cols: sch.Columns, maxRecord: records.DefaultMaxRecordBytes}
	for i := range sch.Columns {
		c.colOf = append(c.colOf, i)
	}
	var chunks []*chunk
	for len(data) > 0 {
		n := min(len(data), chunkBytes)
		n = bytes.LastIndexByte(data[:n], '\n') + 1
		chunks = append(chunks, &chunk{data: data[:n]})
		data = data[n:]
	}
	w := &csvWorker{values: make([]schema.Raw, len(sch.Columns))}
	b.SetBytes(4 << 20)
	for b.Loop() {
		for _, ch := range chunks {
			c.check(ch, w)
			if !ch.simple || ch.count != 0 {
				b.Fatalf("chunk: simple %v, %d problems %v", ch.simple, ch.count, ch.problems)
			}
		}
	}
}

// BenchmarkCSVPath validates a 64 MiB CSV held in memory (no HTTP) with the CSV path and with the records
// reader alone (the path every CSV took before), alternated in each iteration, and reports both speeds,
// their CPU time per MiB (of the whole process) and the ratios: plain rows as the 256 MiB benchmark's,
// and the same rows with a quoted note holding a delimiter and doubled quotes.
func BenchmarkCSVPath(b *testing.B) {
	sch, err := schema.Parse([]byte(benchSchema))
	if err != nil {
		b.Fatal(err)
	}
	for _, quoted := range []bool{false, true} {
		data := []byte(benchHeader)
		for i := int64(0); len(data) < 64<<20; i++ {
			n := len(data)
			data = benchRow(i, data)
			if quoted {
				row := strings.Replace(string(data[n:]), "a short note about the order", `"a short note, about ""the"" order"`, 1)
				data = append(data[:n], row...)
			}
		}
		name := "plain"
		if quoted {
			name = "quoted"
		}
		b.Run(name, func(b *testing.B) {
			var wall, cpu [2]time.Duration // 0: records reader, 1: CSV path
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for path := range 2 {
					h := New(nil)
					h.recordsOnly = path == 0
					c0, t0 := cpuTime(), time.Now()
					m := newMeter(bytes.NewReader(data), 0, int64(len(data)))
					var rep report
					ref := tasks.ObjectRef{Bucket: bucket, Key: "incoming/bench/orders.csv"}
					typ := records.Type{Format: records.CSV}
					if h.recordsOnly {
						err = h.scan(ref, m, records.NewReader(m, typ, sch), sch, &rep, resume{})
					} else {
						err = h.scanCSV(ref, m, typ, sch, &rep)
					}
					m.close()
					wall[path] += time.Since(t0)
					cpu[path] += cpuTime() - c0
					if err != nil || rep.ProblemCount != 0 || rep.Rows == 0 {
						b.Fatalf("path %d: %v %+v", path, err, rep)
					}
				}
			}
			mb := float64(len(data)) / (1 << 20) * float64(b.N)
			b.ReportMetric(mb/wall[1].Seconds(), "csvpath-MiB/s")
			b.ReportMetric(mb/wall[0].Seconds(), "records-MiB/s")
			b.ReportMetric(wall[0].Seconds()/wall[1].Seconds(), "speedup")
			b.ReportMetric(float64(cpu[1].Microseconds())/1000/mb, "csvpath-cpu-ms/MiB")
			b.ReportMetric(float64(cpu[0].Microseconds())/1000/mb, "records-cpu-ms/MiB")
			b.ReportMetric(cpu[0].Seconds()/cpu[1].Seconds(), "cpu-ratio")
		})
	}
}
