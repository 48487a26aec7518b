package sfn_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

const role = "arn:aws:iam::000000000000:role/sfn"

// tokenTasks is a task invoker for ".waitForTaskToken" resources that hands the tokens to the test.
type tokenTasks struct {
	mu     sync.Mutex
	tokens chan string
}

func newTokenTasks() *tokenTasks { return &tokenTasks{tokens: make(chan string, 16)} }

func (t *tokenTasks) InvokeTask(ctx context.Context, req interp.TaskRequest) (any, error) {
	if req.TaskToken != "" {
		t.tokens <- req.TaskToken
		return nil, nil
	}
	return req.Input, nil
}

func (t *tokenTasks) next(tb testing.TB) string {
	tb.Helper()
	select {
	case tok := <-t.tokens:
		return tok
	case <-time.After(10 * time.Second):
		tb.Fatal("no task token was handed out")
		return ""
	}
}

func start(tb testing.TB, opts ...localsfn.Option) (*localsfn.Service, *sdk.Client) {
	tb.Helper()
	svc, err := localsfn.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(svc)
	tb.Cleanup(func() {
		hs.Close()
		svc.Close()
	})
	return svc, client(hs.URL)
}

func client(url string) *sdk.Client {
	return sdk.New(sdk.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		APIOptions:   []func(*middleware.Stack) error{localsfn.DisableHostPrefix},
	})
}

const passMachine = `{"StartAt":"A","States":{
 "A":{"Type":"Pass","Parameters":{"greeting.$":"States.Format('hello {}', $.who)"},"ResultPath":"$.out","Next":"B"},
 "B":{"Type":"Pass","OutputPath":"$.out","End":true}}}`

const tokenMachine = `{"StartAt":"Before","States":{
 "Before":{"Type":"Pass","Result":1,"ResultPath":"$.before","Next":"Wait for it"},
 "Wait for it":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
   "Parameters":{"token.$":"$$.Task.Token"},"ResultPath":"$.callback","Next":"After"},
 "After":{"Type":"Pass","End":true}}}`

func create(tb testing.TB, c *sdk.Client, name, def string, typ types.StateMachineType) string {
	tb.Helper()
	out, err := c.CreateStateMachine(context.Background(), &sdk.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(role), Type: typ,
	})
	if err != nil {
		tb.Fatalf("CreateStateMachine: %v", err)
	}
	return *out.StateMachineArn
}

func waitDone(tb testing.TB, svc *localsfn.Service, arn string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	status, err := svc.Wait(ctx, arn)
	if err != nil {
		tb.Fatalf("wait for %s: %v", arn, err)
	}
	return status
}

