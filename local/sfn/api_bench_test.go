//go:build linux || darwin

package sfn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// discardWriter is a ResponseWriter that keeps the last answer's status and body.
type discardWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
	w.body.Reset()
}

// processCPU is the CPU time the process has used, user and system.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Skipf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// call serves one AWS JSON 1.0 request as an HTTP client would send it.
func call(s *Service, w *discardWriter, op string, body []byte) {
	r, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "/", bytes.NewReader(body))
	r.Header["X-Amz-Target"] = []string{"AWSStepFunctions." + op}
	r.Header["Content-Type"] = []string{"application/x-amz-json-1.0"}
	w.reset()
	s.ServeHTTP(w, r)
}

// BenchmarkStartDescribeChain20 is the server's share of one execution of sfnload's chain20 (20 Pass states
// with Parameters and ResultPath), as sluice up serves it but for the HTTP transport: StartExecution (the
// execution runs inline and is stored in the history store on disk, not synced, as sluice up does), then
// one DescribeExecution, which finds it SUCCEEDED.
func BenchmarkStartDescribeChain20(b *testing.B) {
	s, err := New(WithDataDir(b.TempDir()), WithSync(false))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	def := chainDefinition(b, 20)
	w := &discardWriter{h: http.Header{}}
	call(s, w, "CreateStateMachine", fmt.Appendf(nil, `{"name":"chain","definition":%q,"roleArn":"arn:aws:iam::000000000000:role/r"}`, def))
	if w.status != http.StatusOK {
		b.Fatalf("CreateStateMachine: %d %s", w.status, w.body.Bytes())
	}
	const machine = "arn:aws:states:us-east-1:000000000000:stateMachine:chain"
	input, _ := json.Marshal(`{"id":"order-1","user":{"name":"ada"},"tags":["a","b","c"],"acc":{"step":-1}}`)
	var arn struct {
		ExecutionArn string `json:"executionArn"`
	}
	var desc struct {
		Status string `json:"status"`
	}
	b.ReportAllocs()
	cpu0 := processCPU(b)
	n := 0
	for i := 0; b.Loop(); i++ {
		n++
		call(s, w, "StartExecution", fmt.Appendf(nil, `{"stateMachineArn":%q,"name":"e%d","input":%s}`, machine, i, input))
		if w.status != http.StatusOK {
			b.Fatalf("StartExecution: %d %s", w.status, w.body.Bytes())
		}
		if err := json.Unmarshal(w.body.Bytes(), &arn); err != nil {
			b.Fatal(err)
		}
		call(s, w, "DescribeExecution", []byte(`{"executionArn":`+strconv.Quote(arn.ExecutionArn)+`}`))
		if err := json.Unmarshal(w.body.Bytes(), &desc); err != nil || desc.Status != "SUCCEEDED" {
			b.Fatalf("DescribeExecution: %d %s", w.status, w.body.Bytes())
		}
	}
	// The process's CPU time (all goroutines: the garbage collector's too) per execution, which a machine
	// busy with other work does not inflate as it does the time per operation.
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(n), "cpu-ns/op")
}
