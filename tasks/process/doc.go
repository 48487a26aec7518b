// Package process is the pipeline's second task: it turns a validated object into normalised, gzip
// compressed JSON Lines at a staging key, for the store task to commit.
//
// [Handler.Handle] reads the dataset's schema (schemas/<dataset>.json), then streams exactly the object
// version the event named (GetObject with If-Match on its ETag, and its VersionId when the event has one)
// through the same record readers (package records) and the same value coercion (package schema) that
// validation used, so that the two tasks agree by construction. Each record becomes one JSON object with
// every schema column in schema order: strings trimmed, integers and numbers as JSON numbers, booleans as
// JSON booleans, dates as "YYYY-MM-DD", timestamps as RFC 3339 in UTC, and null for an absent or empty
// value. The lines are gzip-compressed and uploaded as they are made to
// staging/<execution-name>/<source key without incoming/>.jsonl.gz ([tasks.StagingKey]) with the source
// version's Last-Modified time and its event's sequencer in the object's metadata ([tasks.MetaSourceLastModified],
// [tasks.MetaSourceSequencer]).
//
// The work is spread over the cores ([Parallelism], [WithParallelism]): the handler's goroutine reads and
// parses the records and cuts them into chunks of about 256 KiB of values; workers coerce and encode a
// chunk each (each value coerced and written straight into the chunk's lines, without allocating), gather its column statistics and compress its lines with github.com/klauspost/compress's
// deflate (the reading goroutine takes a chunk itself when every worker is busy); a collector writes the compressed pieces in order, merges the statistics and combines the
// CRC-32. The output is still one standard gzip member (RFC 1952), read by every gzip reader (the
// standard library, gzip -d and zcat, Python's gzip module, and readers that take only the first member
// of a file): each piece but the last ends with a sync flush, the last one closes the deflate stream, so
// the pieces join into one deflate stream, the technique of pigz. A piece starts with an empty window, so
// the output is about 1.5% larger than one compressor's; an object of one chunk (up to 256 KiB of
// values) is exactly the bytes of the gzip writer. Where chunks end depends only on the object, so the
// output of one object is the same bytes whenever it is processed at the same level, on any number of
// cores. Errors are those of reading record by record: the first record refused, in record order, is
// the result, whichever worker meets it first.
//
// The level is [DefaultCompressionLevel] (5, the compressor's default) unless [WithCompressionLevel] says
// otherwise. Compression is the largest share of the task's CPU time (about 45% on the benchmark's CSV,
// against about a quarter for coercing and encoding the values and a sixth for reading the CSV with the
// SHA-256 of the input), so a lower level is the quickest way to a faster task, and it is not taken: the
// output is kept and read again and again, and its bytes cost more than the CPU they would save.
// BenchmarkCompressionLevels weighs the levels on the task's own lines: on orders with varied values
// (generated on the sample schema), level 1 compresses 1 GiB of CSV in about 3 CPU-seconds less than
// level 5 (264 against 150 MiB of CSV per CPU second) but writes 23% more (27.7% of the CSV against
// 22.6%; on the benchmark's very regular CSV 26% more, 23.5% against 18.7%). At us-east-1 list prices
// (Lambda $0.0000166667 per GB-second, https://aws.amazon.com/lambda/pricing/; Athena $5 per TB scanned,
// https://aws.amazon.com/athena/pricing/; S3 Standard $0.023 per GB-month, https://aws.amazon.com/s3/pricing/)
// and the template's 1,024 MB (0.58 of a vCPU), those 3 CPU-seconds are about $0.00009 per GiB of CSV,
// while the 55 MB more output cost $0.00028 each time a query scans it whole (Athena, like Spark, reads
// the compressed bytes) and $0.0013 a month to store: one full scan costs three times the saving, two
// days of storage as much. Level 4 writes 7–13% more for 10–15% less compression time; level 6 writes
// 0–5% less for 19–30% more. In the task as a whole (MiB of the benchmark's CSV per CPU second of the
// process, the in-memory S3 server included, over three invocations per run), level 4 is about 7%
// faster than level 5 and level 1 about 15%.
//
// The result ([tasks.ProcessOutput]) names the staged object (key, ETag, version), counts its rows and
// compressed bytes, gives the SHA-256 of those bytes, and per column the number of non-null values
// (count), of nulls, and the least and greatest value, bounded as the tasks package documents (strings cut
// to [tasks.MaxStatStringBytes], exactly the prefix of the true least and greatest; columns up to
// [tasks.MaxColumnStatsBytes] of JSON).
//
// Memory is bounded whatever the object size: at most 3 × workers + 2 chunks exist at once (reading
// waits while they are all in flight), each worker keeps one chunk's lines and a compressor, and the
// upload holds at most (inFlight+1) parts of partSize bytes (by default 3 × 8 MiB, at most two parts in
// flight); the first of them starts at 16 KiB and doubles as output arrives, so a small object allocates
// a few KiB, not a part. A Handler reuses the compressors and line buffers of finished invocations (a
// sync.Pool), so a burst of small objects does not make a new deflate state (hundreds of KiB) for each;
// a host that builds a Handler per invocation shares a [BufferPool] between them ([WithBufferPool]).
// BenchmarkProcessPeakHeap1GiB measures the peak heap for a 1 GiB object: about 65 MiB with two
// workers (38 MiB when one goroutine encoded and one compressed): the upload's parts, the chunks in
// flight and each worker's compressor. An output larger than one part becomes a multipart upload,
// aborted on any failure, so nothing half-written becomes visible; outputs are limited to 10,000 parts
// (80 GB with the default part size).
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