func TestExecutionLifecycle(t *testing.T) {
	svc, c := start(t)
	ctx := context.Background()
	arn := create(t, c, "greeter", passMachine, types.StateMachineTypeStandard)
	if want := "arn:aws:states:us-east-1:000000000000:stateMachine:greeter"; arn != want {
		t.Errorf("machine ARN: got %q, want %q", arn, want)
	}
	// Creating the identical machine again is idempotent.
	if again := create(t, c, "greeter", passMachine, types.StateMachineTypeStandard); again != arn {
		t.Errorf("second create: got %q, want %q", again, arn)
	}

	run, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("first"), Input: aws.String(`{"who":"world"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, svc, *run.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("status: got %s, want SUCCEEDED", got)
	}
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(d.Output), `{"greeting":"hello world"}`; got != want {
		t.Errorf("output: got %s, want %s", got, want)
	}
	if d.Status != types.ExecutionStatusSucceeded || d.StopDate == nil || aws.ToString(d.Name) != "first" {
		t.Errorf("describe: got status %s stop %v name %q", d.Status, d.StopDate, aws.ToString(d.Name))
	}

	// History: ids chain, paging and reverse order.
	var types1 []string
	var token *string
	for {
		h, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: run.ExecutionArn, MaxResults: 2, NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range h.Events {
			types1 = append(types1, string(ev.Type))
		}
		if token = h.NextToken; token == nil {
			break
		}
	}
	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
	if diff := cmp.Diff(types1, want); diff != "" {
		t.Errorf("history types (-got +want):\n%s", diff)
	}
	rev, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: run.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(rev.Events) != 1 || rev.Events[0].Type != types.HistoryEventTypeExecutionSucceeded || rev.Events[0].Id != 6 {
		t.Errorf("reverse history first event: got %+v", rev.Events)
	}

	list, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: &arn, StatusFilter: types.ExecutionStatusSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Executions) != 1 || *list.Executions[0].ExecutionArn != *run.ExecutionArn {
		t.Errorf("ListExecutions: got %+v", list.Executions)
	}
	// A closed execution's name cannot be reused, whatever the input.
	_, err = c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("first"), Input: aws.String(`{"who":"world"}`)})
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("restart closed name: got %v, want ExecutionAlreadyExists", err)
	}
	forExec, err := c.DescribeStateMachineForExecution(ctx, &sdk.DescribeStateMachineForExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(forExec.Definition) != passMachine {
		t.Errorf("DescribeStateMachineForExecution definition differs")
	}
}

func TestStartIsIdempotentWhileRunning(t *testing.T) {
	tasks := newTokenTasks()
	_, c := start(t, localsfn.WithTaskInvoker(tasks))
	ctx := context.Background()
	arn := create(t, c, "callback", tokenMachine, types.StateMachineTypeStandard)
	in := &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("once"), Input: aws.String(`{"a": 1}`)}
	first, err := c.StartExecution(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	tok := tasks.next(t)
	// Same name and the same input (spelled differently) while open: the same execution.
	in.Input = aws.String(`{ "a" : 1 }`)
	second, err := c.StartExecution(ctx, in)
	if err != nil {
		t.Fatalf("idempotent start: %v", err)
	}
	if *second.ExecutionArn != *first.ExecutionArn || !second.StartDate.Equal(*first.StartDate) {
		t.Errorf("idempotent start: got %s %v, want %s %v", *second.ExecutionArn, second.StartDate, *first.ExecutionArn, first.StartDate)
	}
	in.Input = aws.String(`{"a": 2}`)
	_, err = c.StartExecution(ctx, in)
	var exists *types.ExecutionAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("different input: got %v, want ExecutionAlreadyExists", err)
	}
	if _, err := c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`{"ok":true}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: aws.String("not-a-token"), Output: aws.String(`{}`)})
	var invalid *types.InvalidToken
	if !errors.As(err, &invalid) {
		t.Errorf("unknown token: got %v, want InvalidToken", err)
	}
}

func TestStopExecution(t *testing.T) {
	tasks := newTokenTasks()
	svc, c := start(t, localsfn.WithTaskInvoker(tasks))
	ctx := context.Background()
	arn := create(t, c, "stoppable", tokenMachine, types.StateMachineTypeStandard)
	run, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	tasks.next(t)
	if _, err := c.StopExecution(ctx, &sdk.StopExecutionInput{ExecutionArn: run.ExecutionArn, Error: aws.String("Manual"), Cause: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, svc, *run.ExecutionArn); got != "ABORTED" {
		t.Fatalf("status: got %s, want ABORTED", got)
	}
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.Error) != "Manual" || aws.ToString(d.Cause) != "test" {
		t.Errorf("stopped execution: got error %q cause %q", aws.ToString(d.Error), aws.ToString(d.Cause))
	}
}

// Once StopExecution has answered, the execution is ABORTED to DescribeExecution at once: the answer
// waits for the abort to be recorded, not only for the engine to stop.
func TestStopExecutionThenDescribe(t *testing.T) {
	tasks := newTokenTasks()
	_, c := start(t, localsfn.WithTaskInvoker(tasks))
	ctx := t.Context()
	arn := create(t, c, "stoppable", tokenMachine, types.StateMachineTypeStandard)
	for i := range 30 {
		run, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn})
		if err != nil {
			t.Fatal(err)
		}
		tasks.next(t)
		if _, err := c.StopExecution(ctx, &sdk.StopExecutionInput{ExecutionArn: run.ExecutionArn}); err != nil {
			t.Fatal(err)
		}
		d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: run.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != types.ExecutionStatusAborted || d.StopDate == nil {
			t.Fatalf("execution %d right after StopExecution: status %s, stopDate %v, want ABORTED with a stop date", i, d.Status, d.StopDate)
		}
	}
}

