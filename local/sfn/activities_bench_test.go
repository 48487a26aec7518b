package sfn_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// BenchmarkActivityRoundTrip measures one execution of a one-state machine through the API, for a Pass
// state (the baseline) and for an activity task a worker takes and completes (StartExecution,
// GetActivityTask, SendTaskSuccess): the activity's cost is the ratio of the two, reported as
// activity/pass.
func BenchmarkActivityRoundTrip(b *testing.B) {
	svc, c := start(b)
	ctx := context.Background()
	act := createActivity(b, c, "bench")
	pass := create(b, c, "pass", resultMachine("x"), types.StateMachineTypeStandard)
	task := create(b, c, "task", activityMachine(act, ""), types.StateMachineTypeStandard)
	run := func(b *testing.B, machine string, work func()) float64 {
		b.Helper()
		b.ResetTimer()
		for range b.N {
			out, err := c.StartExecution(ctx, &sdk.StartExecutionInput{StateMachineArn: &machine})
			if err != nil {
				b.Fatal(err)
			}
			work()
			if status := waitDone(b, svc, *out.ExecutionArn); status != "SUCCEEDED" {
				b.Fatal(status)
			}
		}
		return b.Elapsed().Seconds() / float64(b.N)
	}
	var passSec, actSec float64
	b.Run("pass", func(b *testing.B) { passSec = run(b, pass, func() {}) })
	b.Run("activity", func(b *testing.B) {
		actSec = run(b, task, func() {
			t, err := c.GetActivityTask(ctx, &sdk.GetActivityTaskInput{ActivityArn: &act, WorkerName: aws.String("bench")})
			if err != nil || t.TaskToken == nil {
				b.Fatalf("GetActivityTask: %v, %v", t, err)
			}
			if _, err := c.SendTaskSuccess(ctx, &sdk.SendTaskSuccessInput{TaskToken: t.TaskToken, Output: aws.String(`{}`)}); err != nil {
				b.Fatal(err)
			}
		})
		if passSec > 0 {
			b.ReportMetric(actSec/passSec, "activity/pass")
		}
	})
}
