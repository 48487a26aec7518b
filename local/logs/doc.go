// Package logs is the local CloudWatch Logs: the API (AWS JSON 1.1, X-Amz-Target "Logs_20140328.<Operation>")
// as an http.Handler that the AWS SDKs and the AWS CLI talk to with only an endpoint override, and a Go API
// (CreateLogGroup, Put, and PutLent for messages lent as bytes only for the call, which it copies once as it
// writes them) through which the local stack writes the Lambda functions' and the state machine's logs.
//
// Served: CreateLogGroup, DeleteLogGroup, DescribeLogGroups, PutRetentionPolicy, DeleteRetentionPolicy,
// CreateLogStream, DeleteLogStream, DescribeLogStreams, PutLogEvents (with AWS's batch limits and its
// rejectedLogEventsInfo for events too new, too old or past retention), GetLogEvents (forward and
// backward tokens, startFromHead), FilterLogEvents (stream names or prefix, time range, filter patterns of
// package filter, paging), and StartLiveTail: an event stream (initial-response, sessionStart, then a
// sessionUpdate with the new matching events as they arrive and at least every second, at most 500,
// "sampled" beyond; a
// SessionTimeoutException after 3 hours). The SDKs send StartLiveTail to "stream-" + the endpoint's host:
// use DisableHostPrefix with the Go SDK and AWS_DISABLE_HOST_PREFIX_INJECTION=true with the AWS CLI.
// FilterLogEvents polled with a moving startTime is what `aws logs tail --follow` (AWS CLI v2) does; it
// works against this service too.
// Errors carry AWS's codes and messages (ResourceNotFoundException "The specified log group does not
// exist.", InvalidParameterException, ...), all with status 400.
//
// # Storage
//
// With a data directory (WithDataDir) every change is durable before the API answers: a batch's events
// are appended to a segment file and its index record (group, stream, segment, offset, length, CRC-32C,
// time span) to a journal kept by internal/durablelog. Memory holds that index only, one entry per batch,
// never the events, which are read back from their segment when asked for. Concurrent writes are committed
// together (group commit): the batches of every PutLogEvents and Put waiting while another is written go
// in one segment write and one journal append (one frame, all there after a crash or none), and each
// caller is answered once its own batches are durable; a failed write fails the callers whose batches it
// carried, and none of their events is kept. Retention (RetentionInDays)
// is applied every minute and by Expire: batches whose newest event is older than the group's retention
// leave the index, a segment none of whose batches is live any more is deleted, and the journal is
// compacted. WithSync adds an fsync of the segment and the journal before each answer; without it a
// change survives the death of the process (kill -9) but not a power loss.
//
// Not served: metric filters, subscription filters, Logs Insights queries, export tasks, KMS keys,
// data protection, log group classes other than STANDARD, space-delimited filter patterns, the
// deprecated sequence tokens (accepted and ignored), cross-account log groups, tags.
package logs
