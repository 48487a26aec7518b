package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Code is a Lambda service error code, as the X-Amzn-ErrorType header carries it.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors and
// https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
type Code string

// Error codes the service answers with.
const (
	CodeResourceNotFound      Code = "ResourceNotFoundException"
	CodeInvalidParameterValue Code = "InvalidParameterValueException"
	CodeRequestTooLarge       Code = "RequestTooLargeException"
	CodeInvalidRequestContent Code = "InvalidRequestContentException"
	CodeTooManyRequests       Code = "TooManyRequestsException"
	CodeService               Code = "ServiceException"
	CodeUnknownOperation      Code = "UnknownOperationException"
)

func (c Code) Error() string { return string(c) }

// statuses is the one table mapping a code to its HTTP status (from the Invoke API reference).
var statuses = map[Code]int{
	CodeResourceNotFound:      http.StatusNotFound,
	CodeInvalidParameterValue: http.StatusBadRequest,
	CodeRequestTooLarge:       http.StatusRequestEntityTooLarge,
	CodeInvalidRequestContent: http.StatusBadRequest,
	CodeTooManyRequests:       http.StatusTooManyRequests,
	CodeService:               http.StatusInternalServerError,
	CodeUnknownOperation:      http.StatusNotFound,
}

// Status is the HTTP status Lambda answers the code with (500 for a code not in the table).
func (c Code) Status() int {
	if st, ok := statuses[c]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Error is a Lambda service error: it crosses the wire as the code's HTTP status, the
// X-Amzn-ErrorType header and a JSON body. errors.Is(err, Code...) matches its code.
type Error struct {
	Code    Code
	Message string
	Reason  string // TooManyRequestsException only
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }
func (e *Error) Unwrap() error { return e.Code }

// Status is the HTTP status of the error.
func (e *Error) Status() int { return e.Code.Status() }

func errFunctionNotFound(arn string) error {
	return &Error{Code: CodeResourceNotFound, Message: "Function not found: " + arn}
}

func errInvalidParameter(name, value string) error {
	return &Error{Code: CodeInvalidParameterValue,
		Message: fmt.Sprintf("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint", value, name)}
}

func errRequestTooLarge(limit int) error {
	return &Error{Code: CodeRequestTooLarge,
		Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
}

func errInvalidJSON(err error) error {
	return &Error{Code: CodeInvalidRequestContent, Message: "Could not parse request body into json: " + err.Error()}
}

func errThrottled() error {
	return &Error{Code: CodeTooManyRequests, Message: "Rate Exceeded.", Reason: "ReservedFunctionConcurrentInvocationLimitExceeded"}
}

func errServiceUnavailable() error {
	return &Error{Code: CodeService, Message: "An internal error occurred."}
}

func errUnknownOperation() error {
	return &Error{Code: CodeUnknownOperation, Message: "Unknown operation"}
}

// writeServiceError renders err as the Lambda REST-JSON error: status, X-Amzn-ErrorType and
// {"Type":"User","message":...}; errors that are not *Error become ServiceException without
// their Go text.
func writeServiceError(w http.ResponseWriter, requestID string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = errServiceUnavailable().(*Error)
	}
	kind := "User"
	if e.Status() >= 500 {
		kind = "Service"
	}
	body := map[string]string{"Type": kind, "message": e.Message}
	if e.Reason != "" {
		body["Reason"] = e.Reason
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", string(e.Code))
	w.Header().Set("X-Amzn-RequestId", requestID)
	w.WriteHeader(e.Status())
	// The status is sent; an error writing the body means the client went away.
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
// printed, its type name, and the stack (aws-lambda-go lambda/panic.go), less the frames of the
// functions named in skip.
func panicErrorOf(v any, stack []uintptr, skip ...string) messages.InvokeResponse_Error {
	if ive, ok := v.(messages.InvokeResponse_Error); ok {
		return ive
	}
	out := messages.InvokeResponse_Error{Message: fmt.Sprintf("%v", v), Type: typeName(v)}
	frames := runtime.CallersFrames(stack)
	for {
		f, more := frames.Next()
		if slices.Contains(skip, f.Function) {
			if !more {
				break
			}
			continue
		}
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
