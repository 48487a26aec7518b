package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/sluicehq/sluice/tasks"
)

// reportedErrorType runs a handler the way the Lambda runtime does and returns the errorType Lambda
// reports for its error, which is what Step Functions matches ErrorEquals against. lambda.NewFunction
// applies to the handler's error the same conversion (lambdaErrorResponse) as the runtime API loop.
func reportedErrorType(t *testing.T, err error) string {
	t.Helper()
	handler := lambda.NewHandler(func(context.Context, tasks.Invocation) (tasks.Report, error) {
		return tasks.Report{}, err
	})
	var resp messages.InvokeResponse
	req := &messages.InvokeRequest{Payload: []byte(`{"bucket":"b","object":{"key":"k"}}`),
		Deadline: messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(time.Minute).Unix()}}
	//lint:ignore SA1019 Function is deprecated for the go1.x runtime, but it is the exported path to the runtime's error conversion
	if callErr := lambda.NewFunction(handler).Invoke(req, &resp); callErr != nil {
		t.Fatal(callErr)
	}
	if resp.Error == nil {
		t.Fatalf("handler error %v was not reported", err)
	}
	return resp.Error.Type
}

// TestErrorNames pins every error name the state machine matches on to the Go type a handler returns.
func TestErrorNames(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&tasks.TransientError{Op: "get k", Err: errors.New("503")}, tasks.ErrorNameTransient},
		{&tasks.ObjectNotFoundError{Bucket: "b", Key: "k"}, tasks.ErrorNameObjectNotFound},
		{&tasks.ObjectChangedError{Bucket: "b", Key: "k", WantETag: "e"}, tasks.ErrorNameObjectChanged},
		{&tasks.InvalidInvocationError{Reason: "no key"}, tasks.ErrorNameInvalidInvocation},
		{&tasks.InvalidObjectError{Line: 3, Column: "id", Code: "type", Message: "not an integer"}, tasks.ErrorNameInvalidObject},
		{&tasks.SchemaError{Key: "schemas/d.json", Problems: []string{"name: must not be empty"}}, tasks.ErrorNameSchema},
		{tasks.Classify("get k", fmt.Errorf("x: %w", context.DeadlineExceeded)), tasks.ErrorNameTransient},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := reportedErrorType(t, tt.err); got != tt.want {
				t.Errorf("errorType of %T: got %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

// TestWrappedErrorLosesItsName shows why handlers return the named errors unwrapped.
func TestWrappedErrorLosesItsName(t *testing.T) {
	wrapped := fmt.Errorf("validate: %w", &tasks.TransientError{Op: "get k", Err: errors.New("503")})
	if got := reportedErrorType(t, wrapped); got == tasks.ErrorNameTransient {
		t.Errorf("errorType of a wrapped TransientError: got %q, want anything else (it is wrapError)", got)
	}
	joined := errors.Join(&tasks.ObjectNotFoundError{Bucket: "b", Key: "k"})
	if got := reportedErrorType(t, joined); got == tasks.ErrorNameObjectNotFound {
		t.Errorf("errorType of a joined ObjectNotFoundError: got %q, want anything else", got)
	}
}
