package sfn_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// choiceMachine fails when its input says so.
const choiceMachine = `{"StartAt":"C","States":{
 "C":{"Type":"Choice","Choices":[{"Variable":"$.fail","BooleanEquals":true,"Next":"F"}],"Default":"P"},
 "P":{"Type":"Pass","End":true},
 "F":{"Type":"Fail","Error":"Boom","Cause":"asked to"}}}`

// sealedFixture runs n executions on each of two machines, every third failing, on a service that seals
// its finished executions every sealEvery.
type sealedFixture struct {
	dir      string
	machines []string
	names    map[string][]string              // machine ARN -> execution names
	status   map[string]types.ExecutionStatus // execution ARN -> its status
}

func newSealedFixture(t *testing.T, n, sealEvery int) *sealedFixture {
	t.Helper()
	fx := &sealedFixture{dir: t.TempDir(), names: map[string][]string{}, status: map[string]types.ExecutionStatus{}}
	s := openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(sealEvery))
	defer s.close(t)
	for _, m := range []string{"alpha", "beta"} {
		fx.machines = append(fx.machines, create(t, s.c, m, choiceMachine, types.StateMachineTypeStandard))
	}
	for i := range n {
		for _, arn := range fx.machines {
			name := fmt.Sprintf("e%04d", i)
			input := fmt.Sprintf(`{"fail":%t}`, i%3 == 0)
			out, err := s.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: &name, Input: &input})
			if err != nil {
				t.Fatal(err)
			}
			fx.names[arn] = append(fx.names[arn], name)
			fx.status[*out.ExecutionArn] = types.ExecutionStatus(waitDone(t, s.svc, *out.ExecutionArn))
		}
	}
	waitInMemory(t, s.svc, sealEvery)
	return fx
}

// waitInMemory waits (up to 10 s) for the history store's background seal to leave fewer than sealEvery
// finished executions in memory.
func waitInMemory(t *testing.T, svc *localsfn.Service, sealEvery int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for svc.HistoryInMemory() >= sealEvery {
		if time.Now().After(deadline) {
			t.Fatalf("finished executions in memory: got %d, want fewer than %d", svc.HistoryInMemory(), sealEvery)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listAll pages through ListExecutions and checks the order (newest first, then name descending).
func listAll(t *testing.T, c *sdk.Client, in sdk.ListExecutionsInput) []string {
	t.Helper()
	var names []string
	var last *types.ExecutionListItem
	for {
		out, err := c.ListExecutions(t.Context(), &in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range out.Executions {
			e := &out.Executions[i]
			if last != nil && (e.StartDate.After(*last.StartDate) || e.StartDate.Equal(*last.StartDate) && *e.Name >= *last.Name) {
				t.Errorf("%s listed after %s", *e.Name, *last.Name)
			}
			last = e
			names = append(names, *e.Name)
		}
		if out.NextToken == nil {
			return names
		}
		in.NextToken = out.NextToken
	}
}

// check asserts that every execution of the fixture is served: listed once (with and without a status
// filter), described with its status, its history read, and its name taken.
func (fx *sealedFixture) check(t *testing.T, s *served) {
	t.Helper()
	ctx := t.Context()
	for _, arn := range fx.machines {
		got := listAll(t, s.c, sdk.ListExecutionsInput{StateMachineArn: &arn, MaxResults: 7})
		sort.Strings(got)
		if diff := cmp.Diff(got, fx.names[arn]); diff != "" {
			t.Errorf("ListExecutions %s (-got +want):\n%s", arn, diff)
		}
		failed := listAll(t, s.c, sdk.ListExecutionsInput{StateMachineArn: &arn, StatusFilter: types.ExecutionStatusFailed, MaxResults: 5})
		sort.Strings(failed)
		var want []string
		for i, name := range fx.names[arn] {
			if i%3 == 0 {
				want = append(want, name)
			}
		}
		if diff := cmp.Diff(failed, want); diff != "" {
			t.Errorf("ListExecutions %s FAILED (-got +want):\n%s", arn, diff)
		}
		// A closed execution's name stays taken.
		var exists *types.ExecutionAlreadyExists
		if _, err := s.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fx.names[arn][1]), Input: aws.String(`{"other":1}`)}); !errors.As(err, &exists) {
			t.Errorf("start a closed name again: got %v, want ExecutionAlreadyExists", err)
		}
	}
	for ex, status := range fx.status {
		d, err := s.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String(ex)})
		if err != nil {
			t.Errorf("DescribeExecution %s: %v", ex, err)
			continue
		}
		if d.Status != status {
			t.Errorf("%s: got %s, want %s", ex, d.Status, status)
		}
	}
	ex := s.machineExecution(fx.machines[1], fx.names[fx.machines[1]][0])
	h, err := s.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: &ex})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.Events); n == 0 || h.Events[n-1].Type != types.HistoryEventTypeExecutionFailed {
		t.Errorf("history of %s: %d events, last not ExecutionFailed", ex, n)
	}
}

