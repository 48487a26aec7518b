package events

import (
	"encoding/json"
	"net/http"
)

// errorCode is an EventBridge API error code; it is itself an error.
type errorCode string

// The error codes of the EventBridge API
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html and each
// operation's Errors section).
const (
	codeValidation          errorCode = "ValidationException"
	codeResourceNotFound    errorCode = "ResourceNotFoundException"
	codeInvalidEventPattern errorCode = "InvalidEventPatternException"
	codeLimitExceeded       errorCode = "LimitExceededException"
	codeSerialization       errorCode = "SerializationException"
	codeUnknownOperation    errorCode = "UnknownOperationException"
	codeInternal            errorCode = "InternalException"
	codeTooLarge            errorCode = "RequestEntityTooLargeException"
)

func (c errorCode) Error() string { return string(c) }

// status is the one place an error code becomes an HTTP status.
func (c errorCode) status() int {
	switch c {
	case codeInternal:
		return http.StatusInternalServerError
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// apiError is an error answered to the client.
type apiError struct {
	code    errorCode
	message string
}

func (e *apiError) Error() string { return string(e.code) + ": " + e.message }

func fail(code errorCode, message string) *apiError { return &apiError{code: code, message: message} }

// errStorage answers a change that could not be made durable.
func errStorage() *apiError {
	return fail(codeInternal, "The change could not be saved. Please retry.")
}

// PutEvents reports an event it could not queue durably in its entry, with the retryable
// code AWS documents for a failure on its side
// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html).
const (
	entryInternalFailure        = "InternalFailure"
	entryInternalFailureMessage = "The request processing has failed because of an unknown error, exception or failure."
)

// writeError renders err in AWS's JSON error shape. Errors that are not
// API errors become InternalException without their Go text.
func writeError(w http.ResponseWriter, err *apiError) {
	if err == nil {
		err = fail(codeInternal, "")
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", string(err.code))
	w.WriteHeader(err.code.status())
	body := map[string]string{"__type": string(err.code)}
	if err.message != "" {
		body["message"] = err.message
	}
	// The status is sent; an error writing the body means the client went away.
	_ = json.NewEncoder(w).Encode(body)
}
