package cloudformation

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// Code is a CloudFormation API error code, as the query protocol's <Error><Code> carries it. A Code is
// itself an error; wrap it with a message through apiErrorf.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html and the Errors
// section of each action in https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Operations.html
type Code string

// Error codes the service answers with.
const (
	// CodeValidation is CloudFormation's answer to almost every bad request: a stack that does not
	// exist, a template or parameter error, "No updates are to be performed.".
	CodeValidation              Code = "ValidationError"
	CodeAlreadyExists           Code = "AlreadyExistsException"
	CodeChangeSetNotFound       Code = "ChangeSetNotFound"
	CodeInsufficientCapabilites Code = "InsufficientCapabilitiesException"
	CodeInvalidChangeSetStatus  Code = "InvalidChangeSetStatus"
	CodeLimitExceeded           Code = "LimitExceededException"
	CodeTokenAlreadyExists      Code = "TokenAlreadyExistsException"
	CodeInvalidAction           Code = "InvalidAction"
	CodeMissingAction           Code = "MissingAction"
	CodeMalformedQueryString    Code = "MalformedQueryString"
	CodeInternalFailure         Code = "InternalFailure"
)

func (c Code) Error() string { return string(c) }

// status is the one place that maps a code to an HTTP status: ChangeSetNotFound is a 404 in the
// service model, an internal failure a 500, everything else a client error.
func (c Code) status() int {
	switch c {
	case CodeChangeSetNotFound:
		return http.StatusNotFound
	case CodeInternalFailure:
		return http.StatusInternalServerError
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

func apiErrorf(code Code, format string, args ...any) *apiError {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

// validationf is a ValidationError with AWS's message.
func validationf(format string, args ...any) *apiError {
	return apiErrorf(CodeValidation, format, args...)
}

// errStackNotFound is DescribeStacks' (and most operations') answer for a stack that does not exist;
// `aws cloudformation deploy` looks for exactly this text to decide to create the stack.
func errStackNotFound(name string) *apiError {
	return validationf("Stack with id %s does not exist", name)
}

// errStorage answers a change that could not be made durable: nothing was acknowledged.
func errStorage() *apiError {
	return apiErrorf(CodeInternalFailure, "The change could not be saved. Please retry.")
}

// queryNamespace is the XML namespace of CloudFormation's answers.
const queryNamespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// writeError writes the query protocol's ErrorResponse. Errors that are not API errors become
// InternalFailure without their Go text.
func writeError(w http.ResponseWriter, reqID string, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = apiErrorf(CodeInternalFailure, "An internal error occurred.")
	}
	status := e.code.status()
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>`, queryNamespace, fault, e.code)
	_ = xml.EscapeText(&b, []byte(e.message))
	fmt.Fprintf(&b, "</Message></Error><RequestId>%s</RequestId></ErrorResponse>", reqID)
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", reqID)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
