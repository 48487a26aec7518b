package interp

import (
	"context"
	"fmt"
)

// TaskInvoker runs a Task state whose resource is neither a Lambda function
// nor the Lambda integration: an activity, another service integration, or
// any resource the host chooses to serve. A returned error made by Fail (or
// a *jsonpath.Error) fails the task with that error name; any other error
// fails it with States.TaskFailed and the error text as cause.
type TaskInvoker interface {
	InvokeTask(ctx context.Context, req TaskRequest) (any, error)
}

// TaskRequest is one invocation of a task resource.
type TaskRequest struct {
	// Resource is the state's Resource ARN as written, including any
	// ".sync" or ".waitForTaskToken" suffix.
	Resource string
	// Input is the effective input: the result of InputPath and Parameters.
	Input any
	// TaskToken is set for ".waitForTaskToken" resources: the host
	// completes the task later through TaskTokens.
	TaskToken string
	// StateName and ExecutionArn identify the caller.
	StateName    string
	ExecutionArn string
	// Attempt counts retries: 0 on the first invocation.
	Attempt int
}

// TaskInvokerFunc adapts a function to TaskInvoker.
type TaskInvokerFunc func(ctx context.Context, req TaskRequest) (any, error)

// InvokeTask calls f.
func (f TaskInvokerFunc) InvokeTask(ctx context.Context, req TaskRequest) (any, error) {
	return f(ctx, req)
}

var _ TaskInvoker = TaskInvokerFunc(nil)

// LambdaInvoker invokes a Lambda function the way the Lambda Invoke API
// does. The interpreter uses it for a Task whose Resource is a bare
// function ARN and for the "arn:aws:states:::lambda:invoke" integration,
// and shapes the result and errors exactly as Step Functions does for each.
// https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
type LambdaInvoker interface {
	// InvokeLambda invokes the function synchronously. A function error
	// is a normal response with FunctionError set and the error JSON
	// ({"errorType", "errorMessage", ...}) as Payload. A Lambda service
	// error (no such function, throttling, ...) is returned as a
	// *LambdaServiceError.
	InvokeLambda(ctx context.Context, req LambdaRequest) (LambdaResponse, error)
}

// LambdaRequest is one Invoke call.
type LambdaRequest struct {
	// FunctionName is a name, a function ARN or a partial ARN, possibly
	// with a qualifier, as the state gave it.
	FunctionName string
	// Qualifier is a version or alias, "" for none.
	Qualifier string
	// InvocationType is "RequestResponse" (the default) or "Event".
	InvocationType string
	// ClientContext is base64 JSON, "" for none.
	ClientContext string
	// Payload is the JSON event.
	Payload []byte
	// StateName and ExecutionArn identify the caller (informational).
	StateName    string
	ExecutionArn string
}

// LambdaResponse is what Invoke answered.
type LambdaResponse struct {
	// StatusCode is the HTTP status: 200 for RequestResponse, 202 for
	// Event. Zero means 200.
	StatusCode int
	// Payload is the function's response bytes, or its error JSON.
	Payload []byte
	// FunctionError is "Unhandled" or "Handled" when the function failed.
	FunctionError string
	// ExecutedVersion is the version that ran; "" means "$LATEST".
	ExecutedVersion string
	// RequestID is the invocation's request id.
	RequestID string
}

// LambdaServiceError is an error of the Lambda service itself. Step
// Functions names it "Lambda." + Code, with a cause in the AWS SDK's
// format.
type LambdaServiceError struct {
	Code       string // such as "ResourceNotFoundException"
	Message    string // such as "Function not found: arn:..."
	StatusCode int    // such as 404
	RequestID  string
}

func (e *LambdaServiceError) Error() string {
	return fmt.Sprintf("%s (Service: AWSLambda; Status Code: %d; Error Code: %s; Request ID: %s; Proxy: null)",
		e.Message, e.StatusCode, e.Code, e.RequestID)
}

// LambdaInvokerFunc adapts a function to LambdaInvoker.
type LambdaInvokerFunc func(ctx context.Context, req LambdaRequest) (LambdaResponse, error)

// InvokeLambda calls f.
func (f LambdaInvokerFunc) InvokeLambda(ctx context.Context, req LambdaRequest) (LambdaResponse, error) {
	return f(ctx, req)
}

var _ LambdaInvoker = LambdaInvokerFunc(nil)

// TaskInterceptor sees every Task invocation before the invokers do and may
// answer it itself, as Step Functions Local's mocked responses do: when it
// returns handled, its result (or error, as for a TaskInvoker) is the
// integration's result as is: for "arn:aws:states:::lambda:invoke" that is
// the whole response wrapper, for a bare function ARN the function's output.
// https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html
type TaskInterceptor interface {
	InterceptTask(ctx context.Context, req TaskRequest) (result any, handled bool, err error)
}

// TaskInterceptorFunc adapts a function to TaskInterceptor.
type TaskInterceptorFunc func(ctx context.Context, req TaskRequest) (any, bool, error)

// InterceptTask calls f.
func (f TaskInterceptorFunc) InterceptTask(ctx context.Context, req TaskRequest) (any, bool, error) {
	return f(ctx, req)
}

var _ TaskInterceptor = TaskInterceptorFunc(nil)
