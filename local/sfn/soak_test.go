package sfn_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

var soakN = flag.Int("sfn.soak", 5000, "executions BenchmarkSoak runs through the API (100000 for the full soak)")

// rssBytes is the process's resident set size (Linux), or 0.
func rssBytes() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	return 0
}

// settled returns the heap in use and the RSS once garbage is collected and returned to the system.
func settled() (heap, rss float64) {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse), rssBytes()
}

func dirBytes(dir string) float64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return float64(n)
}

// BenchmarkSoak runs -sfn.soak executions through the API with 16 clients (each StartExecution followed by
// a GetExecutionHistory of it, as the measured failure's load did) on a data directory, then restarts the
// service on it. It reports the heap and RSS after the first quarter and at the end (settled: collected
// and returned to the system), the heap the last three quarters added per execution (retained-B/exec:
// what each finished execution keeps in memory, about 0 when memory is flat), the restart time against a
// restart on an empty directory, and the disk used. With -sfn.soak=400000 the quarter is 100,000
// executions: memory after N and after 4N. restart-ratio says how much history costs a restart.
func BenchmarkSoak(b *testing.B) {
	n := *soakN
	for range b.N {
		dir := b.TempDir()
		svc, err := localsfn.New(localsfn.WithDataDir(dir), localsfn.WithSync(false))
		if err != nil {
			b.Fatal(err)
		}
		s := &served{svc: svc}
		s.hs = newServer(svc)
		s.c = client(s.hs.URL)
		ctx := context.Background()
		arn := create(b, s.c, "soak", `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Result":{"step":1},"ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Pass","Result":{"step":2},"ResultPath":"$.b","Next":"C"},
 "C":{"Type":"Pass","Result":{"step":3},"ResultPath":"$.c","End":true}}}`, types.StateMachineTypeStandard)
		input := aws.String(fmt.Sprintf(`{"detail":{"object":{"key":"incoming/orders/%s.csv","size":1024}}}`, strings.Repeat("k", 40)))

		var next atomic.Int64
		var quarterHeap, quarterRSS float64
		var once sync.Once
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		began := time.Now()
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > int64(n) {
						return
					}
					out, err := s.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%07d", i)), Input: input})
					if err == nil {
						_, err = s.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, MaxResults: 100})
					}
					if err != nil {
						select {
						case errs <- err:
						default:
						}
						return
					}
					if i == int64(n/4) {
						once.Do(func() { quarterHeap, quarterRSS = settled() })
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		// Every execution has ended once the last one started has (they are alike), but wait for all.
		for i := 1; i <= n; i++ {
			ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:soak:e%07d", i)
			if _, err := svc.Wait(ctx, ex); err != nil {
				b.Fatal(err)
			}
		}
		elapsed := time.Since(began)
		endHeap, endRSS := settled()
		s.hs.Close()
		if err := svc.Close(); err != nil {
			b.Fatal(err)
		}

		t0 := time.Now()
		again, err := localsfn.New(localsfn.WithDataDir(dir), localsfn.WithSync(false))
		if err != nil {
			b.Fatal(err)
		}
		restart := time.Since(t0)
		afterHeap, afterRSS := settled()
		last := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:soak:e%07d", n)
		if status, err := again.Wait(ctx, last); err != nil || status != "SUCCEEDED" {
			b.Fatalf("last execution after restart: %s %v", status, err)
		}
		if err := again.Close(); err != nil {
			b.Fatal(err)
		}

		empty := b.TempDir()
		t0 = time.Now()
		base, err := localsfn.New(localsfn.WithDataDir(empty), localsfn.WithSync(false))
		if err != nil {
			b.Fatal(err)
		}
		baseline := time.Since(t0)
		if err := base.Close(); err != nil {
			b.Fatal(err)
		}

		const mib = 1 << 20
		b.ReportMetric(float64(n), "executions")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "executions/s")
		b.ReportMetric(quarterHeap/mib, "heap-MiB-quarter")
		b.ReportMetric(endHeap/mib, "heap-MiB-end")
		b.ReportMetric((endHeap-quarterHeap)/float64(n-n/4), "retained-B/exec")
		b.ReportMetric(quarterRSS/mib, "rss-MiB-quarter")
		b.ReportMetric(endRSS/mib, "rss-MiB-end")
		b.ReportMetric(afterHeap/mib, "heap-MiB-restarted")
		b.ReportMetric(afterRSS/mib, "rss-MiB-restarted")
		b.ReportMetric(float64(restart.Milliseconds()), "restart-ms")
		b.ReportMetric(restart.Seconds()/max(baseline.Seconds(), 1e-6), "restart-ratio")
		b.ReportMetric(dirBytes(dir)/mib, "disk-MiB")
	}
}

func newServer(svc *localsfn.Service) *httptest.Server { return httptest.NewServer(svc) }
