package sfn_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// faults is a Lambda invoker that counts its calls by the payload's "n" and fails the first call of the
// names in failOnce, as an injected fault.
type faults struct {
	mu       sync.Mutex
	calls    map[string]int
	failOnce map[string]bool
}

func newFaults(names ...string) *faults {
	f := &faults{calls: map[string]int{}, failOnce: map[string]bool{}}
	for _, n := range names {
		f.failOnce[n] = true
	}
	return f
}

func (f *faults) InvokeLambda(ctx context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
	var p struct {
		N string `json:"n"`
	}
	if err := json.Unmarshal(req.Payload, &p); err != nil {
		return interp.LambdaResponse{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[p.N]++
	if f.failOnce[p.N] && f.calls[p.N] == 1 {
		return interp.LambdaResponse{FunctionError: "Unhandled",
			Payload: []byte(`{"errorType":"InjectedFault","errorMessage":"` + p.N + ` failed"}`)}, nil
	}
	return interp.LambdaResponse{Payload: []byte(`"` + p.N + ` ok"`)}, nil
}

func (f *faults) counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.calls {
		out[k] = v
	}
	return out
}

const fnArn = "arn:aws:lambda:us-east-1:000000000000:function:work"

// pipelineMachine is shaped like the pipeline: validate, then two branches in parallel (the second one
// later: its wait lets the first finish), then a Map storing each part one at a time, then a summary.
const pipelineMachine = `{"StartAt":"Validate","States":{
 "Validate":{"Type":"Task","Resource":"` + fnArn + `","Parameters":{"n":"validate"},"ResultPath":"$.validate","Next":"Process"},
 "Process":{"Type":"Parallel","ResultPath":"$.process","Next":"Store","Branches":[
   {"StartAt":"Transform","States":{"Transform":{"Type":"Task","Resource":"` + fnArn + `","Parameters":{"n":"transform"},"End":true}}},
   {"StartAt":"Settle","States":{"Settle":{"Type":"Wait","Seconds":1,"Next":"Index"},
     "Index":{"Type":"Task","Resource":"` + fnArn + `","Parameters":{"n":"index"},"End":true}}}]},
 "Store":{"Type":"Map","ItemsPath":"$.parts","ResultPath":"$.stored","MaxConcurrency":1,"Next":"Done",
   "ItemProcessor":{"StartAt":"Put","States":{"Put":{"Type":"Task","Resource":"` + fnArn + `","Parameters":{"n.$":"$"},"End":true}}}},
 "Done":{"Type":"Pass","Parameters":{"validate.$":"$.validate","process.$":"$.process","stored.$":"$.stored",
   "redrives.$":"$$.Execution.RedriveCount"},"End":true}}}`

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// A pipeline execution fails by an injected fault, then again after a redrive, each time in a different
// part; every redrive reruns only what failed (counted per task), the service restarting in between.
// DescribeExecution and ListExecutions report the redrives, the history goes on with ExecutionRedriven,
// and a client token makes the call idempotent.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
// https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
func TestRedriveExecution(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	clock := interp.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	fn := newFaults("index", "part-2")
	opts := []localsfn.Option{localsfn.WithDataDir(dir), localsfn.WithClock(clock), localsfn.WithLambdaInvoker(fn)}
	s1 := openServed(t, opts...)
	machine := create(t, s1.c, "pipeline", pipelineMachine, types.StateMachineTypeStandard)
	started, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Name: aws.String("obj-1"),
		Input: aws.String(`{"parts":["part-1","part-2","part-3"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := started.ExecutionArn
	if got := waitDone(t, s1.svc, *arn); got != "FAILED" {
		t.Fatalf("first attempt: got %s, want FAILED", got)
	}
	d, err := s1.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusRedrivable || aws.ToInt32(d.RedriveCount) != 0 || d.RedriveDate != nil {
		t.Errorf("failed execution: redriveStatus %s count %d date %v, want REDRIVABLE 0 none", d.RedriveStatus, aws.ToInt32(d.RedriveCount), d.RedriveDate)
	}

	// Redrive 1, then restart before looking: Process reruns only Index, Store fails on part-2.
	clock.Advance(time.Hour)
	r1, err := s1.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: arn, ClientToken: aws.String("token-1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s1.svc, *arn); got != "FAILED" {
		t.Fatalf("after redrive 1: got %s, want FAILED (part-2)", got)
	}
	s1.close(t)
	s2 := openServed(t, opts...)
	defer s2.close(t)
	// The same client token within 15 minutes: the same answer, no new redrive.
	again, err := s2.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: arn, ClientToken: aws.String("token-1")})
	if err != nil {
		t.Fatalf("redrive with a used client token: %v", err)
	}
	if !again.RedriveDate.Equal(*r1.RedriveDate) {
		t.Errorf("idempotent redrive: date %v, want %v", again.RedriveDate, r1.RedriveDate)
	}
	d, err = s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.ExecutionStatusFailed || aws.ToInt32(d.RedriveCount) != 1 || d.RedriveDate == nil || !d.RedriveDate.Equal(*r1.RedriveDate) {
		t.Errorf("after redrive 1 and a restart: %s count %d date %v, want FAILED 1 %v", d.Status, aws.ToInt32(d.RedriveCount), d.RedriveDate, r1.RedriveDate)
	}

	// Redrive 2: Store reruns part-2 and part-3 only; the execution succeeds.
	clock.Advance(time.Hour)
	if _, err := s2.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: arn}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s2.svc, *arn); got != "SUCCEEDED" {
		t.Fatalf("after redrive 2: got %s, want SUCCEEDED", got)
	}
	want := map[string]int{"validate": 1, "transform": 1, "index": 2, "part-1": 1, "part-2": 2, "part-3": 1}
	if diff := cmp.Diff(fn.counts(), want); diff != "" {
		t.Errorf("task calls (-got +want):\n%s", diff)
	}
	d, err = s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: arn})
	if err != nil {
		t.Fatal(err)
	}
	wantOut := `{"process":["transform ok","index ok"],"redrives":2,"stored":["part-1 ok","part-2 ok","part-3 ok"],"validate":"validate ok"}`
	if got := aws.ToString(d.Output); !sameJSON(got, wantOut) {
		t.Errorf("output: got %s, want %s", got, wantOut)
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" || aws.ToInt32(d.RedriveCount) != 2 {
		t.Errorf("succeeded: %s %q count %d", d.RedriveStatus, aws.ToString(d.RedriveStatusReason), aws.ToInt32(d.RedriveCount))
	}
	h, err := s2.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: arn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var redriven []int32
	for i, ev := range h.Events {
		if ev.Id != int64(i+1) {
			t.Fatalf("event %d has id %d: the history must continue without gaps", i, ev.Id)
		}
		if ev.Type == types.HistoryEventTypeExecutionRedriven {
			redriven = append(redriven, aws.ToInt32(ev.ExecutionRedrivenEventDetails.RedriveCount))
		}
	}
	if diff := cmp.Diff(redriven, []int32{1, 2}); diff != "" {
		t.Errorf("ExecutionRedriven events' counts (-got +want):\n%s", diff)
	}

	// ListExecutions: the redriven execution once, with its count, and redriveFilter.
	other, err := s2.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Name: aws.String("obj-2"), Input: aws.String(`{"parts":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, s2.svc, *other.ExecutionArn)
	for _, tc := range []struct {
		filter types.ExecutionRedriveFilter
		want   []string
	}{{"", []string{"obj-2:0", "obj-1:2"}}, {types.ExecutionRedriveFilterRedriven, []string{"obj-1:2"}}, {types.ExecutionRedriveFilterNotRedriven, []string{"obj-2:0"}}} {
		l, err := s2.c.ListExecutions(ctx, &sdk.ListExecutionsInput{StateMachineArn: &machine, RedriveFilter: tc.filter})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range l.Executions {
			got = append(got, aws.ToString(it.Name)+":"+string(rune('0'+aws.ToInt32(it.RedriveCount))))
			if aws.ToInt32(it.RedriveCount) > 0 && it.RedriveDate == nil {
				t.Errorf("list item %s: redriven without a redriveDate", aws.ToString(it.Name))
			}
		}
		if diff := cmp.Diff(got, tc.want); diff != "" {
			t.Errorf("ListExecutions redriveFilter %q (-got +want):\n%s", tc.filter, diff)
		}
	}
}

// Each execution RedriveExecution refuses, with AWS's error code.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html#API_RedriveExecution_Errors
func TestRedriveExecutionRefusals(t *testing.T) {
	ctx := t.Context()
	clock := interp.NewVirtualClock(time.Now().UTC().Truncate(time.Second))
	tasks := newTokenTasks()
	svc, c := start(t, localsfn.WithClock(clock), localsfn.WithTaskInvoker(tasks))
	failing := create(t, c, "failing", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Broken"}}}`, types.StateMachineTypeStandard)
	run := func(name string) *string {
		t.Helper()
		out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &failing, Name: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		waitDone(t, svc, *out.ExecutionArn)
		return out.ExecutionArn
	}
	old := run("old")
	clock.Advance(14*24*time.Hour + time.Second) // past the redrivable period
	fresh := run("fresh")
	pass := create(t, c, "pass", passMachine, types.StateMachineTypeStandard)
	ok, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &pass, Input: aws.String(`{"who":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, svc, *ok.ExecutionArn)
	tok := create(t, c, "token", tokenMachine, types.StateMachineTypeStandard)
	running, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &tok})
	if err != nil {
		t.Fatal(err)
	}
	tasks.next(t)

	for _, tc := range []struct {
		name, arn, token, code string
	}{
		{"succeeded", *ok.ExecutionArn, "", "ExecutionNotRedrivable"},
		{"running", *running.ExecutionArn, "", "ExecutionNotRedrivable"},
		{"past 14 days", *old, "", "ExecutionNotRedrivable"},
		{"does not exist", failing[:len(failing)-len("stateMachine:failing")] + "execution:failing:nope", "", "ExecutionDoesNotExist"},
		{"not an execution ARN", failing, "", "InvalidArn"},
		{"client token too long", *fresh, string(make([]byte, 65)), "ValidationException"},
		{"client token not printable", *fresh, "a b", "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := &sdk.RedriveExecutionInput{ExecutionArn: aws.String(tc.arn)}
			if tc.token != "" {
				in.ClientToken = aws.String(tc.token)
			}
			_, err := noRetry(clientURL(t, c)).RedriveExecution(ctx, in)
			if got := apiCode(err); got != tc.code {
				t.Errorf("got %v (code %q), want %s", err, got, tc.code)
			}
		})
	}
	// The 14-day-old execution reports why.
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: old})
	if err != nil {
		t.Fatal(err)
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution redrivable period exceeded" {
		t.Errorf("old execution: %s %q", d.RedriveStatus, aws.ToString(d.RedriveStatusReason))
	}
	d, err = c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: ok.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable || aws.ToString(d.RedriveStatusReason) != "Execution is SUCCEEDED and cannot be redriven" {
		t.Errorf("succeeded execution: %s %q", d.RedriveStatus, aws.ToString(d.RedriveStatusReason))
	}
	// A deleted state machine's executions are not redrivable.
	d, err = c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: fresh})
	if err != nil {
		t.Fatal(err)
	}
	if d.RedriveStatus != types.ExecutionRedriveStatusRedrivable {
		t.Fatalf("fresh failed execution before its machine is deleted: %s %q", d.RedriveStatus, aws.ToString(d.RedriveStatusReason))
	}
	if _, err := c.DeleteStateMachine(ctx, &sdk.DeleteStateMachineInput{StateMachineArn: &failing}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: fresh}); apiCode(err) != "ExecutionNotRedrivable" {
		t.Errorf("machine deleted: got %v, want ExecutionNotRedrivable", err)
	}
}

func clientURL(t *testing.T, c *sdk.Client) string {
	t.Helper()
	return aws.ToString(c.Options().BaseEndpoint)
}

// TestRedriveAWSCLI redrives with `aws stepfunctions redrive-execution`, as an operator would.
func TestRedriveAWSCLI(t *testing.T) {
	cli, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		if os.Getenv("SLUICE_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the AWS CLI is required (SLUICE_REQUIRE_AWSCLI=1) but not on PATH")
		}
		t.Skip("the AWS CLI is not on PATH (or -short)")
	}
	fn := newFaults("x")
	svc, c := start(t, localsfn.WithLambdaInvoker(fn))
	machine := create(t, c, "cli-redrive", `{"StartAt":"F","States":{"F":{"Type":"Task","Resource":"`+fnArn+`","Parameters":{"n":"x"},"End":true}}}`, types.StateMachineTypeStandard)
	out, err := c.StartExecution(t.Context(), &sdk.StartExecutionInput{StateMachineArn: &machine})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, svc, *out.ExecutionArn)
	cmd := exec.Command(cli, "--endpoint-url", clientURL(t, c), "--output", "json", "stepfunctions", "redrive-execution", "--execution-arn", *out.ExecutionArn)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws stepfunctions redrive-execution: %v\n%s", err, b)
	}
	var v struct {
		RedriveDate any `json:"redriveDate"`
	}
	if err := json.Unmarshal(b, &v); err != nil || v.RedriveDate == nil {
		t.Fatalf("redrive-execution answered %s", b)
	}
	if got := waitDone(t, svc, *out.ExecutionArn); got != "SUCCEEDED" {
		t.Errorf("after the CLI's redrive: %s, want SUCCEEDED", got)
	}
	if got := fn.counts()["x"]; got != 2 {
		t.Errorf("task ran %d times, want 2", got)
	}
}

// A redriven execution still running when the service stops resumes after the restart, from the journal:
// the task that succeeded in the redrive does not run again, and the history has one ExecutionRedriven.
func TestRedriveSurvivesRestart(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	fn, tasks := newFaults("first"), newTokenTasks()
	opts := []localsfn.Option{localsfn.WithDataDir(dir), localsfn.WithLambdaInvoker(fn), localsfn.WithTaskInvoker(tasks)}
	s1 := openServed(t, opts...)
	machine := create(t, s1.c, "park", `{"StartAt":"First","States":{
	 "First":{"Type":"Task","Resource":"`+fnArn+`","Parameters":{"n":"first"},"ResultPath":"$.first","Next":"Park"},
	 "Park":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"token.$":"$$.Task.Token"},"ResultPath":"$.park","End":true}}}`,
		types.StateMachineTypeStandard)
	out, err := s1.c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Name: aws.String("r")})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s1.svc, *out.ExecutionArn); got != "FAILED" {
		t.Fatalf("first attempt: %s", got)
	}
	if _, err := s1.c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	tasks.next(t) // parked in the redriven attempt; this token dies with the process
	s1.close(t)

	s2 := openServed(t, opts...)
	defer s2.close(t)
	d, err := s2.c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.ExecutionStatusRunning || aws.ToInt32(d.RedriveCount) != 1 || d.RedriveStatus != types.ExecutionRedriveStatusNotRedrivable {
		t.Errorf("after the restart: %s count %d %s, want RUNNING 1 NOT_REDRIVABLE", d.Status, aws.ToInt32(d.RedriveCount), d.RedriveStatus)
	}
	tok := tasks.next(t)
	if _, err := s2.c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`"parked"`)}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, s2.svc, *out.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("resumed redrive: %s", got)
	}
	if got := fn.counts()["first"]; got != 2 {
		t.Errorf("First ran %d times, want 2 (once failing, once in the redrive)", got)
	}
	h, err := s2.c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []types.HistoryEventType
	for i, ev := range h.Events {
		if ev.Id != int64(i+1) {
			t.Fatalf("event %d has id %d", i, ev.Id)
		}
		switch ev.Type {
		case types.HistoryEventTypeExecutionStarted, types.HistoryEventTypeExecutionFailed, types.HistoryEventTypeExecutionRedriven, types.HistoryEventTypeExecutionSucceeded:
			kinds = append(kinds, ev.Type)
		}
	}
	want := []types.HistoryEventType{"ExecutionStarted", "ExecutionFailed", "ExecutionRedriven", "ExecutionSucceeded"}
	if diff := cmp.Diff(kinds, want); diff != "" {
		t.Errorf("execution events (-got +want):\n%s", diff)
	}
}

// An ABORTED execution (StopExecution) and a TIMED_OUT one (TimeoutSeconds) are redriven from the state
// that was running: the state before it does not run again.
func TestRedriveAbortedAndTimedOut(t *testing.T) {
	ctx := t.Context()
	tasks := newTokenTasks()
	svc, c := start(t, localsfn.WithTaskInvoker(tasks))
	timed := `{"TimeoutSeconds":1,` + tokenMachine[1:]
	for _, tc := range []struct {
		name, def string
		end       func(arn *string)
		status    types.ExecutionStatus
	}{
		{"aborted", tokenMachine, func(arn *string) {
			if _, err := c.StopExecution(ctx, &sdk.StopExecutionInput{ExecutionArn: arn, Error: aws.String("Op.Stopped")}); err != nil {
				t.Fatal(err)
			}
		}, types.ExecutionStatusAborted},
		{"timed out", timed, func(arn *string) { waitDone(t, svc, *arn) }, types.ExecutionStatusTimedOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			machine := create(t, c, "m-"+strings.ReplaceAll(tc.name, " ", "-"), tc.def, types.StateMachineTypeStandard)
			out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine, Input: aws.String(`{"n":1}`)})
			if err != nil {
				t.Fatal(err)
			}
			tasks.next(t)
			tc.end(out.ExecutionArn)
			d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tc.status || d.RedriveStatus != types.ExecutionRedriveStatusRedrivable {
				t.Fatalf("before the redrive: %s %s, want %s REDRIVABLE", d.Status, d.RedriveStatus, tc.status)
			}
			before, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, MaxResults: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
				t.Fatal(err)
			}
			tok := tasks.next(t)
			if _, err := c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: &tok, Output: aws.String(`2`)}); err != nil {
				t.Fatal(err)
			}
			if got := waitDone(t, svc, *out.ExecutionArn); got != "SUCCEEDED" {
				t.Fatalf("after the redrive: %s", got)
			}
			after, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, MaxResults: 1000})
			if err != nil {
				t.Fatal(err)
			}
			var entered []string
			for _, ev := range after.Events[len(before.Events):] {
				if d := ev.StateEnteredEventDetails; d != nil {
					entered = append(entered, aws.ToString(d.Name))
				}
			}
			if diff := cmp.Diff(entered, []string{"Wait for it", "After"}); diff != "" {
				t.Errorf("states entered in the redrive (-got +want):\n%s", diff)
			}
		})
	}
}

// A redrive runs the definition the execution started with, whatever UpdateStateMachine did since: "Redriven
// executions use the same state machine definition and execution ARN as the original execution attempt."
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
func TestRedriveUsesTheOriginalDefinition(t *testing.T) {
	ctx := t.Context()
	svc, c := start(t)
	// Fails until redriven, then outputs "v1".
	v1 := `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"def":"v1",
	 "v.$":"States.StringToJson(States.ArrayGetItem(States.Array('{', '{}'), $$.Execution.RedriveCount))"},"End":true}}}`
	machine := create(t, c, "versioned", v1, types.StateMachineTypeStandard)
	out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine})
	if err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, svc, *out.ExecutionArn); got != "FAILED" {
		t.Fatalf("first attempt: %s", got)
	}
	v2 := `{"StartAt":"Q","States":{"Q":{"Type":"Pass","Result":{"def":"v2"},"End":true}}}`
	if _, err := c.UpdateStateMachine(ctx, &sdk.UpdateStateMachineInput{StateMachineArn: &machine, Definition: aws.String(v2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RedriveExecution(ctx, &sdk.RedriveExecutionInput{ExecutionArn: out.ExecutionArn}); err != nil {
		t.Fatal(err)
	}
	if got := waitDone(t, svc, *out.ExecutionArn); got != "SUCCEEDED" {
		t.Fatalf("after the redrive: %s", got)
	}
	d, err := c.DescribeExecution(ctx, &sdk.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(d.Output), `{"def":"v1","v":{}}`; !sameJSON(got, want) {
		t.Errorf("output: got %s, want %s (the original definition)", got, want)
	}
}
