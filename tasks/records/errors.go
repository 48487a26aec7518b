package records

import (
	"fmt"
	"strings"

	"github.com/sluicehq/sluice/tasks"
)

// Problem codes used by this package, in errors and in Record.Problems.
const (
	CodeGzip       = "gzip"       // not gzip data, or corrupt or truncated gzip data
	CodeUTF8       = "utf8"       // the text is not valid UTF-8
	CodeSyntax     = "syntax"     // malformed CSV or JSON
	CodeRecordSize = "recordSize" // a record longer than the record size limit
	CodeHeader     = "header"     // the CSV header does not match the schema
	CodeColumns    = "columns"    // a CSV row with a different number of fields than the header
	CodeUnknown    = "unknown"    // a JSON member that is not a schema column
	CodeDuplicate  = "duplicate"  // a JSON member given twice in one record
	CodeRecord     = "record"     // a JSON record that is not an object
)

// Error means the object is malformed; reading cannot go on.
type Error struct {
	Line int64 // 1-based line where the problem was found; 0 when unknown (e.g. inside gzip framing)
	Code string
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Problem returns the error as a report problem.
func (e *Error) Problem() tasks.Problem {
	return tasks.Problem{Line: e.Line, Code: e.Code, Message: e.Msg}
}

// HeaderError means the CSV header row does not match the schema. Problems lists every mismatch.
type HeaderError struct {
	Problems []tasks.Problem
}

func (e *HeaderError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Message
	}
	return "header: " + strings.Join(msgs, "; ")
}

// SourceError is a failure of the underlying reader (for the tasks, reading the S3 object body).
type SourceError struct {
	Err error
}

func (e *SourceError) Error() string { return "read object: " + e.Err.Error() }
func (e *SourceError) Unwrap() error { return e.Err }
