package interp_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sluicehq/sluice/asl"
	"github.com/sluicehq/sluice/asl/interp"
)

// Embedding the engine: parse a definition, compile it once, run an
// execution with a host-supplied Lambda invoker.
func Example() {
	sm, err := asl.Parse([]byte(`{
	  "StartAt": "Greet",
	  "States": {
	    "Greet": {
	      "Type": "Task",
	      "Resource": "arn:aws:states:::lambda:invoke",
	      "Parameters": {"FunctionName": "greet", "Payload": {"name.$": "$.who"}},
	      "ResultSelector": {"greeting.$": "$.Payload"},
	      "End": true
	    }
	  }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	greet := interp.LambdaInvokerFunc(func(ctx context.Context, req interp.LambdaRequest) (interp.LambdaResponse, error) {
		return interp.LambdaResponse{Payload: []byte(`"hello"`)}, nil
	})
	m, err := interp.New(sm, interp.WithLambdaInvoker(greet))
	if err != nil {
		fmt.Println(err)
		return
	}
	r := m.Run(context.Background(), map[string]any{"who": "world"})
	fmt.Println(r.Status, r.Output)
	// Output: SUCCEEDED map[greeting:hello]
}

// A virtual clock makes a day-long Wait instant while the history keeps
// coherent timestamps.
func ExampleNewVirtualClock() {
	sm, _ := asl.Parse([]byte(`{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":86400,"End":true}}}`))
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	m, _ := interp.New(sm, interp.WithClock(interp.NewVirtualClock(start)))
	var h interp.HistoryLog
	r := m.Run(context.Background(), map[string]any{}, interp.WithHistory(&h))
	for _, ev := range h.Events() {
		fmt.Println(ev.ID, ev.Type, ev.Timestamp.Sub(start))
	}
	fmt.Println(r.Status)
	// Output:
	// 1 ExecutionStarted 0s
	// 2 WaitStateEntered 0s
	// 3 WaitStateExited 24h0m0s
	// 4 ExecutionSucceeded 24h0m0s
	// SUCCEEDED
}

// Callback tasks: the host hands the token to a worker and completes the
// task through TaskTokens.
func ExampleTaskTokens() {
	sm, _ := asl.Parse([]byte(`{"StartAt":"Ask","States":{"Ask":{"Type":"Task",
	  "Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
	  "Parameters":{"MessageBody":{"token.$":"$$.Task.Token"}},"End":true}}}`))
	tokens := interp.NewTaskTokens()
	queue := make(chan string, 1)
	send := interp.TaskInvokerFunc(func(ctx context.Context, req interp.TaskRequest) (any, error) {
		queue <- req.TaskToken
		return map[string]any{"MessageId": "m-1"}, nil
	})
	m, _ := interp.New(sm, interp.WithTaskInvoker(send), interp.WithTaskTokens(tokens))
	e := m.Start(context.Background(), map[string]any{})
	_ = tokens.Succeed(<-queue, map[string]any{"approved": true})
	r, _ := e.Wait(context.Background())
	fmt.Println(r.Status, r.Output)
	// Output: SUCCEEDED map[approved:true]
}

// TestState runs one state once, as the TestState API does: here a Task
// with a mocked error that its Retrier handles.
func ExampleMachine_TestState() {
	sm, name, err := interp.ParseTestDefinition([]byte(`{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"f"},"Retry":[{"ErrorEquals":["Throttled"],"IntervalSeconds":2,"MaxAttempts":3}],"End":true}`))
	if err != nil {
		panic(err)
	}
	m, err := interp.New(sm)
	if err != nil {
		panic(err)
	}
	res, err := m.TestState(context.Background(), interp.TestStateRequest{
		StateName: name, Input: map[string]any{}, Level: interp.InspectionDebug,
		Mock:              &interp.TestMock{Error: &interp.Failure{Error: "Throttled", Cause: "slow down"}},
		RetrierRetryCount: 1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Status, res.Error, *res.Inspection.ErrorDetails.RetryBackoffIntervalSeconds)
	// Output: RETRIABLE Throttled 4
}
