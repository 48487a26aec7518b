package sfn_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	"github.com/sluicehq/sluice/internal/durablelog"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// parkTasks leaves every ".waitForTaskToken" task waiting: its executions stay running.
type parkTasks struct{}

func (parkTasks) InvokeTask(ctx context.Context, req interp.TaskRequest) (any, error) {
	if req.TaskToken != "" {
		return nil, nil
	}
	return req.Input, nil
}

// open starts a service on dir behind an HTTP server; closing is the caller's (closeAll).
type served struct {
	svc *localsfn.Service
	hs  *httptest.Server
	c   *sdk.Client
}

func openServed(tb testing.TB, opts ...localsfn.Option) *served {
	tb.Helper()
	svc, err := localsfn.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(svc)
	c := client(hs.URL)
	return &served{svc, hs, c}
}

func (s *served) close(tb testing.TB) {
	tb.Helper()
	s.hs.Close()
	if err := s.svc.Close(); err != nil {
		tb.Fatal(err)
	}
}

// noRetry is a client that reports every error at once (the SDK retries a 500 by default).
func noRetry(url string) *sdk.Client {
	c := client(url)
	return sdk.New(c.Options(), func(o *sdk.Options) { o.Retryer = aws.NopRetryer{} })
}

// checkNotSaved asserts that err is Step Functions' InternalFailure with HTTP status 500
// (https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html).
func checkNotSaved(tb testing.TB, err error) {
	tb.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InternalFailure" || !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusInternalServerError {
		tb.Fatalf("got %v, want InternalFailure with status 500", err)
	}
}

// failingFile fails every write while fail is set, as a full disk does, after writing half of it.
type failingFile struct {
	durablelog.File
	fail *atomic.Bool
}

func (f failingFile) WriteAt(p []byte, off int64) (int, error) {
	if f.fail.Load() {
		n, _ := f.File.WriteAt(p[:len(p)/2], off)
		return n, syscall.ENOSPC
	}
	return f.File.WriteAt(p, off)
}

// TestWriteErrorRefusesAndKeepsAcknowledged injects write errors under the journal: every call whose change
// could not be saved answers InternalFailure (500) and leaves nothing behind; every call answered with
// success is there after a restart.
func TestWriteErrorRefusesAndKeepsAcknowledged(t *testing.T) {
	dir := t.TempDir()
	var fail atomic.Bool
	wrap := localsfn.WithWrapFile(func(f durablelog.File) durablelog.File { return failingFile{f, &fail} })
	s1 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}), wrap)
	c := noRetry(s1.hs.URL)
	ctx := t.Context()
	arn := create(t, c, "kept", tokenMachine, types.StateMachineTypeStandard)

	var acked, refused []string
	for i := range 12 {
		fail.Store(i%3 == 1)
		name := fmt.Sprintf("run-%02d", i)
		_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(name)})
		if fail.Load() {
			checkNotSaved(t, err)
			refused = append(refused, name)
			continue
		}
		if err != nil {
			t.Fatalf("StartExecution %s with a healthy disk: %v", name, err)
		}
		acked = append(acked, name)
	}
	fail.Store(true)
	_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("refused"), Definition: aws.String(passMachine), RoleArn: aws.String(role)})
	checkNotSaved(t, err)
	fail.Store(false)
	s1.close(t)

	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}))
	defer s2.close(t)
	for _, name := range acked {
		ex := "arn:aws:states:us-east-1:000000000000:execution:kept:" + name
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); err != nil {
			t.Errorf("acknowledged execution %s after restart: %v", name, err)
		}
	}
	for _, name := range refused {
		ex := "arn:aws:states:us-east-1:000000000000:execution:kept:" + name
		var missing *types.ExecutionDoesNotExist
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); !errors.As(err, &missing) {
			t.Errorf("refused execution %s after restart: got %v, want ExecutionDoesNotExist", name, err)
		}
	}
	if _, err := s2.c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:refused")}); err == nil {
		t.Error("a refused CreateStateMachine left a machine behind")
	}
	if l := s2.svc.Loss(); l.Lost() {
		t.Errorf("Loss after write errors: got %+v, want none (write errors lose nothing acknowledged)", l)
	}
}