func (s *served) machineExecution(machineArn, name string) string {
	return "arn:aws:states:us-east-1:000000000000:execution:" + machineArn[len("arn:aws:states:us-east-1:000000000000:stateMachine:"):] + ":" + name
}

// TestFinishedExecutionsLeaveMemory runs 2 × 150 executions on a service that seals its finished
// executions into runs every 16: at most 16 stay in memory whatever the number finished, and every one of
// them is still listed (paged, filtered), described, read and its name taken, before and after a restart.
func TestFinishedExecutionsLeaveMemory(t *testing.T) {
	const sealEvery = 16
	fx := newSealedFixture(t, 150, sealEvery)
	s := openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(sealEvery))
	defer s.close(t)
	if got := s.svc.HistoryInMemory(); got >= sealEvery {
		t.Errorf("finished executions in memory after a restart: got %d, want fewer than %d", got, sealEvery)
	}
	// 300 executions sealed 16 at a time make 18 runs, merged 8 at a time: at most 7 per level.
	if got := s.svc.HistoryRuns(); got < 1 || got > 14 {
		t.Errorf("runs: got %d, want 1 to 14", got)
	}
	fx.check(t, s)
}

// TestSealInterruptedBeforeIndexCompaction: a crash between writing a run and compacting index.log
// leaves the run's entries in both; each execution is listed once after the restart.
func TestSealInterruptedBeforeIndexCompaction(t *testing.T) {
	fx := newSealedFixture(t, 20, 1000) // nothing sealed: all 40 in index.log
	index := filepath.Join(fx.dir, "history", "index.log")
	before, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	s := openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(8))
	// One more execution makes the tail seal.
	out, err := s.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &fx.machines[0], Name: aws.String("last"), Input: aws.String(`{"fail":false}`)})
	if err != nil {
		t.Fatal(err)
	}
	fx.status[*out.ExecutionArn] = types.ExecutionStatus(waitDone(t, s.svc, *out.ExecutionArn))
	fx.names[fx.machines[0]] = append(fx.names[fx.machines[0]], "last")
	waitInMemory(t, s.svc, 8)
	s.close(t)
	if err := os.WriteFile(index, before, 0o644); err != nil { // as if the compaction had not happened
		t.Fatal(err)
	}
	s = openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(8))
	defer s.close(t)
	if got := s.svc.HistoryInMemory(); got != 0 {
		t.Errorf("entries of index.log sealed already, taken into memory again: %d", got)
	}
	fx.check(t, s)
}

// TestKeyHashRebuilt: the key hash is derived from the runs; removed, or one of its slots damaged, every
// execution is still found by ARN, and the damage is logged at Error level.
func TestKeyHashRebuilt(t *testing.T) {
	fx := newSealedFixture(t, 40, 8)
	keys := filepath.Join(fx.dir, "history", "keys.hash")

	if err := os.Remove(keys); err != nil {
		t.Fatal(err)
	}
	s := openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(8))
	fx.check(t, s)
	s.close(t)

	// Damage every used slot's first byte: lookups find the damage, search the runs, and report it.
	f, err := os.OpenFile(keys, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	slot := make([]byte, 64)
	damaged := 0
	for off := int64(4096); off < st.Size(); off += 64 {
		if _, err := f.ReadAt(slot, off); err != nil {
			t.Fatal(err)
		}
		if slot[51] == 1 {
			slot[0] ^= 0xff
			if _, err := f.WriteAt(slot[:1], off); err != nil {
				t.Fatal(err)
			}
			damaged++
		}
	}
	f.Close()
	if damaged == 0 {
		t.Fatal("no used slot found: the test tests nothing")
	}
	var errors atomic.Int64
	logger := slog.New(errorCounter{slog.NewTextHandler(io.Discard, nil), &errors})
	s = openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(8), localsfn.WithLogger(logger))
	defer s.close(t)
	fx.check(t, s)
	if errors.Load() == 0 {
		t.Error("damaged key hash slots were read and nothing was logged at Error level")
	}
}

