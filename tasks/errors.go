package tasks

import (
	"strconv"
	"strings"
)

// The errors below drive the state machine's Retry and Catch. Handlers return them unwrapped (a pointer to
// the type itself, never inside fmt.Errorf or errors.Join) so that aws-lambda-go reports the type name as
// the Lambda errorType that ErrorEquals matches.

// Error names as Step Functions sees them.
const (
	ErrorNameTransient         = "TransientError"
	ErrorNameObjectNotFound    = "ObjectNotFoundError"
	ErrorNameObjectChanged     = "ObjectChangedError"
	ErrorNameInvalidInvocation = "InvalidInvocationError"
	ErrorNameInvalidObject     = "InvalidObjectError"
	ErrorNameSchema            = "SchemaError"
)

// SchemaError means the dataset's schema object (schemas/<dataset>.json) is broken: it does not parse,
// breaks the format's rules, or names another dataset. That is a configuration error, not a problem of
// the data: the object is not quarantined, and the execution fails at once (not retried) with this
// error, recorded under failed/ with the outcome "misconfigured". Once the schema is fixed, uploading the
// object again runs it through. Problems lists every problem with its location.
type SchemaError struct {
	Key      string   // the schema object's key
	Problems []string // e.g. "line 5 column 25: columns[0].type: \"strin\" is not one of: ..."
}

func (e *SchemaError) Error() string {
	return "schema " + e.Key + " is invalid: " + strings.Join(e.Problems, "; ")
}

// TransientError is a failure worth retrying: S3 throttling (503 SlowDown), S3 5xx, a dropped connection.
type TransientError struct {
	Op  string // what was being done, e.g. "get incoming/sales/a.csv"
	Err error
}

func (e *TransientError) Error() string { return "transient: " + e.Op + ": " + e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

// ObjectNotFoundError means the object (or the version the event named) no longer exists. Not retryable.
type ObjectNotFoundError struct {
	Bucket, Key string
}

func (e *ObjectNotFoundError) Error() string {
	return "object not found: s3://" + e.Bucket + "/" + e.Key
}

// ObjectChangedError means the object was overwritten after the event: its ETag no longer matches the
// one the event named. Not retryable; the newer version has an event and an execution of its own.
type ObjectChangedError struct {
	Bucket, Key, WantETag string
}

func (e *ObjectChangedError) Error() string {
	return "object changed since the event: s3://" + e.Bucket + "/" + e.Key + " no longer has ETag " + e.WantETag
}

// InvalidInvocationError means the task's input is not what the state machine should send (missing bucket
// or key, unknown action). Not retryable: it is a bug in the state machine or a hand-started execution.
type InvalidInvocationError struct {
	Reason string
}

func (e *InvalidInvocationError) Error() string { return "invalid invocation: " + e.Reason }

// InvalidObjectError means the object, read again by the process task, does not pass its schema although
// validation accepted it: the dataset's schema changed in between, or validate and process disagree (a
// bug). Nothing is staged and no row is dropped silently. Not retryable: the same bytes fail the same way,
// so the state machine's catch-all records it under failed/.
type InvalidObjectError struct {
	Line    int64  // 1-based line of the record; 0 when the problem concerns the whole object
	Column  string // the column, when known
	Code    string // a schema or records problem code, e.g. "type", "required", "syntax"
	Message string
}

func (e *InvalidObjectError) Error() string {
	msg := "object no longer valid at processing"
	if e.Line > 0 {
		msg += ": line " + strconv.FormatInt(e.Line, 10)
	}
	if e.Column != "" {
		msg += ": column " + strconv.Quote(e.Column)
	}
	return msg + ": " + e.Message
}

// Problem returns the error as a report problem.
func (e *InvalidObjectError) Problem() Problem {
	return Problem{Line: e.Line, Column: e.Column, Code: e.Code, Message: e.Message}
}
