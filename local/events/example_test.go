package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/sluicehq/sluice/local/events"
)

// A host wires a Deliverer (here one that prints) and serves the API.
func Example() {
	ctx := context.Background()
	svc, err := events.New(events.WithDeliverer(events.DelivererFunc(func(_ context.Context, d events.Delivery) error {
		fmt.Printf("start %s with %s\n", d.TargetARN, d.Input)
		return nil
	})))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(svc) // point an SDK client's BaseEndpoint here
	defer srv.Close()

	for _, call := range [][2]string{
		{"PutRule", `{"Name":"objects","EventPattern":"{\"source\":[\"aws.s3\"],\"detail\":{\"object\":{\"key\":[{\"prefix\":\"in/\"}]}}}"}`},
		{"PutTargets", `{"Rule":"objects","Targets":[{"Id":"sfn","Arn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","InputPath":"$.detail.object"}]}`},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(call[1]))
		req.Header.Set("X-Amz-Target", "AWSEvents."+call[0])
		rec := httptest.NewRecorder()
		svc.ServeHTTP(rec, req)
	}
	_, _ = svc.Publish(ctx, events.Entry{Source: "aws.s3", DetailType: "Object Created",
		Detail: json.RawMessage(`{"object":{"key":"in/a.csv","size":3}}`)})
	svc.DeliverDue(ctx)
	// Output: start arn:aws:states:us-east-1:000000000000:stateMachine:m with {"key":"in/a.csv","size":3}
}

// A delivery that fails for good lands in the dead-letter list with AWS's
// DLQ attributes; Redrive queues it again.
func ExampleService_Redrive() {
	ctx := context.Background()
	broken := true
	svc, _ := events.New(events.WithDeliverer(events.DelivererFunc(func(_ context.Context, d events.Delivery) error {
		if broken {
			return errors.New("state machine unavailable")
		}
		fmt.Printf("delivered %s\n", d.Input)
		return nil
	})))
	for _, call := range [][2]string{
		{"PutRule", `{"Name":"r","EventPattern":"{\"source\":[\"app\"]}"}`},
		{"PutTargets", `{"Rule":"r","Targets":[{"Id":"t","Arn":"arn:aws:states:us-east-1:000000000000:stateMachine:m","Input":"{\"n\":1}","RetryPolicy":{"MaximumRetryAttempts":0}}]}`},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(call[1]))
		req.Header.Set("X-Amz-Target", events.TargetPrefix+call[0])
		svc.ServeHTTP(httptest.NewRecorder(), req)
	}
	_, _ = svc.Publish(ctx, events.Entry{Source: "app", DetailType: "tick"})
	svc.DeliverDue(ctx)
	dead := svc.DeadLetters()
	fmt.Println(len(dead), dead[0].Attributes["EXHAUSTED_RETRY_CONDITION"], dead[0].Attributes["ERROR_MESSAGE"])

	broken = false
	_, _ = svc.Redrive(ctx)
	svc.DeliverDue(ctx)
	fmt.Println(len(svc.DeadLetters()))
	// Output:
	// 1 MaximumRetryAttempts state machine unavailable
	// delivered {"n":1}
	// 0
}
