package cloudwatch

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go/encoding/cbor"
)

// apiError is a CloudWatch error: the Smithy shape name carried in "__type", the AWS query
// code carried in X-Amzn-Query-Error (what the SDK reports as the error code), a status and
// a message.
type apiError struct {
	Shape     string
	QueryCode string
	Status    int
	Message   string
}

func (e *apiError) Error() string { return e.QueryCode + ": " + e.Message }

// ErrorCode returns the code the SDK reports for this error (the AWS query code).
func (e *apiError) ErrorCode() string { return e.QueryCode }

func errInvalidValue(format string, args ...any) error {
	return &apiError{"InvalidParameterValueException", "InvalidParameterValue", http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func errMissing(param string) error {
	return &apiError{"MissingRequiredParameterException", "MissingParameter", http.StatusBadRequest,
		fmt.Sprintf("The parameter %s is required.", param)}
}

func errCombination(format string, args ...any) error {
	return &apiError{"InvalidParameterCombinationException", "InvalidParameterCombination", http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func errNextToken() error {
	return &apiError{"InvalidNextToken", "InvalidNextToken", http.StatusBadRequest, "The next token specified is invalid."}
}

func errSerialization(err error) error {
	return &apiError{"SerializationException", "SerializationException", http.StatusBadRequest, "Malformed request body: " + err.Error()}
}

// errUnknownOperation is the answer to an operation the service does not have: 404 in Smithy's RPC v2
// CBOR protocol (smithy.framework#UnknownOperationException), 400 in the AWS JSON protocol, as AWS's
// JSON services answer an unknown X-Amz-Target.
func errUnknownOperation(proto protocol, op string) error {
	status := http.StatusNotFound
	if proto == protoJSON {
		status = http.StatusBadRequest
	}
	return &apiError{"UnknownOperationException", "UnknownOperation", status, "Unknown operation " + op}
}

func errInternal() error {
	return &apiError{"InternalServiceFault", "InternalServiceError", http.StatusInternalServerError, "Internal service error."}
}

// writeError renders err in the protocol's error form: a body with "__type" and "message",
// and the query-compatible code in X-Amzn-Query-Error.
func writeError(w http.ResponseWriter, proto protocol, err error) {
	e, ok := err.(*apiError)
	if !ok {
		e = errInternal().(*apiError)
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+fault)
	shape := "com.amazonaws.cloudwatch#" + e.Shape
	if proto == protoJSON {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(e.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": shape, "message": e.Message})
		return
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(e.Status)
	_, _ = w.Write(cbor.Encode(cbor.Map{"__type": cbor.String(shape), "message": cbor.String(e.Message)}))
}
