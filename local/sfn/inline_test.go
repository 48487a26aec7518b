package sfn_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/internal/durablelog"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestPureExecutionEndsWithinStart: an execution of a machine of Pass states has ended when
// StartExecution answers, so the first DescribeExecution finds it SUCCEEDED; its history starts at the
// start date StartExecution answered and ends at its stop date; it is durable when acknowledged (it is there after a restart), and
// one whose end could not be saved is refused and leaves nothing behind.
func TestPureExecutionEndsWithinStart(t *testing.T) {
	dir := t.TempDir()
	var fail atomic.Bool
	wrap := localsfn.WithWrapFile(func(f durablelog.File) durablelog.File { return failingFile{f, &fail} })
	s1 := openServed(t, localsfn.WithDataDir(dir), wrap)
	c := noRetry(s1.hs.URL)
	ctx := t.Context()
	arn := create(t, c, "greeter", passMachine, types.StateMachineTypeStandard)

	type started struct {
		name  string
		start int64 // Unix milliseconds StartExecution answered
	}
	var acked []started
	var refused []string
	for i := range 9 {
		fail.Store(i%3 == 2)
		name := fmt.Sprintf("run-%d", i)
		out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(name), Input: aws.String(fmt.Sprintf(`{"who":"w%d"}`, i))})
		if fail.Load() {
			checkNotSaved(t, err)
			refused = append(refused, name)
			continue
		}
		if err != nil {
			t.Fatalf("StartExecution %s: %v", name, err)
		}
		d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprintf("%s %s", d.Status, aws.ToString(d.Output)), fmt.Sprintf(`SUCCEEDED {"greeting":"hello w%d"}`, i); got != want {
			t.Errorf("first DescribeExecution of %s: got %s, want %s", name, got, want)
		}
		acked = append(acked, started{name, out.StartDate.UnixMilli()})
	}
	fail.Store(false)
	s1.close(t)

	s2 := openServed(t, localsfn.WithDataDir(dir))
	defer s2.close(t)
	for _, a := range acked {
		ex := "arn:aws:states:us-east-1:000000000000:execution:greeter:" + a.name
		d, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex})
		if err != nil {
			t.Errorf("acknowledged execution %s after restart: %v", a.name, err)
			continue
		}
		if d.Status != types.ExecutionStatusSucceeded || d.StartDate.UnixMilli() != a.start || d.StopDate.Before(*d.StartDate) {
			t.Errorf("%s after restart: status %s start %v stop %v, want SUCCEEDED started at %d", a.name, d.Status, d.StartDate, d.StopDate, a.start)
		}
		h, err := s2.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: &ex})
		if err != nil {
			t.Fatal(err)
		}
		var kinds []types.HistoryEventType
		for _, ev := range h.Events {
			kinds = append(kinds, ev.Type)
		}
		want := []types.HistoryEventType{"ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
		if diff := cmp.Diff(kinds, want); diff != "" {
			t.Errorf("%s history (-got +want):\n%s", a.name, diff)
		}
		// The service and the engine each read the clock for the start: a millisecond may tick between.
		for _, ev := range h.Events {
			if ms := ev.Timestamp.UnixMilli(); ms < a.start || ms > d.StopDate.UnixMilli() {
				t.Errorf("%s: event %d at %v, want between the start %d and the stop %v", a.name, ev.Id, ev.Timestamp, a.start, d.StopDate)
			}
		}
	}
	for _, name := range refused {
		ex := "arn:aws:states:us-east-1:000000000000:execution:greeter:" + name
		var missing *types.ExecutionDoesNotExist
		if _, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex}); !errors.As(err, &missing) {
			t.Errorf("refused execution %s after restart: got %v, want ExecutionDoesNotExist", name, err)
		}
	}
}