// TestCorruptByteInRun flips a byte in the middle of a run: opening reports it (Loss), the execution whose
// record it is drops out of listings, and every other one is still listed; all are still found by ARN.
func TestCorruptByteInRun(t *testing.T) {
	fx := newSealedFixture(t, 40, 8)
	runs, err := filepath.Glob(filepath.Join(fx.dir, "history", "*.run"))
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	flipByte(t, runs[0], 8+40) // inside the first record
	s := openServed(t, localsfn.WithDataDir(fx.dir), localsfn.WithSync(false), localsfn.WithSealEvery(8),
		localsfn.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer s.close(t)
	if l := s.svc.Loss(); l.Corrupt != 1 {
		t.Errorf("Loss: got %+v, want one corrupt record", l)
	}
	listed := 0
	for _, arn := range fx.machines {
		listed += len(listAll(t, s.c, sdk.ListExecutionsInput{StateMachineArn: &arn}))
	}
	if want := len(fx.status) - 1; listed != want {
		t.Errorf("listed after a corrupt byte in a run: got %d, want %d", listed, want)
	}
	for ex := range fx.status {
		if _, err := s.c.DescribeExecution(t.Context(), &sdk.DescribeExecutionInput{ExecutionArn: aws.String(ex)}); err != nil {
			t.Errorf("DescribeExecution %s: %v", ex, err)
		}
	}
}

// TestRetentionRemovesRuns: past the retention period the segments go, and so do the runs and the key
// hash's entries of their executions.
func TestRetentionRemovesRuns(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	clock := interp.NewVirtualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	opts := []localsfn.Option{localsfn.WithDataDir(dir), localsfn.WithClock(clock), localsfn.WithRetention(time.Hour), localsfn.WithSealEvery(2)}
	s1 := openServed(t, opts...)
	arn := create(t, s1.c, "old", passMachine, types.StateMachineTypeStandard)
	for i := range 7 {
		out, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%d", i)), Input: aws.String(`{"who":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s1.svc, *out.ExecutionArn)
	}
	waitInMemory(t, s1.svc, 2)
	s1.close(t)
	files := func(pattern string) []string {
		m, err := filepath.Glob(filepath.Join(dir, "history", pattern))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if len(files("*.run")) == 0 {
		t.Fatal("no run was written")
	}
	clock.Advance(2 * time.Hour)
	s2 := openServed(t, opts...)
	defer s2.close(t)
	var missing *types.ExecutionDoesNotExist
	for i := range 7 {
		ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:old:e%d", i)
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); !errors.As(err, &missing) {
			t.Errorf("%s past retention: got %v, want ExecutionDoesNotExist", ex, err)
		}
	}
	if got := listAll(t, s2.c, sdk.ListExecutionsInput{StateMachineArn: &arn}); len(got) != 0 {
		t.Errorf("listed past retention: %v", got)
	}
	if got := slices.Concat(files("*.run"), files("*.hist")); len(got) != 0 {
		t.Errorf("files past retention: %v", got)
	}
	// The names are free again.
	if _, err := s2.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("e1"), Input: aws.String(`{"who":"y"}`)}); err != nil {
		t.Errorf("start a name past retention: %v", err)
	}
}

// errorCounter counts the records logged at Error level.
type errorCounter struct {
	slog.Handler
	n *atomic.Int64
}

func (h errorCounter) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.n.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

