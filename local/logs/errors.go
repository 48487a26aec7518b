package logs

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Code is a CloudWatch Logs error code, as the "__type" of an error response carries it. A Code is itself
// an error; apiErrorf wraps it with AWS's message.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html and the Errors
// section of each action, e.g.
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
type Code string

// Error codes the service answers with.
const (
	CodeInvalidParameter      Code = "InvalidParameterException"
	CodeResourceNotFound      Code = "ResourceNotFoundException"
	CodeResourceAlreadyExists Code = "ResourceAlreadyExistsException"
	CodeServiceUnavailable    Code = "ServiceUnavailableException"
	CodeSerialization         Code = "SerializationException"
	CodeUnknownOperation      Code = "UnknownOperationException"
	CodeInternalFailure       Code = "InternalFailure"
)

func (c Code) Error() string { return string(c) }

// status is the one place that maps a code to an HTTP status: CloudWatch Logs answers every modeled
// error with 400, an unavailable service with 503 and an internal failure with 500.
func (c Code) status() int {
	switch c {
	case CodeInternalFailure:
		return http.StatusInternalServerError
	case CodeServiceUnavailable:
		return http.StatusServiceUnavailable
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

// The messages CloudWatch Logs sends for missing resources and duplicates.
var (
	errGroupNotFound  = apiErrorf(CodeResourceNotFound, "The specified log group does not exist.")
	errStreamNotFound = apiErrorf(CodeResourceNotFound, "The specified log stream does not exist.")
	errGroupExists    = apiErrorf(CodeResourceAlreadyExists, "The specified log group already exists")
	errStreamExists   = apiErrorf(CodeResourceAlreadyExists, "The specified log stream already exists")
	errBadToken       = apiErrorf(CodeInvalidParameter, "The specified nextToken is invalid.")
)

// validationErrorf is the message of AWS's request validation for one field.
func validationErrorf(format string, args ...any) error {
	return &apiError{code: CodeInvalidParameter, message: "1 validation error detected: " + fmt.Sprintf(format, args...)}
}

// writeError renders err as an AWS JSON 1.1 error response. An error that is not an apiError is internal:
// its text is not shown to the client.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{code: CodeInternalFailure, message: "An internal error occurred."}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", string(ae.code))
	w.WriteHeader(ae.code.status())
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": string(ae.code), "message": ae.message})
}
