// Package tasks is the contract that flows between the pipeline's states: what the state machine passes to
// each Lambda task (validate, process, store), what each returns, the key layout of the pipeline bucket and
// the named error types that drive the state machine's Retry and Catch.
//
// The payloads are small by design (references to objects, counts and short reports, never data), so an
// execution stays far below Step Functions' 256 KiB payload limit. Where a result grows with the data it
// is bounded: a report carries at most [MaxReportedProblems] problems, and the process task's per-column
// statistics are cut to size rather than moved to S3 (they stay readable in the execution's history and
// need no extra object, read or cleanup): a string's min and max are at most [MaxStatStringBytes] bytes,
// flagged when cut, and the columns, in schema order, stop at [MaxColumnStatsBytes] of JSON, with
// [ProcessOutput].ColumnsOmitted counting the rest. A 1,024-column schema with 1 MiB values ends stored
// (test/e2e TestWideSchemaLongValues); unbounded, it failed with States.DataLimitExceeded, which leaves
// no failure record.
//
// Every task receives the same [Invocation]: the bucket and the "detail.object" of the EventBridge "Object
// Created" event that started the execution, and the execution's ARN. The state machine builds it with
//
//	"Payload": {"bucket.$": "$.detail.bucket.name", "object.$": "$.detail.object", "execution.$": "$$.Execution.Id", ...}
//
// Errors that Retry/Catch match on are returned by the handlers unwrapped, as the named types in errors.go:
// aws-lambda-go reports the Go type name as the Lambda errorType, and Step Functions matches ErrorEquals
// against it. The ErrorName* constants are those names; a test pins every one. Only *TransientError is
// retried; *ObjectNotFoundError, *ObjectChangedError, *InvalidInvocationError and *InvalidObjectError
// (an object the process task finds invalid although validation passed it) go straight to the catch-all.
// [ClassifyObject] maps an S3 error (aws-sdk-go-v2) to the right one: throttling, 5xx and broken
// connections to *TransientError, a missing object or version to *ObjectNotFoundError, a failed If-Match
// to *ObjectChangedError.
//
// The key layout of the pipeline bucket (keys.go) is part of the contract too: the Prefix* constants,
// [StagingKey] where the process task stages its output for the store task, and the user-metadata keys
// the process task sets on it ([MetaSourceLastModified], [MetaSourceSequencer]).
package tasks
