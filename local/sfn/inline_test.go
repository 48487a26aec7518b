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

// TestInlineHistoriesStayTheirOwn: executions that run within StartExecution, one after another and side
// by side on one machine, each keep their own history: the engine lends their events' payload texts from
// a buffer it reuses for the next execution, and each history must have been encoded before that.
func TestInlineHistoriesStayTheirOwn(t *testing.T) {
	s := openServed(t, localsfn.WithDataDir(t.TempDir()))
	defer s.close(t)
	const chain = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Parameters":{"who.$":"$.who","name.$":"$$.Execution.Name","step":1},"ResultPath":"$.a","Next":"B"},
 "B":{"Type":"Pass","Parameters":{"who.$":"$.a.who","step":2},"ResultPath":"$.b","Next":"C"},
 "C":{"Type":"Pass","OutputPath":"$.b","End":true}}}`
	ctx := t.Context()
	arn := create(t, s.c, "chain", chain, types.StateMachineTypeStandard)
	const n = 24
	errs := make(chan error, n)
	for w := range 4 {
		go func() {
			for i := w; i < n; i += 4 {
				_, err := s.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String(fmt.Sprintf("e%d", i)),
					Input: aws.String(fmt.Sprintf(`{"who":"w%d"}`, i))})
				errs <- err
			}
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		ex := fmt.Sprintf("arn:aws:states:us-east-1:000000000000:execution:chain:e%d", i)
		d, err := s.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: &ex})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(d.Output), fmt.Sprintf(`{"step":2,"who":"w%d"}`, i); got != want {
			t.Errorf("e%d output: got %s, want %s", i, got, want)
		}
		h, err := s.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: &ex})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ev := range h.Events {
			switch {
			case ev.StateEnteredEventDetails != nil:
				got = append(got, string(ev.Type)+" "+aws.ToString(ev.StateEnteredEventDetails.Input))
			case ev.StateExitedEventDetails != nil:
				got = append(got, string(ev.Type)+" "+aws.ToString(ev.StateExitedEventDetails.Output))
			default:
				got = append(got, string(ev.Type))
			}
		}
		in := fmt.Sprintf(`{"who":"w%d"}`, i)
		a := fmt.Sprintf(`{"a":{"name":"e%d","step":1,"who":"w%d"},"who":"w%d"}`, i, i, i)
		b := fmt.Sprintf(`{"a":{"name":"e%d","step":1,"who":"w%d"},"b":{"step":2,"who":"w%d"},"who":"w%d"}`, i, i, i, i)
		want := []string{"ExecutionStarted", "PassStateEntered " + in, "PassStateExited " + a, "PassStateEntered " + a,
			"PassStateExited " + b, "PassStateEntered " + b, "PassStateExited " + fmt.Sprintf(`{"step":2,"who":"w%d"}`, i), "ExecutionSucceeded"}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("e%d history (-got +want):\n%s", i, diff)
		}
	}
}

// TestInlineRedriveKeepsItsInput: an execution run within StartExecution that failed is redriven from its
// failed state with the input that state had, after other executions of the machine ran in between (the
// engine reuses the texts it lent the first execution's history for theirs).
func TestInlineRedriveKeepsItsInput(t *testing.T) {
	s := openServed(t, localsfn.WithDataDir(t.TempDir()))
	defer s.close(t)
	const def = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Parameters":{"who.$":"$.who","name.$":"$$.Execution.Name"},"Next":"C"},
 "C":{"Type":"Choice","Choices":[{"Variable":"$.who","StringEquals":"bad","Next":"F"}],"Default":"S"},
 "F":{"Type":"Fail","Error":"Bad","Cause":"bad who"},
 "S":{"Type":"Succeed"}}}`
	ctx := t.Context()
	machine := create(t, s.c, "redrivable", def, types.StateMachineTypeStandard)
	start := func(name, who string) *string {
		out, err := s.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Name: aws.String(name), Input: aws.String(`{"who":"` + who + `"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return out.ExecutionArn
	}
	failed := start("first", "bad")
	for i := range 5 {
		start(fmt.Sprintf("other-%d", i), fmt.Sprintf("good-%d", i))
	}
	if _, err := s.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: failed}); err != nil {
		t.Fatal(err)
	}
	h, err := s.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: failed})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range h.Events {
		if d := ev.StateEnteredEventDetails; d != nil {
			got = append(got, aws.ToString(d.Name)+" "+aws.ToString(d.Input))
		}
	}
	const in = `{"name":"first","who":"bad"}`
	want := []string{`A {"who":"bad"}`, "C " + in, "F " + in, "F " + in} // the last after the redrive
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("states entered (-got +want):\n%s", diff)
	}
}
