package process

import (
	"strconv"

	"github.com/sluicehq/sluice/tasks"
)

// ErrorNameInvalidObject is the Lambda errorType of *InvalidObjectError: the Error a Catch clause sees.
const ErrorNameInvalidObject = "InvalidObjectError"

// InvalidObjectError means the object, read again for processing, does not pass its schema although
// validation accepted it: the dataset's schema changed in between, or validate and process disagree (a
// bug). Nothing is staged and no row is dropped silently. It is not retryable; the state machine's
// catch-all records it under failed/. Handlers return it unwrapped, so its name is the Lambda errorType.
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
func (e *InvalidObjectError) Problem() tasks.Problem {
	return tasks.Problem{Line: e.Line, Column: e.Column, Code: e.Code, Message: e.Message}
}
