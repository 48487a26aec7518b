// Package store is the pipeline's last task: it makes a processed object visible, quarantines a rejected
// one, or records a failure, according to the [tasks.StoreInput]'s action.
//
// Commit (action "commit") publishes the output that the process task staged:
//
//  1. read the manifest manifests/<dataset>/<name>.<etag>.json; if it exists the object version was
//     already committed, and the outcome is "duplicate" ("stored" when this same execution wrote it, so a
//     retried commit answers as the first one did); nothing under processed/ or manifests/ is written;
//  2. read the staged object's metadata (HeadObject with If-Match on its ETag) for the partition date;
//  3. copy the staged object to processed/<dataset>/dt=<date>/<stem>.jsonl.gz (CopySourceIfMatch on the
//     staged ETag), unless the object there came from a later version of the same source key (by the
//     events' sequencers, which the copy carries in [tasks.MetaSourceSequencer]): an older version
//     committed last never replaces a newer one's output, and its manifest says it was superseded. The
//     copy is conditional on the processed object it checked (If-None-Match or If-Match), so a commit in
//     between is seen and the check runs again;
//  4. write the manifest with If-None-Match "*": it is the commit point. A 412 means another execution
//     committed the same object version first, and the outcome is "duplicate";
//  5. delete the staged object (in a versioned bucket, its version and then the key, so that no earlier
//     attempt's version of the staging key becomes current again).
//
// A crash between any two steps leaves no manifest, or a complete one: the processed copy made before the
// manifest holds the same bytes whichever execution made it (processing is deterministic), and running the
// commit again finishes the work. Readers trust manifests, not listings of processed/.
//
// The partition date is the UTC calendar date of the source version's Last-Modified time, which the
// process task records in the staged object's metadata ([tasks.MetaSourceLastModified]): the same object version
// always lands in the same partition, whenever and however often it is processed.
//
// Copies are single CopyObject requests up to CopyObject's limit of 5 GiB
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html) and multipart copies above it
// (UploadPartCopy parts of 512 MiB, more when 10,000 would not do; [WithMultipartCopy] lowers the
// threshold for tests): each part is held to the source's ETag, the destination's conditions go on
// CompleteMultipartUpload, the source's metadata is kept, and a failed copy is aborted. A multipart copy
// does not carry the source's tags over, as CopyObject does by default.
//
// Fail records a failure with the outcome "recorded", or "misconfigured" when the caught error is a
// tasks.SchemaError (the dataset's schema is broken), each with its own metric (ObjectsFailed,
// ObjectsMisconfigured).
//
// Quarantine (action "quarantine") copies the rejected source version to quarantine/<dataset>/<name>
// (CopySourceIfMatch on the event's ETag) and writes the validation report beside it as
// quarantine/<dataset>/<name>.report.json. Fail (action "fail") writes the failure a Catch clause caught
// to failed/<dataset>/<name>.<execution-name>.json. Both overwrite on a re-run with the same content.
//
// Here <dataset> and <name> come from the source key incoming/<dataset>/<name>; <name> keeps any
// sub-folders and the original extension (incoming/sales/2026/a.csv.gz has dataset "sales" and name
// "2026/a.csv.gz"), so two source objects never share a manifest, quarantine or failure key. The
// processed output is named after <stem>, the name without its format extension and compression
// ([tasks.OutputStem]: 2026/a.csv.gz gives 2026/a.jsonl.gz). When another source key of the dataset
// already owns that name in that partition (a.csv and a.jsonl on the same day), the output keeps the
// whole name instead (a.jsonl.jsonl.gz): the processed object records its source key
// ([tasks.MetaSourceKey]) and a commit never replaces another source's output.
//
// A key the rule delivers that is not incoming/<dataset>/<name> (incoming/a.csv, incoming/orders/) is
// rejected by validation; quarantine and fail keep it under the dataset "_unknown", with the rest of the
// key as its name (slashes made "_"), so every delivered key ends in one outcome.
//
// S3 errors are returned as the named types of package tasks (unwrapped, so the state machine's Retry and
// Catch see their names): throttling and 5xx as *tasks.TransientError, a missing staged or source object as
// *tasks.ObjectNotFoundError, a changed one as *tasks.ObjectChangedError, and a malformed input as
// *tasks.InvalidInvocationError.
package store
