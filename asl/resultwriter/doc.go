// Package resultwriter exports a Distributed Map's child execution results to an object store in the
// layout Step Functions writes to S3 for a ResultWriter:
// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
//
// Under <Prefix>/<Map Run id>/ (the id is the last part of the Map Run ARN) it writes SUCCEEDED_n.json
// for the child executions that succeeded, FAILED_n.json for those that failed, timed out or were
// aborted, and PENDING_n.json for items that never ran, each a JSON array of records (or with
// WriterConfig OutputType JSONL, one record a line, in SUCCEEDED_n.jsonl and so on), a new file
// starting when one would pass MaxFileBytes (5 GiB, S3's single PUT limit, by default); then
// manifest.json: {"DestinationBucket", "MapRunArn", "ResultFiles": {"FAILED": [...], "PENDING": [...],
// "SUCCEEDED": [...]}} with each file's Key and Size. Groups with no record have no file.
//
// A record is, with WriterConfig Transformation NONE (the default), the child execution's metadata:
// ExecutionArn, Input, InputDetails, Name, Output, OutputDetails, RedriveCount, RedriveStatus,
// RedriveStatusReason, StartDate, StateMachineArn, Status, StopDate (Error and Cause for a failure). With
// COMPACT a succeeded child's record is its output alone, and with FLATTEN an output that is an array
// gives one record per element; failed children keep the NONE record, as AWS documents.
//
// Records are spilled to temporary files as they arrive and each file is uploaded as soon as it is
// complete, so memory holds one record at a time and the disk at most one file per group.
package resultwriter
