package sfn_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestMapRunBadInput checks the Map Run operations' answers to bad input, each with the error code the
// API reference lists for it:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html,
// API_ListMapRuns.html, API_UpdateMapRun.html and API_ListExecutions.html.
func TestMapRunBadInput(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	const (
		unknownRun = "arn:aws:states:us-east-1:000000000000:mapRun:sm/Map:0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a"
		badRun     = "arn:aws:states:us-east-1:000000000000:execution:sm:x"
		unknownEx  = "arn:aws:states:us-east-1:000000000000:execution:sm:x"
		machine    = "arn:aws:states:us-east-1:000000000000:stateMachine:sm"
	)
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"describe: no arn", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String("")})
			return err
		}, "ValidationException"},
		{"describe: not a map run arn", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(badRun)})
			return err
		}, "InvalidArn"},
		{"describe: unknown", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(unknownRun)})
			return err
		}, "ResourceNotFound"},
		{"list: not an execution arn", func() error {
			_, err := c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(machine)})
			return err
		}, "InvalidArn"},
		{"list: unknown execution", func() error {
			_, err := c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(unknownEx)})
			return err
		}, "ExecutionDoesNotExist"},
		{"update: not a map run arn", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(badRun), MaxConcurrency: aws.Int32(1)})
			return err
		}, "InvalidArn"},
		{"update: unknown", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), MaxConcurrency: aws.Int32(1)})
			return err
		}, "ResourceNotFound"},
		{"update: negative concurrency", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), MaxConcurrency: aws.Int32(-1)})
			return err
		}, "ValidationException"},
		{"update: percentage over 100", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), ToleratedFailurePercentage: aws.Float32(100.5)})
			return err
		}, "ValidationException"},
		{"update: negative count", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), ToleratedFailureCount: aws.Int64(-1)})
			return err
		}, "ValidationException"},
		{"list executions: map run and state machine", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(unknownRun), StateMachineArn: aws.String(machine)})
			return err
		}, "ValidationException"},
		{"list executions: bad map run arn", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(badRun)})
			return err
		}, "InvalidArn"},
		{"list executions: unknown map run", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(unknownRun)})
			return err
		}, "ResourceNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiCode(tt.call()); got != tt.code {
				t.Errorf("error code = %q, want %q", got, tt.code)
			}
		})
	}
}

// TestMapRunSurvivesRestart runs a Distributed Map with one failing item tolerated, restarts the
// service on its data directory, and finds the Map Run, its children and a child's history as before.
func TestMapRunSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s1 := openServed(t, localsfn.WithDataDir(dir))
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","ToleratedFailureCount":1,
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Check",
	    "States":{"Check":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericEquals":3,"Next":"Bad"}],"Default":"Good"},
	      "Bad":{"Type":"Fail","Error":"Three","Cause":"no threes"},"Good":{"Type":"Pass","End":true}}},"End":true}}}`
	machine := create(t, s1.c, "restart-map", def, types.StateMachineTypeStandard)
	started, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine,
		Input: aws.String(`{"items":[{"n":1},{"n":2},{"n":3},{"n":4}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s1.svc, *started.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("execution %s, want SUCCEEDED", got)
	}
	runs, err := s1.c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: started.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns = %+v, %v", runs, err)
	}
	runArn := runs.MapRuns[0].MapRunArn
	before, err := s1.c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: runArn})
	if err != nil {
		t.Fatal(err)
	}
	s1.close(t)
	// A result file left half-written by a stop is removed at the next start.
	stale := filepath.Join(dir, "results-tmp", "resultwriter-1")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("[{"), 0o644); err != nil {
		t.Fatal(err)
	}

	s2 := openServed(t, localsfn.WithDataDir(dir))
	defer s2.close(t)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale result file after a restart: %v", err)
	}
	after, err := s2.c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: runArn})
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != types.MapRunStatusSucceeded || after.ItemCounts.Succeeded != 3 || after.ItemCounts.Failed != 1 ||
		after.ToleratedFailureCount != 1 || !aws.ToTime(after.StartDate).Equal(aws.ToTime(before.StartDate)) {
		t.Errorf("after a restart: status %s items %+v toleratedFailureCount %d start %v (was %v)",
			after.Status, after.ItemCounts, after.ToleratedFailureCount, after.StartDate, before.StartDate)
	}
	failed, err := s2.c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: runArn, StatusFilter: types.ExecutionStatusFailed})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s2.c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: runArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.Executions) != 1 || len(all.Executions) != 4 {
		t.Fatalf("children after a restart: %d failed, %d in all; want 1 and 4", len(failed.Executions), len(all.Executions))
	}
	child, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: failed.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(child.MapRunArn) != aws.ToString(runArn) || aws.ToString(child.Error) != "Three" || aws.ToString(child.Input) != `{"n":3}` ||
		child.RedriveStatus != types.ExecutionRedriveStatusRedrivableByMapRun {
		t.Errorf("failed child after a restart: mapRunArn %s error %s input %s redriveStatus %s",
			aws.ToString(child.MapRunArn), aws.ToString(child.Error), aws.ToString(child.Input), child.RedriveStatus)
	}
	h, err := s2.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: failed.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.Events); n == 0 || h.Events[n-1].Type != types.HistoryEventTypeExecutionFailed {
		t.Errorf("failed child's history after a restart: %d events", n)
	}
}

