package tasks

import (
	"encoding/json"
	"strings"
)

// S3Object is the "detail.object" member of an S3 "Object Created" event delivered by EventBridge
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html). VersionID is present only for
// versioned buckets.
type S3Object struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"etag"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer,omitempty"`
}

// Invocation is what every task receives: the object the execution is about and the execution's ARN.
type Invocation struct {
	Bucket    string   `json:"bucket"`
	Object    S3Object `json:"object"`
	Execution string   `json:"execution"`
}

// Source returns the object version the invocation names.
func (in Invocation) Source() ObjectRef {
	return ObjectRef{Bucket: in.Bucket, Key: in.Object.Key, ETag: in.Object.ETag, VersionID: in.Object.VersionID, Size: in.Object.Size}
}

// ObjectRef names one version of one object.
type ObjectRef struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	ETag      string `json:"etag,omitempty"`
	VersionID string `json:"versionId,omitempty"`
	Size      int64  `json:"size,omitempty"`
}

// ValidateInput is the validate task's input.
type ValidateInput = Invocation

// Report is the validate task's result. An invalid object is a normal outcome (Valid false), not an error.
// Errors holds at most MaxReportedProblems entries; ProblemCount counts them all.
type Report struct {
	Valid        bool      `json:"valid"`
	Dataset      string    `json:"dataset"`
	Format       string    `json:"format"`                // "csv", "jsonl" or "json" (a JSON array)
	Compression  string    `json:"compression,omitempty"` // "gzip" or empty
	Rows         int64     `json:"rows"`
	Bytes        int64     `json:"bytes"`  // bytes read from S3 (compressed size when gzip)
	SHA256       string    `json:"sha256"` // hex digest of the bytes read from S3
	Problems     []Problem `json:"problems,omitempty"`
	ProblemCount int64     `json:"problemCount"`
}

// MaxReportedProblems bounds Report.Problems so reports stay small.
const MaxReportedProblems = 20

// Problem is one reason an object is invalid. Line is 1-based (0 when the problem concerns the whole
// object); Column is the column name (CSV header or JSON field) when known.
type Problem struct {
	Line    int64  `json:"line,omitempty"`
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"` // stable machine-readable code, e.g. "type", "required", "header", "utf8"
	Message string `json:"message"`
}

// ProcessInput is the process task's input: the invocation and the validation report it acts on.
type ProcessInput struct {
	Invocation
	Report Report `json:"report"`
}

// ProcessOutput is the process task's result: where the staged output is and what it holds.
type ProcessOutput struct {
	Staging ObjectRef `json:"staging"`
	Rows    int64     `json:"rows"`
	Bytes   int64     `json:"bytes"`  // compressed bytes written
	SHA256  string    `json:"sha256"` // hex digest of the staged object's bytes
	// Columns holds the statistics of the first columns in schema order, as many as fit in
	// MaxColumnStatsBytes; ColumnsOmitted counts the rest, whose statistics are not reported.
	Columns        []ColumnStats `json:"columns"`
	ColumnsOmitted int           `json:"columnsOmitted,omitempty"`
}

// Bounds on what the process task returns, so that its result stays far below Step Functions' 256 KiB
// limit on a state's input and output, which the pipeline's state holds together with the event and the
// validation report. Past that limit the execution fails with States.DataLimitExceeded, which the
// pipeline's Catch on States.ALL cannot be relied on to catch, leaving no failure record
// (https://docs.aws.amazon.com/step-functions/latest/dg/limits-overview.html,
// https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
const (
	// MaxStatStringBytes bounds a string column's Min and Max: longer values are reported by their
	// first MaxStatStringBytes bytes (cut at a UTF-8 character boundary) with MinTruncated or
	// MaxTruncated set.
	MaxStatStringBytes = 64
	// MaxColumnStatsBytes bounds the JSON encoding of ProcessOutput.Columns.
	MaxColumnStatsBytes = 64 << 10
)

// ColumnStats summarises one output column. Min and Max are the JSON values of the column's type, exactly
// as the output writes them (strings for string/date/timestamp, numbers for integer/number/decimal,
// booleans for boolean): kept as JSON text so that no integer or decimal is rounded through a float64 on
// its way through Step Functions to the manifest. Absent when every value is null.
type ColumnStats struct {
	Name  string          `json:"name"`
	Count int64           `json:"count"`
	Nulls int64           `json:"nulls"`
	Min   json.RawMessage `json:"min,omitempty"`
	Max   json.RawMessage `json:"max,omitempty"`
	// MinTruncated and MaxTruncated say that Min or Max is the first MaxStatStringBytes bytes of a
	// longer string: the prefix of the true least or greatest value.
	MinTruncated bool `json:"minTruncated,omitempty"`
	MaxTruncated bool `json:"maxTruncated,omitempty"`
}

// StoreAction says what the store task does.
type StoreAction string

// Store actions.
const (
	ActionCommit     StoreAction = "commit"     // copy staged output to processed/, write the manifest
	ActionQuarantine StoreAction = "quarantine" // copy the rejected object to quarantine/ with its report
	ActionFail       StoreAction = "fail"       // write a failure record to failed/
)

// StoreInput is the store task's input. Report is set for commit and quarantine, Result for commit, Failure
// for fail.
type StoreInput struct {
	Invocation
	Action  StoreAction    `json:"action"`
	Report  *Report        `json:"report,omitempty"`
	Result  *ProcessOutput `json:"result,omitempty"`
	Failure *Failure       `json:"failure,omitempty"`
}

// Failure is what a Catch clause puts at its ResultPath: the error name and its cause (for a Lambda function
// error, the cause is the JSON text {"errorMessage": ..., "errorType": ...}).
type Failure struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// StoreOutput is the store task's result.
type StoreOutput struct {
	Action StoreAction `json:"action"`
	// Outcome is "stored", "duplicate" (a manifest for this object version already existed: nothing was
	// written), "quarantined" or "recorded".
	Outcome  string `json:"outcome"`
	Key      string `json:"key"`                // the processed, quarantined or failure-record key
	Manifest string `json:"manifest,omitempty"` // the manifest key, for commit
}

// QuoteETag returns etag in the quoted form that HTTP conditional headers (If-Match,
// x-amz-copy-source-if-match) carry; events carry ETags unquoted.
func QuoteETag(etag string) string {
	if strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}
