// Package process is the pipeline's second task: it turns a validated object into normalised, gzip
// compressed JSON Lines at a staging key, for the store task to commit.
//
// [Handler.Handle] reads the dataset's schema (schemas/<dataset>.json), then streams exactly the object
// version the event named (GetObject with If-Match on its ETag, and its VersionId when the event has one)
// through the same record readers (package records) and the same value coercion (package schema) that
// validation used, so that the two tasks agree by construction. Each record becomes one JSON object with
// every schema column in schema order: strings trimmed, integers and numbers as JSON numbers, booleans as
// JSON booleans, dates as "YYYY-MM-DD", timestamps as RFC 3339 in UTC, and null for an absent or empty
// value. The lines are gzip-compressed (github.com/klauspost/compress's gzip writer: one standard gzip member,
// as the standard library writes it, at about a third of its CPU time per byte at the default level) and uploaded as they are made to
// staging/<execution-name>/<source key without incoming/>.jsonl.gz ([tasks.StagingKey]) with the source
// version's Last-Modified time and its event's sequencer in the object's metadata ([tasks.MetaSourceLastModified],
// [tasks.MetaSourceSequencer]).
//
// The result ([tasks.ProcessOutput]) names the staged object (key, ETag, version), counts its rows and
// compressed bytes, gives the SHA-256 of those bytes, and per column the number of non-null values
// (count), of nulls, and the least and greatest value, bounded as the tasks package documents (strings cut
// to [tasks.MaxStatStringBytes], exactly the prefix of the true least and greatest; columns up to
// [tasks.MaxColumnStatsBytes] of JSON).
//
// Memory is bounded whatever the object size: records are read one at a time, lines are gathered in
// 64 KiB batches that a second goroutine compresses (at most five batches exist, so encoding and
// compression overlap on two cores without queueing), and the upload holds at most (inFlight+1) parts of
// partSize bytes (by default 3 × 8 MiB, at most two parts in flight); the first of them starts at 16 KiB
// and doubles as output arrives, so a small object allocates a few KiB, not a part; batch buffers too are
// made when needed, the first small. A Handler reuses the gzip writers and batch buffers of finished
// invocations (a sync.Pool), so a burst of small objects does not make a new deflate state (about
// 750 KiB) for each; a host that builds a Handler per invocation shares a [BufferPool] between them
// ([WithBufferPool]). The measured peak heap for a 1 GiB
// object is under 40 MiB (BenchmarkProcessPeakHeap1GiB). An output larger than one part becomes a
// multipart upload, aborted on any failure, so nothing half-written becomes visible; outputs are limited
// to 10,000 parts (80 GB with the default part size).
//
// A connection that breaks off mid-object is resumed where it stopped (a ranged GetObject with the same
// If-Match and VersionId), up to three times per run, so a large object is not read again from the start.
//
// Failures are returned unwrapped, for the state machine's Retry and Catch: S3 errors through
// [tasks.ClassifyObject] (*tasks.TransientError, *tasks.ObjectNotFoundError, *tasks.ObjectChangedError),
// *tasks.InvalidInvocationError for an input the state machine should not send, and *[tasks.InvalidObjectError]
// when the object no longer passes its schema. The bytes read must also be the bytes validated (same
// SHA-256, size and row count as the report), or the result is *tasks.ObjectChangedError: an object is
// never processed differently from how it was validated, and no row is ever dropped silently.
package process
