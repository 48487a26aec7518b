package interp

import (
	"context"
	"testing"
	"time"
)

// A task's TimeoutSeconds ends it with States.Timeout on time, and Stop ends its execution, even when
// the resource call never returns (it ignores its context): the wait does not depend on the call, which
// runs on a goroutine of its own (taskCalls). Once the call returns at last, its goroutine serves later
// calls instead of a new one being started.
// https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (TimeoutSeconds)
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StopExecution.html
func TestTaskCallNeverReturns(t *testing.T) {
	tests := []struct {
		name, resource, timeout string
		stop                    bool
		wantStatus              Status
		wantError               string
		wantEvents              string
	}{
		{
			name: "task times out", resource: "arn:aws:states:::test:work", timeout: `"TimeoutSeconds":1`,
			wantStatus: StatusFailed, wantError: "States.Timeout",
			wantEvents: "ExecutionStarted TaskStateEntered(T) TaskScheduled TaskStarted TaskTimedOut ExecutionFailed",
		},
		{
			name: "lambda:invoke times out", resource: "arn:aws:states:::lambda:invoke", timeout: `"TimeoutSeconds":1`,
			wantStatus: StatusFailed, wantError: "States.Timeout",
			wantEvents: "ExecutionStarted TaskStateEntered(T) TaskScheduled TaskStarted TaskTimedOut ExecutionFailed",
		},
		{
			name: "function ARN times out", resource: "arn:aws:lambda:us-east-1:123456789012:function:f", timeout: `"TimeoutSeconds":1`,
			wantStatus: StatusFailed, wantError: "States.Timeout",
			wantEvents: "ExecutionStarted TaskStateEntered(T) LambdaFunctionScheduled LambdaFunctionStarted LambdaFunctionTimedOut ExecutionFailed",
		},
		{
			name: "stopped", resource: "arn:aws:states:::test:work", timeout: `"TimeoutSeconds":3600`, stop: true,
			wantStatus: StatusAborted, wantError: "Operator.Stop",
			wantEvents: "ExecutionStarted TaskStateEntered(T) TaskScheduled TaskStarted TaskStateAborted ExecutionAborted",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			unblock := make(chan struct{})
			returned := make(chan struct{})
			block := func() {
				<-unblock
				returned <- struct{}{}
			}
			tasks := TaskInvokerFunc(func(context.Context, TaskRequest) (any, error) { block(); return "late", nil })
			lambdas := LambdaInvokerFunc(func(context.Context, LambdaRequest) (LambdaResponse, error) {
				block()
				return LambdaResponse{Payload: []byte(`"late"`)}, nil
			})
			m := compile(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"`+tc.resource+`",`+
				`"Parameters":{"FunctionName":"f","Payload":{}},`+tc.timeout+`,"End":true}}}`,
				WithTaskInvoker(tasks), WithLambdaInvoker(lambdas))
			started := TaskStarted
			if tc.resource[:len("arn:aws:lambda:")] == "arn:aws:lambda:" {
				started = LambdaFunctionStarted
			}
			h := &notifySink{on: started, seen: make(chan struct{})}
			e := m.Start(t.Context(), mustJSON(t, `{}`), WithHistory(h))
			<-h.seen
			if tc.stop {
				e.Stop("Operator.Stop", "no longer needed")
			}
			r := wait(t, e)
			if r.Status != tc.wantStatus || r.Error != tc.wantError {
				t.Errorf("result: got %s %s, want %s %s", r.Status, r.Error, tc.wantStatus, tc.wantError)
			}
			events := h.Events()
			if got := types(events); got != tc.wantEvents {
				t.Errorf("history:\n got %s\nwant %s", got, tc.wantEvents)
			}
			if !tc.stop {
				var from, to time.Time
				for _, ev := range events {
					switch ev.Type {
					case TaskStarted, LambdaFunctionStarted:
						from = ev.Timestamp
					case TaskTimedOut, LambdaFunctionTimedOut:
						to = ev.Timestamp
					}
				}
				if d := to.Sub(from); d < time.Second || d > 10*time.Second {
					t.Errorf("timed out %v after the start, want 1s", d)
				}
			}

			// The call returns at last; its goroutine then serves the next timed calls.
			close(unblock)
			<-returned
			before := taskCalls.Started()
			quick := compile(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::test:work","TimeoutSeconds":5,"End":true}}}`,
				WithTaskInvoker(TaskInvokerFunc(func(context.Context, TaskRequest) (any, error) { return "ok", nil })))
			const calls = 20
			for range calls {
				if r := wait(t, quick.Start(t.Context(), mustJSON(t, `{}`))); r.Status != StatusSucceeded {
					t.Fatalf("quick task: got %s %s", r.Status, r.Error)
				}
			}
			// A goroutine may not be back waiting when the next call comes (then that call starts one),
			// but calls made one after another mostly share one.
			if got := taskCalls.Started() - before; got > calls/2 {
				t.Errorf("goroutines started for %d calls one after another: got %d, want at most %d", calls, got, calls/2)
			}
		})
	}
}
