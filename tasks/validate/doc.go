// Package validate is the pipeline's first task: it checks one incoming object against its dataset's
// schema and returns a [tasks.Report].
//
// [Handler.Handle] takes the invocation the state machine sends (bucket, the "Object Created" event's
// object, execution) and:
//   - requires the key to be under incoming/<dataset>/ (a key outside incoming/ is an
//     *tasks.InvalidInvocationError: the EventBridge rule never sends one);
//   - derives the format from the extension (.csv, .jsonl, .ndjson, .json, each optionally .gz);
//   - reads schemas/<dataset>.json from the same bucket and parses it (package schema);
//   - streams the object version the event named (GetObject with If-Match on its ETag, and its VersionId
//     when the event has one) through a SHA-256 digest, a byte counter with the schema's maxBytes, the
//     UTF-8 and format readers (package records), and every value through schema.Column.Check (Coerce's
//     verdict without building the value), counting rows against maxRows. The object is never held in
//     memory: one goroutine reads and parses, one digests, GOMAXPROCS goroutines check values. Plain
//     CSV with a one-byte delimiter goes faster with the same report: the reader only cuts the object
//     into chunks of whole records, and the workers split and check the rows of a chunk in place (a
//     chunk with quotes through a records reader of its own); from the first chunk with bad UTF-8, a
//     record over the size limit or malformed quotes (or the one that passes maxRows) on, one records
//     reader takes over (see csvchunks.go).
//
// An object that fails any check is a normal outcome: the report says Valid false, with the first
// tasks.MaxReportedProblems problems (line, column, code, message) and the count of all. The problem
// codes are those of packages schema and records, plus:
//
//	dataset   the key names no dataset (incoming/<name> directly)
//	format    the extension is unknown, or the schema does not accept the format
//	schema    schemas/<dataset>.json is missing, unreadable or invalid
//	maxBytes  the object is larger than the schema's limits.maxBytes
//	maxRows   the object has more rows than the schema's limits.maxRows
//
// Errors are for what a retry or a person must handle, returned unwrapped so that Lambda reports their
// type name (see package tasks): *tasks.TransientError (S3 throttling, 5xx, a broken connection),
// *tasks.ObjectNotFoundError (the object or version is gone), *tasks.ObjectChangedError (the object was
// overwritten after the event), *tasks.InvalidInvocationError.
//
// Each invocation logs one JSON line (log/slog) and writes one EMF metrics line: ObjectsValidated (1 when
// valid), ObjectsRejected (1 when not), Rows, Bytes, Problems and Duration (milliseconds), dimension
// Stage=validate.
package validate