// mountTmpfs mounts a tmpfs of size bytes, or skips the test where this process may not mount.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v): needs root", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// TestRealDiskFull reproduces measured failure 1 on a real, tiny tmpfs: create machines and start
// executions until the disk is full, free space, go on, restart. Every machine and execution acknowledged
// with 200 is there; every refusal was InternalFailure (500) and left nothing.
func TestRealDiskFull(t *testing.T) {
	dir := mountTmpfs(t, 512<<10)
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, 400<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	s1 := openServed(t, localsfn.WithDataDir(data), localsfn.WithTaskInvoker(parkTasks{}))
	c := noRetry(s1.hs.URL)
	ctx := t.Context()

	type call struct {
		machine, execution string
	}
	var acked, refused []call
	failures, freed, afterFree := 0, false, 0
	input := aws.String(fmt.Sprintf(`{"who":%q}`, bytes.Repeat([]byte("x"), 2000)))
	for i := 0; i < 600 && afterFree < 20; i++ {
		if failures >= 6 && !freed {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			freed = true
		}
		if freed {
			afterFree++
		}
		name := fmt.Sprintf("m%03d", i)
		if i%4 == 0 {
			// Executions of every other machine finish at once (their history goes to the history store);
			// the others wait on a callback (they stay in the journal).
			def := tokenMachine
			if i%8 == 0 {
				def = passMachine
			}
			_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: &name, Definition: &def, RoleArn: aws.String(role)})
			if err != nil {
				checkNotSaved(t, err)
				failures++
				refused = append(refused, call{machine: name})
				continue
			}
			acked = append(acked, call{machine: name})
			continue
		}
		machine := "arn:aws:states:us-east-1:000000000000:stateMachine:m" + fmt.Sprintf("%03d", i-i%4)
		out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Name: &name, Input: input})
		if err != nil {
			var missing *types.StateMachineDoesNotExist
			if errors.As(err, &missing) {
				continue // its machine was refused
			}
			checkNotSaved(t, err)
			failures++
			refused = append(refused, call{execution: "arn:aws:states:us-east-1:000000000000:execution:" + machine[len("arn:aws:states:us-east-1:000000000000:stateMachine:"):] + ":" + name})
			continue
		}
		acked = append(acked, call{execution: *out.ExecutionArn})
	}
	if !freed {
		t.Fatalf("the disk never filled (%d failures)", failures)
	}
	s1.close(t)
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err == nil {
		t.Logf("free after the run: %d bytes", st.Bavail*uint64(st.Bsize))
	}

	s2 := openServed(t, localsfn.WithDataDir(data), localsfn.WithTaskInvoker(parkTasks{}))
	defer s2.close(t)
	for _, a := range acked {
		if a.machine != "" {
			arn := "arn:aws:states:us-east-1:000000000000:stateMachine:" + a.machine
			if _, err := s2.c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: &arn}); err != nil {
				t.Errorf("acknowledged machine %s lost: %v", a.machine, err)
			}
			continue
		}
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &a.execution}); err != nil {
			t.Errorf("acknowledged execution %s lost: %v", a.execution, err)
		}
		if d, err := s2.c.DescribeStateMachineForExecution(ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: &a.execution}); err == nil && aws.ToString(d.Definition) == passMachine {
			if got := waitDone(t, s2.svc, a.execution); got != "SUCCEEDED" {
				t.Errorf("execution %s: got %s, want SUCCEEDED", a.execution, got)
			}
		}
	}
	for _, r := range refused {
		if r.execution == "" {
			continue
		}
		var missing *types.ExecutionDoesNotExist
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &r.execution}); !errors.As(err, &missing) {
			t.Errorf("refused execution %s: got %v, want ExecutionDoesNotExist", r.execution, err)
		}
	}
	t.Logf("%d refused while full; %d acknowledged, all kept", len(refused), len(acked))
}

