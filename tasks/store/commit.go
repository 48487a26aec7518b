package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

// partitionLayout formats the dt= partition date.
const partitionLayout = "2006-01-02"

// commit publishes a staged output; see the package documentation for the order of the steps.
func (h *Handler) commit(ctx context.Context, in tasks.StoreInput) (tasks.StoreOutput, error) {
	out := tasks.StoreOutput{Action: tasks.ActionCommit}
	dataset, name, err := checkSource(in)
	if err != nil {
		return out, err
	}
	if in.Report == nil || in.Result == nil {
		return out, &tasks.InvalidInvocationError{Reason: "commit needs the validation report and the process result"}
	}
	staged := in.Result.Staging
	if staged.Bucket == "" {
		staged.Bucket = in.Bucket
	}
	if staged.Key == "" || staged.ETag == "" {
		return out, &tasks.InvalidInvocationError{Reason: "commit needs the staged object's key and etag"}
	}
	out.Manifest = manifestKey(dataset, name, in.Object.ETag)

	existing, err := h.readManifest(ctx, in.Bucket, out.Manifest)
	if err != nil {
		return out, err
	}
	if existing != nil {
		return h.settle(ctx, in, staged, existing, out)
	}

	lastModified, err := h.sourceLastModified(ctx, staged)
	if err != nil {
		return out, err
	}
	date := lastModified.UTC().Format(partitionLayout)
	var output tasks.ObjectRef
	var superseded bool
	for _, key := range processedKeys(dataset, date, name) {
		out.Key = key
		output, superseded, err = h.publish(ctx, staged, tasks.ObjectRef{Bucket: in.Bucket, Key: key}, in.Object.Sequencer, in.Object.Key)
		if !errors.Is(err, errOwned) {
			break
		}
	}
	if err != nil {
		return out, err
	}
	output.Size = in.Result.Bytes

	m := &Manifest{
		Dataset: dataset,
		Source: Source{
			ObjectRef:    in.Source(),
			LastModified: lastModified.UTC(),
			Format:       in.Report.Format,
			Compression:  in.Report.Compression,
			Bytes:        in.Report.Bytes,
			SHA256:       in.Report.SHA256,
		},
		Output: Output{
			ObjectRef:      output,
			Rows:           in.Result.Rows,
			Bytes:          in.Result.Bytes,
			SHA256:         in.Result.SHA256,
			Columns:        in.Result.Columns,
			ColumnsOmitted: in.Result.ColumnsOmitted,
			Superseded:     superseded,
		},
		Date:      date,
		Execution: in.Execution,
		Committed: h.now().UTC(),
	}
	created, err := h.createManifest(ctx, in.Bucket, out.Manifest, m)
	if err != nil {
		return out, err
	}
	if !created {
		// Another execution committed this version between our read and our write (or an earlier attempt
		// of this very request did, and S3 answered its retry with 412): settle on what is there.
		winner, err := h.readManifest(ctx, in.Bucket, out.Manifest)
		if err != nil {
			return out, err
		}
		if winner == nil {
			return out, &tasks.TransientError{Op: "put " + out.Manifest, Err: fmt.Errorf("manifest write refused but no manifest found")}
		}
		return h.settle(ctx, in, staged, winner, out)
	}
	if err := h.deleteStaged(ctx, staged); err != nil {
		return out, err
	}
	out.Outcome = OutcomeStored
	return out, nil
}

// settle finishes a commit whose object version already has a manifest: this execution's staged output
// will never be published, so it is deleted, and the outcome names who committed.
func (h *Handler) settle(ctx context.Context, in tasks.StoreInput, staged tasks.ObjectRef, m *Manifest, out tasks.StoreOutput) (tasks.StoreOutput, error) {
	if err := h.deleteStaged(ctx, staged); err != nil {
		return out, err
	}
	out.Key = m.Output.Key
	out.Outcome = OutcomeDuplicate
	if m.Execution == in.Execution {
		out.Outcome = OutcomeStored
	}
	return out, nil
}

// sourceLastModified reads the source version's Last-Modified time that the process task recorded on the
// staged object, checking on the way that the staged object is still the one the result names.
func (h *Handler) sourceLastModified(ctx context.Context, staged tasks.ObjectRef) (time.Time, error) {
	head := &s3.HeadObjectInput{
		Bucket:  aws.String(staged.Bucket),
		Key:     aws.String(staged.Key),
		IfMatch: aws.String(tasks.QuoteETag(staged.ETag)),
	}
	if staged.VersionID != "" {
		head.VersionId = aws.String(staged.VersionID)
	}
	out, err := h.s3.HeadObject(ctx, head)
	if err != nil {
		return time.Time{}, tasks.ClassifyObject("head "+staged.Key, staged, err)
	}
	raw, ok := out.Metadata[tasks.MetaSourceLastModified]
	if !ok {
		return time.Time{}, fmt.Errorf("staged object s3://%s/%s has no %s metadata", staged.Bucket, staged.Key, tasks.MetaSourceLastModified)
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, fmt.Errorf("staged object s3://%s/%s: metadata %s: %w", staged.Bucket, staged.Key, tasks.MetaSourceLastModified, err)
	}
	return t, nil
}

// deleteStaged removes the staged output. In a versioned bucket it deletes the exact version the result
// names, then the key itself: an earlier attempt of the same execution may have staged another version of
// the key (its write took effect but its answer was lost), which deleting one version would make current
// again. The delete marker leaves those versions noncurrent, for the bucket's lifecycle to expire.
// Deleting a key that is already gone succeeds, so a re-run is harmless.
func (h *Handler) deleteStaged(ctx context.Context, staged tasks.ObjectRef) error {
	if staged.VersionID != "" {
		del := &s3.DeleteObjectInput{Bucket: aws.String(staged.Bucket), Key: aws.String(staged.Key), VersionId: aws.String(staged.VersionID)}
		if _, err := h.s3.DeleteObject(ctx, del); err != nil {
			return tasks.ClassifyObject("delete "+staged.Key, staged, err)
		}
	}
	if _, err := h.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(staged.Bucket), Key: aws.String(staged.Key)}); err != nil {
		return tasks.ClassifyObject("delete "+staged.Key, staged, err)
	}
	return nil
}

// checkSource checks the invocation names a source object under incoming/<dataset>/ and returns its
// dataset and name.
func checkSource(in tasks.StoreInput) (dataset, name string, err error) {
	if in.Bucket == "" || in.Object.Key == "" || in.Object.ETag == "" {
		return "", "", &tasks.InvalidInvocationError{Reason: "bucket, object key and etag are required"}
	}
	dataset, name, ok := splitSource(in.Object.Key)
	if !ok {
		return "", "", &tasks.InvalidInvocationError{Reason: "object key " + strconv.Quote(in.Object.Key) + " is not " + tasks.PrefixIncoming + "<dataset>/<name>"}
	}
	return dataset, name, nil
}
