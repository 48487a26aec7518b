package cloudwatch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Code is a CloudWatch error code: the Smithy shape name an error response's "__type" carries. A
// Code is itself an error; errors the service answers with wrap one (errors.Is finds it).
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html and the Errors
// section of each action.
type Code string

// Error codes the service answers with.
const (
	CodeInvalidParameterValue       Code = "InvalidParameterValueException"
	CodeMissingRequiredParameter    Code = "MissingRequiredParameterException"
	CodeInvalidParameterCombination Code = "InvalidParameterCombinationException"
	CodeInvalidNextToken            Code = "InvalidNextToken"
	CodeSerialization               Code = "SerializationException"
	CodeUnknownOperation            Code = "UnknownOperationException"
	CodeRequestEntityTooLarge       Code = "RequestEntityTooLarge"
	CodeInternalServiceFault        Code = "InternalServiceFault"
	// CodeInvalidAction answers a query protocol request for an action the service does not have.
	CodeInvalidAction Code = "InvalidAction"
)

func (c Code) Error() string { return string(c) }

// wire is what crosses the wire with a code: the AWS query code (X-Amzn-Query-Error, the code
// the SDK reports) and the HTTP status.
type wire struct {
	query  string
	status int
}

// codes is the one table mapping each code to its query code and status (see also status).
var codes = map[Code]wire{
	CodeInvalidParameterValue:       {"InvalidParameterValue", http.StatusBadRequest},
	CodeMissingRequiredParameter:    {"MissingParameter", http.StatusBadRequest},
	CodeInvalidParameterCombination: {"InvalidParameterCombination", http.StatusBadRequest},
	CodeInvalidNextToken:            {"InvalidNextToken", http.StatusBadRequest},
	CodeSerialization:               {"SerializationException", http.StatusBadRequest},
	CodeUnknownOperation:            {"UnknownOperation", http.StatusNotFound},
	CodeRequestEntityTooLarge:       {"RequestEntityTooLarge", http.StatusRequestEntityTooLarge},
	CodeInternalServiceFault:        {"InternalServiceError", http.StatusInternalServerError},
	CodeInvalidAction:               {"InvalidAction", http.StatusBadRequest},
}

// apiError is an error that crosses the wire: a code and the message AWS would send.
type apiError struct {
	code    Code
	message string
}

func (e *apiError) Error() string { return string(e.code) + ": " + e.message }
func (e *apiError) Unwrap() error { return e.code }

// ErrorCode returns the code the SDK reports for this error (the AWS query code).
func (e *apiError) ErrorCode() string { return codes[e.code].query }

func apiErrorf(code Code, format string, args ...any) error {
	return &apiError{code: code, message: fmt.Sprintf(format, args...)}
}

func errInvalidValue(format string, args ...any) error {
	return apiErrorf(CodeInvalidParameterValue, format, args...)
}

func errMissing(param string) error {
	return apiErrorf(CodeMissingRequiredParameter, "The parameter %s is required.", param)
}

func errCombination(format string, args ...any) error {
	return apiErrorf(CodeInvalidParameterCombination, format, args...)
}

func errNextToken() error {
	return apiErrorf(CodeInvalidNextToken, "The next token specified is invalid.")
}

func errSerialization(err error) error {
	return apiErrorf(CodeSerialization, "Malformed request body: %v", err)
}

func errUnknownOperation(op string) error {
	return apiErrorf(CodeUnknownOperation, "Unknown operation %s", op)
}

// status is the HTTP status of a code in a protocol. An unknown operation is 404 in Smithy's RPC
// v2 CBOR protocol (smithy.framework#UnknownOperationException) and 400 in the AWS JSON protocol,
// as AWS's JSON services answer an unknown X-Amz-Target.
func (c Code) status(proto protocol) int {
	if c == CodeUnknownOperation && proto == protoJSON {
		return http.StatusBadRequest
	}
	return codes[c].status
}

var errInternal = &apiError{code: CodeInternalServiceFault, message: "Internal service error."}

// writeError renders err in the protocol's error form: a body with "__type" and "message", and
// the query-compatible code in X-Amzn-Query-Error. An error that is not an apiError is internal:
// its text is not shown to the client.
func writeError(w http.ResponseWriter, proto protocol, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = errInternal
	}
	status := e.code.status(proto)
	fault := "Sender"
	if status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", codes[e.code].query+";"+fault)
	shape := "com.amazonaws.cloudwatch#" + string(e.code)
	if proto == protoJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		// The status is sent; an error writing the body means the client went away.
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": shape, "message": e.message})
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(shape), "message": cbor.String(e.message)})) // as above
}