// journalSize is the size of the service's journal file.
func journalSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	st, err := os.Stat(filepath.Join(dir, "sfn.log"))
	if err != nil {
		tb.Fatal(err)
	}
	return st.Size()
}

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestHalfWrittenRecordGluedToNext reproduces the shape found in the old journal: a record cut in the
// middle with the next records written right after it. Every record after it is kept, only the cut one is
// lost, and the loss is reported.
func TestHalfWrittenRecordGluedToNext(t *testing.T) {
	dir := t.TempDir()
	s1 := openServed(t, localsfn.WithDataDir(dir))
	// Each CreateStateMachine is one append: the file's size after each call marks the records' ends.
	ends := []int64{journalSize(t, dir)}
	for i := range 8 {
		create(t, s1.c, fmt.Sprintf("m%d", i), passMachine, types.StateMachineTypeStandard)
		ends = append(ends, journalSize(t, dir))
	}
	s1.close(t)
	path := filepath.Join(dir, "sfn.log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Record 4 (machine m3) keeps only its first half, and record 5 follows it directly.
	half := ends[3] + (ends[4]-ends[3])/2
	glued := append(append([]byte(nil), data[:half]...), data[ends[4]:]...)
	if err := os.WriteFile(path, glued, 0o644); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	defer s2.close(t)
	for i := range 8 {
		arn := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:stateMachine:m%d", i)
		_, err := s2.c.DescribeStateMachine(t.Context(), &sdk.DescribeStateMachineInput{StateMachineArn: &arn})
		if got, want := err == nil, i != 3; got != want {
			t.Errorf("machine m%d present: got %v (%v), want %v", i, got, err, want)
		}
	}
	if l := s2.svc.Loss(); l.Corrupt != 1 || !l.Lost() {
		t.Errorf("Loss: got %+v, want one corrupt range", l)
	}
	if !bytes.Contains([]byte(logs.String()), []byte(`"level":"ERROR"`)) {
		t.Errorf("the loss was not logged at Error:\n%s", logs.String())
	}
}

// flipByte inverts one byte of a file.
func flipByte(tb testing.TB, path string, at int64) {
	tb.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, at); err != nil {
		tb.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b, at); err != nil {
		tb.Fatal(err)
	}
}

// TestCorruptByteMidJournal reproduces measured failure 3: after a burst of 300 executions (waiting on a
// callback, so in the journal), one byte in the middle of the journal is flipped. Every execution outside
// the damaged record survives; at most the one whose start was in it is gone, and the loss is reported.
func TestCorruptByteMidJournal(t *testing.T) {
	dir := t.TempDir()
	s1 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}), localsfn.WithSync(false))
	arn := create(t, s1.c, "burst", tokenMachine, types.StateMachineTypeStandard)
	const n = 300
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				if _, err := s1.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%03d", i))}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s1.close(t)
	path := filepath.Join(dir, "sfn.log")
	flipByte(t, path, journalSize(t, dir)/2)

	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}), localsfn.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer s2.close(t)
	present := 0
	for i := range n {
		ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:burst:e%03d", i)
		if _, err := s2.c.DescribeExecution(t.Context(), &sdk.DescribeExecutionInput{ExecutionArn: &ex}); err == nil {
			present++
		}
	}
	if present < n-1 {
		t.Errorf("executions after one corrupt byte: got %d of %d, want at least %d", present, n, n-1)
	}
	if l := s2.svc.Loss(); !l.Lost() || l.Corrupt != 1 {
		t.Errorf("Loss: got %+v, want one corrupt range reported", l)
	}
}

// TestCorruptByteInHistoryIndex flips a byte in the middle of the index of finished executions: every
// other finished execution stays listed and describable.
func TestCorruptByteInHistoryIndex(t *testing.T) {
	dir := t.TempDir()
	s1 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithSync(false))
	arn := create(t, s1.c, "done", passMachine, types.StateMachineTypeStandard)
	const n = 100
	for i := range n {
		out, err := s1.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%03d", i)), Input: aws.String(`{"who":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s1.svc, *out.ExecutionArn)
	}
	s1.close(t)
	// Opening compacts the journal: the finished executions' records leave it, and the index is all that
	// remembers them.
	openServed(t, localsfn.WithDataDir(dir)).close(t)
	index := filepath.Join(dir, "history", "index.log")
	st, err := os.Stat(index)
	if err != nil {
		t.Fatal(err)
	}
	flipByte(t, index, st.Size()/2)

	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer s2.close(t)
	present := 0
	for i := range n {
		ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:done:e%03d", i)
		d, err := s2.c.DescribeExecution(t.Context(), &sdk.DescribeExecutionInput{ExecutionArn: &ex})
		if err != nil {
			continue
		}
		present++
		if got, want := aws.ToString(d.Output), `{"greeting":"hello x"}`; got != want {
			t.Errorf("%s output: got %s, want %s", ex, got, want)
		}
	}
	if present != n-1 {
		t.Errorf("finished executions after one corrupt byte in the index: got %d of %d, want %d", present, n, n-1)
	}
	if l := s2.svc.Loss(); l.Corrupt != 1 {
		t.Errorf("Loss: got %+v, want one corrupt range", l)
	}
}

