package sfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is a Step Functions API error code, as the "__type" of an error response carries it. A Code is
// itself an error; wrap it with a message through apiErrorf.
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html and the Errors section
// of each action in https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
type Code string

// Error codes the service answers with.
const (
	CodeValidation                   Code = "ValidationException"
	CodeSerialization                Code = "SerializationException"
	CodeUnknownOperation             Code = "UnknownOperationException"
	CodeInternalFailure              Code = "InternalFailure"
	CodeInvalidArn                   Code = "InvalidArn"
	CodeInvalidDefinition            Code = "InvalidDefinition"
	CodeInvalidName                  Code = "InvalidName"
	CodeInvalidExecutionInput        Code = "InvalidExecutionInput"
	CodeInvalidOutput                Code = "InvalidOutput"
	CodeInvalidToken                 Code = "InvalidToken"
	CodeTaskDoesNotExist             Code = "TaskDoesNotExist"
	CodeTaskTimedOut                 Code = "TaskTimedOut"
	CodeExecutionAlreadyExists       Code = "ExecutionAlreadyExists"
	CodeExecutionDoesNotExist        Code = "ExecutionDoesNotExist"
	CodeExecutionNotRedrivable       Code = "ExecutionNotRedrivable"
	CodeStateMachineAlreadyExists    Code = "StateMachineAlreadyExists"
	CodeStateMachineDoesNotExist     Code = "StateMachineDoesNotExist"
	CodeStateMachineDeleting         Code = "StateMachineDeleting"
	CodeStateMachineTypeNotSupported Code = "StateMachineTypeNotSupported"
	CodeResourceNotFound             Code = "ResourceNotFound"
	CodeTooManyTags                  Code = "TooManyTags"
	CodeInvalidLoggingConfiguration  Code = "InvalidLoggingConfiguration"
	CodeConflict                     Code = "ConflictException"
	CodeServiceQuotaExceeded         Code = "ServiceQuotaExceededException"
	CodeActivityDoesNotExist         Code = "ActivityDoesNotExist"
	CodeActivityAlreadyExists        Code = "ActivityAlreadyExists"
	CodeActivityLimitExceeded        Code = "ActivityLimitExceeded"
)

func (c Code) Error() string { return string(c) }

// status is the one place that maps a code to an HTTP status: every modeled Step Functions error is a
// client error (400) but ConflictException (409) and ServiceQuotaExceededException (402), as the API
// reference gives them; an internal failure is a 500.
func (c Code) status() int {
	switch c {
	case CodeInternalFailure:
		return http.StatusInternalServerError
	case CodeConflict:
		return http.StatusConflict
	case CodeServiceQuotaExceeded:
		return http.StatusPaymentRequired
	}
	return http.StatusBadRequest
}

// apiError is an error that crosses the wire: a code and the message AWS would send.
type apiError struct {
	code    Code
	message string
}

func (e *apiError) Error() string { return string(e.code) + ": " + e.message }
func (e *apiError) Unwrap() error { return e.code }

func apiErrorf(code Code, format string, args ...any) error {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// validationErrorf builds the message AWS's request validation produces for one field.
func validationErrorf(format string, args ...any) error {
	return &apiError{code: CodeValidation, message: "1 validation error detected: " + fmt.Sprintf(format, args...)}
}

// writeError renders err as AWS JSON 1.0 error response. An error that is not an apiError is internal:
// its text is not shown to the client.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{code: CodeInternalFailure, message: "An internal error occurred."}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-ErrorType", string(ae.code))
	w.WriteHeader(ae.code.status())
	// The status is sent; an error writing the body means the client went away.
	_ = json.NewEncoder(w).Encode(map[string]string{
		"__type":  "com.amazonaws.swf.service.v2.model#" + string(ae.code),
		"message": ae.message,
	})
}
