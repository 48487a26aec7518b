package lambda

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Error is a Lambda service error: it crosses the wire as an HTTP status, the
// X-Amzn-ErrorType header and a JSON body (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
type Error struct {
	Code    string
	Status  int
	Message string
	Reason  string // TooManyRequestsException only
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errFunctionNotFound(arn string) error {
	return &Error{Code: "ResourceNotFoundException", Status: http.StatusNotFound, Message: "Function not found: " + arn}
}

func errInvalidParameter(name, value string) error {
	return &Error{Code: "InvalidParameterValueException", Status: http.StatusBadRequest,
		Message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint", value, name)}
}

func errRequestTooLarge(limit int) error {
	return &Error{Code: "RequestTooLargeException", Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
}

func errInvalidJSON(err error) error {
	return &Error{Code: "InvalidRequestContentException", Status: http.StatusBadRequest,
		Message: "Could not parse request body into json: " + err.Error()}
}

func errThrottled() error {
	return &Error{Code: "TooManyRequestsException", Status: http.StatusTooManyRequests, Message: "Rate Exceeded.",
		Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
}

func errServiceUnavailable() error {
	return &Error{Code: "ServiceException", Status: http.StatusInternalServerError, Message: "An internal error occurred."}
}

func errUnknownOperation() error {
	return &Error{Code: "UnknownOperationException", Status: http.StatusNotFound, Message: "Unknown operation"}
}

// writeServiceError renders err as the Lambda REST-JSON error: status, X-Amzn-ErrorType and
// {"Type":"User","message":...}; errors that are not *Error become ServiceException.
func writeServiceError(w http.ResponseWriter, requestID string, err error) {
	e, ok := err.(*Error)
	if !ok {
		e = errServiceUnavailable().(*Error)
	}
	kind := "User"
	if e.Status >= 500 {
		kind = "Service"
	}
	body := map[string]string{"Type": kind, "message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(body)
}

// functionErrorOf is the error payload the Go runtime reports for a returned error
// (aws-lambda-go lambda/errors.go): errorType is the name of the error's Go type (pointer
// types by their element), and an InvokeResponse_Error is passed through unchanged.
func functionErrorOf(err error) messages.InvokeResponse_Error {
	if ive, ok := err.(messages.InvokeResponse_Error); ok {
		return ive
	}
	if ive, ok := err.(*messages.InvokeResponse_Error); ok && ive != nil {
		return *ive
	}
	return messages.InvokeResponse_Error{Message: err.Error(), Type: typeName(err)}
}

func typeName(v any) string {
	t := reflect.TypeOf(v)
	if t == nil {
		return ""
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Name()
	}
	return t.Name()
}

// panicErrorOf is the error payload the Go runtime reports for a panic: the panic value
// printed, its type name, and the stack (aws-lambda-go lambda/panic.go).
func panicErrorOf(v any, stack []uintptr) messages.InvokeResponse_Error {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return ive
	}
	out := messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v)}
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		label := f.Function
		if i := strings.LastIndex(label, "/"); i >= 0 {
			label = label[i+1:]
		}
		if i := strings.Index(label, "."); i >= 0 {
			label = label[i+1:]
		}
		out.StackTrace = append(out.StackTrace, &messages.InvokeResponse_Error_StackFrame{Path: f.File, Line: int32(f.Line), Label: label})
		if !more {
			break
		}
	}
	return out
}