// TestSealFailsThenSucceeds: while a run cannot be written (here a directory stands where its temporary
// file goes, as a full disk would refuse it) the finished executions stay in memory and index.log, all
// served, and the failure is logged; once it can, they are sealed.
func TestSealFailsThenSucceeds(t *testing.T) {
	dir := t.TempDir()
	block := filepath.Join(dir, "history", "00000001.run.tmp")
	if err := os.MkdirAll(filepath.Join(block, "x"), 0o755); err != nil { // not empty: opening cannot remove it
		t.Fatal(err)
	}
	var errs atomic.Int64
	logger := slog.New(errorCounter{slog.NewTextHandler(io.Discard, nil), &errs})
	s := openServed(t, localsfn.WithDataDir(dir), localsfn.WithSync(false), localsfn.WithSealEvery(8), localsfn.WithLogger(logger))
	defer s.close(t)
	arn := create(t, s.c, "m", passMachine, types.StateMachineTypeStandard)
	run := func(from, to int) {
		for i := from; i < to; i++ {
			out, err := s.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%03d", i)), Input: aws.String(`{"who":"x"}`)})
			if err != nil {
				t.Fatal(err)
			}
			waitDone(t, s.svc, *out.ExecutionArn)
		}
	}
	run(0, 30)
	if got := s.svc.HistoryInMemory(); got != 30 {
		t.Errorf("in memory while sealing fails: got %d, want 30", got)
	}
	if errs.Load() == 0 {
		t.Error("a failed seal was not logged at Error level")
	}
	if err := os.RemoveAll(block); err != nil {
		t.Fatal(err)
	}
	run(30, 40)
	waitInMemory(t, s.svc, 8)
	if got := listAll(t, s.c, sdk.ListExecutionsInput{StateMachineArn: &arn, MaxResults: 9}); len(got) != 40 {
		t.Errorf("listed: got %d, want 40", len(got))
	}
	for i := range 40 {
		ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:m:e%03d", i)
		if _, err := s.c.DescribeExecution(t.Context(), &sdk.DescribeExecutionInput{ExecutionArn: &ex}); err != nil {
			t.Errorf("%s: %v", ex, err)
		}
	}
}

// TestMergeInterruptedBeforeRemoval: a crash after a merged run is written and before the runs it replaces
// are removed leaves both; opening removes the replaced ones, and each execution is listed once.
func TestMergeInterruptedBeforeRemoval(t *testing.T) {
	dir := t.TempDir()
	opts := []localsfn.Option{localsfn.WithDataDir(dir), localsfn.WithSync(false), localsfn.WithSealEvery(2)}
	s := openServed(t, opts...)
	arn := create(t, s.c, "m", passMachine, types.StateMachineTypeStandard)
	runFiles := func() []string {
		m, err := filepath.Glob(filepath.Join(dir, "history", "*.run"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	saved := map[string][]byte{}
	n := 0
	for ; n < 100; n++ {
		out, err := s.c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%03d", n)), Input: aws.String(`{"who":"x"}`)})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, s.svc, *out.ExecutionArn)
		waitInMemory(t, s.svc, 2)
		files := runFiles()
		if len(saved) > 0 && len(files) < len(saved) {
			n++
			break // merged
		}
		if len(files) == 7 && len(saved) == 0 {
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				saved[f] = b
			}
		}
	}
	if len(saved) == 0 || len(runFiles()) >= len(saved) {
		t.Fatalf("no merge after %d executions (runs %d)", n, len(runFiles()))
	}
	runs := s.svc.HistoryRuns()
	s.close(t)
	for f, b := range saved { // as if the merge had not removed them
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s = openServed(t, opts...)
	defer s.close(t)
	if got := s.svc.HistoryRuns(); got != runs {
		t.Errorf("runs after a restart: got %d, want %d", got, runs)
	}
	for f := range saved {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("replaced run %s: got %v, want removed", f, err)
		}
	}
	got := listAll(t, s.c, sdk.ListExecutionsInput{StateMachineArn: &arn, MaxResults: 6})
	sort.Strings(got)
	var want []string
	for i := range n {
		want = append(want, fmt.Sprintf("e%03d", i))
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("listed (-got +want):\n%s", diff)
	}
}
