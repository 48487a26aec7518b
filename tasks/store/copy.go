package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/tasks"
)

// S3's copy limits (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): one CopyObject copies at most
// 5 GiB; a larger object is copied as a multipart upload of UploadPartCopy ranges, each 5 MiB to 5 GiB
// (the last may be smaller), at most 10,000 of them.
const (
	maxSingleCopyBytes = 5 << 30
	minCopyPartBytes   = 5 << 20
	maxCopyParts       = 10000
	// defaultCopyPartBytes is the part size of a multipart copy: 10,000 parts of it cover 5 TB, S3's
	// largest object.
	defaultCopyPartBytes = 512 << 20
)

// WithMultipartCopy sets when a copy becomes a multipart copy (objects larger than threshold bytes;
// default and maximum 5 GiB, CopyObject's limit) and its part size (default 512 MiB, at least 5 MiB;
// raised when the object would need more than 10,000 parts). Tests lower the threshold to exercise the
// multipart branch with small objects.
func WithMultipartCopy(threshold, partSize int64) Option {
	return func(h *Handler) {
		h.copyThreshold = min(max(threshold, 0), maxSingleCopyBytes)
		h.copyPartSize = max(partSize, minCopyPartBytes)
	}
}

// copyObject copies src as in describes it (Bucket, Key, CopySource, CopySourceIfMatch and the
// destination conditions IfMatch and IfNoneMatch): one CopyObject up to the threshold, a multipart copy
// above it. It returns the new object's ETag (unquoted) and version. The error is S3's, for the caller to
// classify.
//
// A multipart copy keeps what CopyObject keeps by default: the source's metadata, content type and
// encoding (read with a HeadObject held to the source's ETag); every part is held to the source's ETag
// too (x-amz-copy-source-if-match), and the destination conditions go on CompleteMultipartUpload, so the
// copy is all or nothing as a CopyObject is. A failed multipart copy is aborted. Unlike CopyObject's
// default, it does not carry the source's tags over.
func (h *Handler) copyObject(ctx context.Context, src tasks.ObjectRef, in *s3.CopyObjectInput) (etag, versionID string, err error) {
	if src.Size <= h.copyThreshold {
		out, err := h.s3.CopyObject(ctx, in)
		if err != nil {
			return "", "", err
		}
		if out.CopyObjectResult != nil {
			etag = strings.Trim(aws.ToString(out.CopyObjectResult.ETag), `"`)
		}
		return etag, aws.ToString(out.VersionId), nil
	}
	head := &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(src.Key), IfMatch: in.CopySourceIfMatch}
	if src.VersionID != "" {
		head.VersionId = aws.String(src.VersionID)
	}
	meta, err := h.s3.HeadObject(ctx, head)
	if err != nil {
		return "", "", err
	}
	size := aws.ToInt64(meta.ContentLength)
	partSize := max(h.copyPartSize, (size+maxCopyParts-1)/maxCopyParts)
	created, err := h.s3.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:          in.Bucket,
		Key:             in.Key,
		Metadata:        meta.Metadata,
		ContentType:     meta.ContentType,
		ContentEncoding: meta.ContentEncoding,
	})
	if err != nil {
		return "", "", err
	}
	abort := func() {
		// Best effort, whatever happened to ctx: an upload left behind is also aborted by the bucket's
		// lifecycle rule for incomplete uploads.
		_, _ = h.s3.AbortMultipartUpload(context.WithoutCancel(ctx), &s3.AbortMultipartUploadInput{
			Bucket: in.Bucket, Key: in.Key, UploadId: created.UploadId})
	}
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < size || n == 1; n, off = n+1, off+partSize {
		last := min(off+partSize, size) - 1
		part := &s3.UploadPartCopyInput{
			Bucket:            in.Bucket,
			Key:               in.Key,
			UploadId:          created.UploadId,
			PartNumber:        aws.Int32(n),
			CopySource:        in.CopySource,
			CopySourceIfMatch: in.CopySourceIfMatch,
		}
		if size > 0 {
			part.CopySourceRange = aws.String(fmt.Sprintf("bytes=%d-%d", off, last))
		}
		out, err := h.s3.UploadPartCopy(ctx, part)
		if err != nil {
			abort()
			return "", "", err
		}
		var partETag *string
		if out.CopyPartResult != nil {
			partETag = out.CopyPartResult.ETag
		}
		parts = append(parts, types.CompletedPart{ETag: partETag, PartNumber: aws.Int32(n)})
		if size == 0 {
			break
		}
	}
	done, err := h.s3.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          in.Bucket,
		Key:             in.Key,
		UploadId:        created.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
		IfMatch:         in.IfMatch,
		IfNoneMatch:     in.IfNoneMatch,
	})
	if err != nil {
		abort()
		return "", "", err
	}
	return strings.Trim(aws.ToString(done.ETag), `"`), aws.ToString(done.VersionId), nil
}