// TestMapRunRedrive fails a Distributed Map on one child (a fault injected once), redrives the parent,
// and finds the same Map Run succeeded with its redrive count and date, the failed child run again.
func TestMapRunRedrive(t *testing.T) {
	ctx := t.Context()
	fn := newFaults("b")
	s := openServed(t, localsfn.WithDataDir(t.TempDir()), localsfn.WithLambdaInvoker(fn))
	defer s.close(t)
	def := `{"StartAt":"Each","States":{"Each":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":1,
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"Work",
	    "States":{"Work":{"Type":"Task","Resource":"` + fnArn + `","Parameters":{"n.$":"$"},"End":true}}},"End":true}}}`
	machine := create(t, s.c, "redrive-map", def, types.StateMachineTypeStandard)
	started, err := s.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"items":["a","b","c"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s.svc, *started.ExecutionArn); got != "FAILED" {
		t.Fatalf("first run %s, want FAILED", got)
	}
	runs, err := s.c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: started.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 {
		t.Fatalf("ListMapRuns = %+v, %v", runs, err)
	}
	runArn := runs.MapRuns[0].MapRunArn
	failed, err := s.c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: runArn})
	if err != nil {
		t.Fatal(err)
	}
	if failed.Status != types.MapRunStatusFailed || failed.RedriveCount == nil || *failed.RedriveCount != 0 || failed.RedriveDate != nil {
		t.Errorf("failed run: status %s redriveCount %v redriveDate %v", failed.Status, failed.RedriveCount, failed.RedriveDate)
	}
	if _, err := s.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: started.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s.svc, *started.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("redriven run %s, want SUCCEEDED", got)
	}
	runs, err = s.c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: started.ExecutionArn})
	if err != nil || len(runs.MapRuns) != 1 || aws.ToString(runs.MapRuns[0].MapRunArn) != aws.ToString(runArn) {
		t.Fatalf("ListMapRuns after the redrive = %+v, %v; want the same run", runs, err)
	}
	d, err := s.c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: runArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.MapRunStatusSucceeded || aws.ToInt32(d.RedriveCount) != 1 || d.RedriveDate == nil || d.ItemCounts.Succeeded != 3 {
		t.Errorf("redriven run: status %s redriveCount %d redriveDate %v items %+v", d.Status, aws.ToInt32(d.RedriveCount), d.RedriveDate, d.ItemCounts)
	}
	if got := fn.counts(); got["a"] != 1 || got["b"] != 2 || got["c"] > 1 {
		t.Errorf("calls per item %v: a succeeded and must not run again, b ran twice", got)
	}
}
