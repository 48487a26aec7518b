package sfn_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/asl/interp"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// batchRecorder is a log sink that takes batches, and records the type of each record delivered.
type batchRecorder struct {
	mu    sync.Mutex
	types []string
	calls [][]string // the types of each call's records
}

func (r *batchRecorder) PutExecutionLog(ctx context.Context, rec localsfn.ExecutionLog) error {
	return r.PutExecutionLogs(ctx, []localsfn.ExecutionLog{rec})
}

func (r *batchRecorder) PutExecutionLogs(_ context.Context, recs []localsfn.ExecutionLog) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var call []string
	defer func() { r.calls = append(r.calls, call) }()
	for _, rec := range recs {
		var m struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(rec.Message), &m); err != nil {
			return err
		}
		r.types = append(r.types, m.Type)
		call = append(call, m.Type)
	}
	return nil
}

func (r *batchRecorder) delivered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.types)
}

// lambdaSpy answers every invocation with {} and notes, at each, the records delivered so far.
type lambdaSpy struct {
	logs *batchRecorder
	mu   sync.Mutex
	seen [][]string
}

func (l *lambdaSpy) InvokeLambda(context.Context, interp.LambdaRequest) (interp.LambdaResponse, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen = append(l.seen, l.logs.delivered())
	return interp.LambdaResponse{Payload: []byte(`{}`)}, nil
}

// TestExecutionLogsBeforeTaskRuns: the records of the events before a task runs have been delivered when
// it runs, and every record of an execution once it has ended, in the order of its history.
func TestExecutionLogsBeforeTaskRuns(t *testing.T) {
	const def = `{"StartAt":"P","States":{
	 "P":{"Type":"Pass","Next":"A"},
	 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"TimeoutSeconds":30,"Next":"W"},
	 "W":{"Type":"Wait","Seconds":0,"Next":"B"},
	 "B":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:f","End":true}}}`
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:g:*"
	logs := &batchRecorder{}
	spy := &lambdaSpy{logs: logs}
	svc, c := start(t, localsfn.WithLogSink(logs), localsfn.WithLambdaInvoker(spy), localsfn.WithDataDir(t.TempDir()), localsfn.WithSync(false))
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("logged"), Definition: aws.String(def), RoleArn: aws.String(role),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll, IncludeExecutionData: true,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	started, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"x":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if status := waitDone(t, svc, aws.ToString(started.ExecutionArn)); status != "SUCCEEDED" {
		t.Fatalf("execution %s", status)
	}
	hist, err := c.GetExecutionHistory(ctx, &sdk.GetExecutionHistoryInput{ExecutionArn: started.ExecutionArn, MaxResults: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range hist.Events {
		want = append(want, string(ev.Type))
	}
	if diff := cmp.Diff(logs.delivered(), want); diff != "" {
		t.Errorf("records delivered by the end (-got +want):\n%s", diff)
	}
	spy.mu.Lock()
	defer spy.mu.Unlock()
	if len(spy.seen) != 2 {
		t.Fatalf("%d invocations, want 2", len(spy.seen))
	}
	for i, last := range []string{"TaskStarted", "LambdaFunctionStarted"} {
		seen := spy.seen[i]
		if len(seen) == 0 || seen[len(seen)-1] != last {
			t.Errorf("invocation %d: records delivered %v, want them to end with %s", i+1, seen, last)
		}
		if !slices.Equal(seen, want[:len(seen)]) {
			t.Errorf("invocation %d: records delivered %v, want the history's first ones %v", i+1, seen, want)
		}
	}
}

// TestExecutionLogsGrouped: the record of an event the engine follows at once with another goes to the
// sink with that one's, in one call; the others each end a call.
func TestExecutionLogsGrouped(t *testing.T) {
	const def = `{"StartAt":"P","States":{
	 "P":{"Type":"Pass","Next":"A"},
	 "A":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"f","Payload.$":"$"},"ResultPath":null,"Next":"C"},
	 "C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"W"}],"Default":"W"},
	 "W":{"Type":"Wait","Seconds":0,"Next":"S"},
	 "S":{"Type":"Succeed"}}}`
	const group = "arn:aws:logs:us-east-1:000000000000:log-group:g:*"
	logs := &batchRecorder{}
	svc, c := start(t, localsfn.WithLogSink(logs), localsfn.WithLambdaInvoker(&lambdaSpy{logs: logs}))
	ctx := t.Context()
	sm, err := c.CreateStateMachine(ctx, &sdk.CreateStateMachineInput{Name: aws.String("grouped"), Definition: aws.String(def), RoleArn: aws.String(role),
		LoggingConfiguration: &types.LoggingConfiguration{Level: types.LogLevelAll,
			Destinations: []types.LogDestination{{CloudWatchLogsLogGroup: &types.CloudWatchLogsLogGroup{LogGroupArn: aws.String(group)}}}}})
	if err != nil {
		t.Fatal(err)
	}
	started, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: aws.String(`{"x":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	if status := waitDone(t, svc, aws.ToString(started.ExecutionArn)); status != "SUCCEEDED" {
		t.Fatalf("execution %s", status)
	}
	want := [][]string{
		{"ExecutionStarted", "PassStateEntered", "PassStateExited"},
		{"TaskStateEntered", "TaskScheduled", "TaskStarted"},
		{"TaskSucceeded", "TaskStateExited"},
		{"ChoiceStateEntered", "ChoiceStateExited"},
		{"WaitStateEntered"},
		{"WaitStateExited"},
		{"SucceedStateEntered", "SucceedStateExited"},
		{"ExecutionSucceeded"},
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if diff := cmp.Diff(logs.calls, want); diff != "" {
		t.Errorf("records per call (-got +want):\n%s", diff)
	}
}