func TestStartSyncExecution(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	express := create(t, c, "quick", passMachine, types.StateMachineTypeExpress)
	out, err := c.StartSyncExecution(ctx, &sdk.StartSyncExecutionInput{StateMachineArn: &express, Input: aws.String(`{"who":"sync"}`)})
	if err != nil {
		t.Fatalf("StartSyncExecution: %v", err)
	}
	if out.Status != types.SyncExecutionStatusSucceeded || aws.ToString(out.Output) != `{"greeting":"hello sync"}` {
		t.Errorf("sync result: got %s %s", out.Status, aws.ToString(out.Output))
	}
	if !strings.Contains(aws.ToString(out.ExecutionArn), ":express:quick:") {
		t.Errorf("express ARN: got %s", aws.ToString(out.ExecutionArn))
	}
	standard := create(t, c, "slow", passMachine, types.StateMachineTypeStandard)
	_, err = c.StartSyncExecution(ctx, &sdk.StartSyncExecutionInput{StateMachineArn: &standard})
	var notSupported *types.StateMachineTypeNotSupported
	if !errors.As(err, &notSupported) {
		t.Errorf("sync on STANDARD: got %v, want StateMachineTypeNotSupported", err)
	}
}

// TestErrors checks AWS's error codes for bad requests, through the SDK.
func TestErrors(t *testing.T) {
	_, c := start(t)
	ctx := context.Background()
	arn := create(t, c, "m", passMachine, types.StateMachineTypeStandard)
	missing := "arn:aws:states:us-east-1:000000000000:stateMachine:nope"
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"invalid definition", func() error {
			_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("bad"), Definition: aws.String(`{"StartAt":"X","States":{}}`), RoleArn: aws.String(role)})
			return err
		}, "InvalidDefinition"},
		{"invalid name", func() error {
			_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("a b"), Definition: aws.String(passMachine), RoleArn: aws.String(role)})
			return err
		}, "InvalidName"},
		{"name taken by another definition", func() error {
			_, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("m"), Definition: aws.String(tokenMachine), RoleArn: aws.String(role)})
			return err
		}, "StateMachineAlreadyExists"},
		{"machine does not exist", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &missing})
			return err
		}, "StateMachineDoesNotExist"},
		{"malformed ARN", func() error {
			_, err := c.DescribeStateMachine(ctx, &sdk.DescribeStateMachineInput{StateMachineArn: aws.String("arn:nope")})
			return err
		}, "InvalidArn"},
		{"execution does not exist", func() error {
			_, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:m:none")})
			return err
		}, "ExecutionDoesNotExist"},
		{"input is not JSON", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`{"a":`)})
			return err
		}, "InvalidExecutionInput"},
		{"input too large", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Input: aws.String(`"` + strings.Repeat("x", 262144) + `"`)})
			return err
		}, "ValidationException"},
		{"bad execution name", func() error {
			_, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("no/slash")})
			return err
		}, "InvalidName"},
		{"maxResults out of range", func() error {
			_, err := c.ListStateMachines(ctx, &sdk.ListStateMachinesInput{MaxResults: 1001})
			return err
		}, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %v, want API error %s", err, tt.code)
			}
			if got := apiErr.ErrorCode(); got != tt.code {
				t.Errorf("code: got %s, want %s (%s)", got, tt.code, apiErr.ErrorMessage())
			}
		})
	}
}

// TestWireErrors sends what no SDK would: the service answers with AWS's error shapes, never a crash.
func TestWireErrors(t *testing.T) {
	svc, err := localsfn.New()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	hs := httptest.NewServer(svc)
	defer hs.Close()
	tests := []struct {
		name, target, body string
		status             int
		code               string
	}{
		{"unknown operation", "AWSStepFunctions.LaunchRocket", `{}`, 400, "UnknownOperationException"},
		{"no target", "", `{}`, 400, "UnknownOperationException"},
		{"malformed JSON", "AWSStepFunctions.ListStateMachines", `{"maxResults":`, 400, "SerializationException"},
		{"wrong type", "AWSStepFunctions.ListStateMachines", `{"maxResults":"ten"}`, 400, "SerializationException"},
		{"oversized", "AWSStepFunctions.StartExecution", `{"input":"` + strings.Repeat("x", 3<<20) + `"}`, 400, "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", hs.URL, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.0")
			if tt.target != "" {
				req.Header.Set("X-Amz-Target", tt.target)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status || resp.Header.Get("X-Amzn-ErrorType") != tt.code {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), tt.status, tt.code)
			}
		})
	}
}