// TestClosedExecutionsFromDisk reads closed executions back after a restart, when they are in the
// history store only: listing with a status filter and paging, describing, and history forward and in
// reverse, page by page.
func TestClosedExecutionsFromDisk(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s1 := openServed(t, localsfn.WithDataDir(dir))
	arn := create(t, s1.c, "greeter", passMachine, types.StateMachineTypeStandard)
	const n = 25
	for i := range n {
		out, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%02d", i)), Input: aws.String(fmt.Sprintf(`{"who":"w%d"}`, i))})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s1.svc, *out.ExecutionArn)
	}
	s1.close(t)

	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(parkTasks{}))
	defer s2.close(t)
	// One running execution, listed among the closed ones.
	if _, err := s2.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("e99")}); err != nil {
		t.Fatal(err)
	}
	var names []string
	var token *string
	for {
		page, err := s2.c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: &arn, MaxResults: 7, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Executions {
			names = append(names, aws.ToString(e.Name))
		}
		if token = page.NextToken; token == nil {
			break
		}
	}
	want := []string{"e99"}
	for i := n - 1; i >= 0; i-- {
		want = append(want, fmt.Sprintf("e%02d", i))
	}
	if diff := cmp.Diff(names, want); diff != "" {
		t.Errorf("ListExecutions, newest first, 7 a page (-got +want):\n%s", diff)
	}
	done, err := s2.c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: &arn, StatusFilter: types.ExecutionStatusSucceeded, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.Executions) != n || done.Executions[0].StopDate == nil {
		t.Errorf("SUCCEEDED executions: got %d (first %+v), want %d with stop dates", len(done.Executions), done.Executions[0], n)
	}

	ex := "arn:aws:states:us-east-1:000000000000:execution:greeter:e07"
	d, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Input) != `{"who":"w7"}` || aws.ToString(d.Output) != `{"greeting":"hello w7"}` || d.Status != types.ExecutionStatusSucceeded {
		t.Errorf("DescribeExecution from disk: got input %s output %s status %s", aws.ToString(d.Input), aws.ToString(d.Output), d.Status)
	}
	history := func(reverse bool) []int64 {
		var ids []int64
		var token *string
		for {
			h, err := s2.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: &ex, MaxResults: 2, ReverseOrder: reverse, NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range h.Events {
				ids = append(ids, ev.Id)
			}
			if token = h.NextToken; token == nil {
				return ids
			}
		}
	}
	if diff := cmp.Diff(history(false), []int64{1, 2, 3, 4, 5, 6}); diff != "" {
		t.Errorf("history (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(history(true), []int64{6, 5, 4, 3, 2, 1}); diff != "" {
		t.Errorf("reverse history (-got +want):\n%s", diff)
	}
	// A closed execution's name stays taken.
	var exists *types.ExecutionAlreadyExists
	if _, err := s2.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("e07")}); !errors.As(err, &exists) {
		t.Errorf("restart a closed name: got %v, want ExecutionAlreadyExists", err)
	}
}

// TestRetention removes closed executions once they have been closed longer than the retention period:
// their segment files go, and the journal and index no longer know them.
func TestRetention(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	clock := interp.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s1 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithClock(clock), localsfn.WithRetention(time.Hour))
	arn := create(t, s1.c, "old", passMachine, types.StateMachineTypeStandard)
	for i := range 3 {
		out, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%d", i)), Input: aws.String(`{"who":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s1.svc, *out.ExecutionArn)
	}
	s1.close(t)
	segments := func() []string {
		m, err := filepath.Glob(filepath.Join(dir, "history", "*.hist"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if len(segments()) == 0 {
		t.Fatal("no history segment was written")
	}

	// Within the period: kept.
	clock.Advance(30 * time.Minute)
	s2 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithClock(clock), localsfn.WithRetention(time.Hour))
	ex := "arn:aws:states:us-east-1:000000000000:execution:old:e1"
	if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); err != nil {
		t.Errorf("execution within retention: %v", err)
	}
	s2.close(t)

	clock.Advance(time.Hour)
	s3 := openServed(t, localsfn.WithDataDir(dir), localsfn.WithClock(clock), localsfn.WithRetention(time.Hour))
	defer s3.close(t)
	var missing *types.ExecutionDoesNotExist
	if _, err := s3.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); !errors.As(err, &missing) {
		t.Errorf("execution past retention: got %v, want ExecutionDoesNotExist", err)
	}
	if got := segments(); len(got) != 0 {
		t.Errorf("segments past retention: got %v, want none", got)
	}
}
