// Package s3 is the local Amazon S3: an S3 REST API (path-style addressing) as an http.Handler,
// built on github.com/johannesboyne/gofakes3 with a persistent on-disk backend, that emits
// Amazon EventBridge events shaped exactly as S3 sends them.
//
// # Contract
//
//   - Durability: all metadata (buckets, versions, multipart uploads, pending events) goes to
//     one journal kept in internal/durablelog: every entry carries a CRC-32C, an entry is the
//     commit point of its change, a torn tail is cut at start-up, and a corrupt entry is
//     skipped and logged at Error level while every later entry is kept (blobs that only the
//     lost entry referenced are moved to lost+found/<bucket>/, not deleted). The journal is
//     compacted at start-up and, past WithJournalLimit, while the server runs. Object
//     data is written before the entry that references it: objects up to 1 MiB are appended
//     to a per-bucket data segment, larger ones go to a temp file renamed into place. So a
//     crash (kill -9 included) never leaves a half-written object, and a new Service over the
//     same directory sees every acknowledged write; unreferenced data is collected at
//     start-up. With WithSync(true) (the default) data and journal are fsynced before a write
//     is acknowledged (concurrent writers share fsyncs), which extends this to power loss.
//     Space of overwritten or deleted small objects is reclaimed at start-up, when a segment
//     holds more garbage than live data (WithCompaction).
//   - Disk errors: a write is answered 200 only once durable. A full disk, or a journal that
//     failed a write (it then refuses writes until one succeeds again), answers 503
//     ServiceUnavailable; any other disk error 500 InternalError (both retried by the SDKs);
//     never a 4xx. The journal never writes after a partial entry, so freeing space is all it
//     takes to carry on, and a restart keeps every acknowledged write.
//   - Versioning: PutBucketVersioning Enabled/Suspended, version IDs, delete markers,
//     ListObjectVersions, GetObject/HeadObject/DeleteObject with versionId.
//   - Concurrency: writes to one key are serialised from the read of its current state to
//     its commit, so conditional writes are linearisable (of N racing If-None-Match: *
//     writers exactly one wins); writes to different keys of a bucket run in parallel, the
//     bucket lock covering only the in-memory update that follows the journal entry. Readers
//     see a change only once its journal entry is written (and, with sync, on disk).
//   - Conditional requests: PutObject and CompleteMultipartUpload honour If-None-Match: * and
//     If-Match (412 PreconditionFailed, 404 NoSuchKey when If-Match names a missing object,
//     409 ConditionalRequestConflict when the key was deleted while a conditional multipart
//     upload was in progress); GetObject and HeadObject honour If-Match, If-None-Match,
//     If-Modified-Since and If-Unmodified-Since with RFC 7232 precedence.
//   - Events: for buckets whose notification configuration enables EventBridge
//     (PutBucketNotificationConfiguration with EventBridgeConfiguration, or
//     Service.SetEventBridge), PutObject, POST Object, CopyObject and CompleteMultipartUpload
//     emit "Object Created", and DeleteObject/DeleteObjects emit "Object Deleted", in the
//     envelope and detail shape documented at
//     https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html.
//     An event is recorded on disk in the same atomic write that commits the object change,
//     then handed to the Publisher by one delivery goroutine, the events of each key in
//     commit (sequencer) order; events of different keys written at the same moment may be
//     handed over in either order, as S3 does not order them either
//     (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html). A failed Publish
//     is retried with capped exponential back-off until it succeeds; the event leaves the disk
//     only after a successful Publish. Delivery is therefore at-least-once across crashes and
//     restarts (an event published just before a crash may be published again), never lost,
//     and a publisher that fails forever stalls delivery rather than dropping events.
//   - Object tags: PutObject's x-amz-tagging (S3's limits: 10 tags, keys of 128 and values of 256
//     characters, 400 InvalidTag), kept with the version, counted in x-amz-tagging-count and read with
//     GetObjectTagging; CopyObject's tagging directive COPY (the default) copies them, REPLACE takes
//     x-amz-tagging. PutObjectTagging, DeleteObjectTagging, tags on multipart uploads and bucket tagging
//     are not emulated (501 NotImplemented, or the tags are dropped).
//   - Copies: CopyObject (metadata and tagging directives, x-amz-copy-source-if-* conditions) and UploadPartCopy
//     (x-amz-copy-source-range "bytes=first-last", the same conditions; the part is stored as an
//     UploadPart part), each refusing a source (or range) over 5 GiB as S3 does (400 InvalidRequest),
//     so larger objects are copied part by part.
//   - Wire details handled in front of gofakes3: aws-chunked request bodies (signed and
//     unsigned, with trailing checksums) from aws-sdk-go-v2, x-amz-checksum-* validation and
//     echo, multipart ETags ("md5-N") on GetObject/HeadObject/ListObjects, ranged GET.
//
// Everything else (bucket create/delete/list, ListObjects v1/v2, ListObjectVersions,
// CreateMultipartUpload, UploadPart, ListParts, ListMultipartUploads, AbortMultipartUpload,
// versioning configuration) is gofakes3 over this package's backend.
//
// Not emulated: authentication (signatures are not checked), ACLs, bucket policies, object
// lock, lifecycle rules, replication, SSE, tag writes after the fact (see above), virtual-host
// addressing.
package s3