// TestRestartResumes stops the service while an execution waits on a callback and opens a new one on the
// same data directory: the execution resumes from its last snapshot and finishes, with one coherent history.
func TestRestartResumes(t *testing.T) {
	dir := t.TempDir()
	tasks := newTokenTasks()
	svc1, err := localsfn.New(localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(tasks))
	if err != nil {
		t.Fatal(err)
	}
	hs1 := httptest.NewServer(svc1)
	c1 := client(hs1.URL)
	ctx := context.Background()
	arn := create(t, c1, "durable", tokenMachine, types.StateMachineTypeStandard)
	done, err := c1.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("done"), Input: aws.String(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	tok := tasks.next(t)
	if _, err := c1.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`1`)}); err != nil {
		t.Fatal(err)
	}
	waitDone(t, svc1, *done.ExecutionArn)
	pending, err := c1.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn, Name: aws.String("pending"), Input: aws.String(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	tasks.next(t) // the first token dies with the process
	hs1.Close()
	if err := svc1.Close(); err != nil {
		t.Fatal(err)
	}

	svc2, c2 := start(t, localsfn.WithDataDir(dir), localsfn.WithTaskInvoker(tasks))
	tok = tasks.next(t) // the callback task runs again after the restart
	if _, err := c2.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`{"late":true}`)}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, svc2, *pending.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("resumed execution: got %s, want SUCCEEDED", got)
	}
	d, err := c2.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: pending.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(d.Output), `{"before":1,"callback":{"late":true},"n":7}`; got != want {
		t.Errorf("output: got %s, want %s", got, want)
	}
	h, err := c2.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: pending.ExecutionArn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range h.Events {
		if ev.Id != int64(i+1) {
			t.Fatalf("event %d has id %d: history ids must run 1..n without gaps or repeats", i, ev.Id)
		}
	}
	if n := len(h.Events); n == 0 || h.Events[n-1].Type != types.HistoryEventTypeExecutionSucceeded {
		t.Errorf("last event: got %v", h.Events)
	}
	// The execution that had ended before the restart is still there, unchanged.
	d, err = c2.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: done.ExecutionArn})
	if err != nil || d.Status != types.ExecutionStatusSucceeded {
		t.Errorf("ended execution after restart: %v %v", d, err)
	}
}

// TestOutputAsHistoryShowsIt: DescribeExecution answers an execution's output as its ExecutionSucceeded
// event holds it, the way Step Functions shows payloads ("<", ">" and "&" as they are, numbers as they
// were written), whether it ran within StartExecution (Pass states only) or after (a Wait).
func TestOutputAsHistoryShowsIt(t *testing.T) {
	_, c := start(t, localsfn.WithDataDir(t.TempDir()))
	ctx := t.Context()
	const result = `"Result":{"html":"<a href='x'>&amp;</a>","n":1.50,"big":1e400}`
	for _, tt := range []struct{ name, def string }{
		{"within start", `{"StartAt":"P","States":{"P":{"Type":"Pass",` + result + `,"End":true}}}`},
		{"after start", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":0,"Next":"P"},"P":{"Type":"Pass",` + result + `,"End":true}}}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			arn := create(t, c, strings.ReplaceAll(tt.name, " ", "-"), tt.def, types.StateMachineTypeStandard)
			out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &arn})
			if err != nil {
				t.Fatal(err)
			}
			var d *sdk.DescribeExecutionOutput
			for range 500 {
				if d, err = c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
					t.Fatal(err)
				}
				if d.Status != types.ExecutionStatusRunning {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			h, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, ReverseOrder: true, MaxResults: 1})
			if err != nil {
				t.Fatal(err)
			}
			ev := h.Events[0].ExecutionSucceededEventDetails
			if ev == nil {
				t.Fatalf("last event %s, want ExecutionSucceeded", h.Events[0].Type)
			}
			want := `{"big":1e400,"html":"<a href='x'>&amp;</a>","n":1.50}`
			if got := aws.ToString(d.Output); got != want || aws.ToString(ev.Output) != want {
				t.Errorf("output: DescribeExecution %s, ExecutionSucceeded %s, want both %s", got, aws.ToString(ev.Output), want)
			}
		})
	}
}
