package process

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/schema"
)

// maxSchemaBytes bounds a schema document.
const maxSchemaBytes = 1 << 20

// loadSchema reads and parses schemas/<dataset>.json. It is read again rather than carried from
// validation so that the payloads between states stay small references.
func (h *Handler) loadSchema(ctx context.Context, bucket, dataset string) (*schema.Schema, error) {
	ref := tasks.ObjectRef{Bucket: bucket, Key: tasks.PrefixSchemas + dataset + ".json"}
	in := &s3.GetObjectInput{Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key)}
	cached, etag := h.schemas.Get(ref.Bucket, ref.Key)
	if cached != nil {
		// Revalidate: S3 answers 304 Not Modified while the schema's ETag is still etag.
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
		in.IfNoneMatch = aws.String(etag)
	}
	out, err := h.s3.GetObject(ctx, in)
	if cached != nil && tasks.IsNotModified(err) {
		return cached, nil
	}
	h.schemas.Remove(ref.Bucket, ref.Key) // replaced below only by a schema that parses
	if err != nil {
		return nil, tasks.ClassifyObject("get "+ref.Key, ref, err)
	}
	defer out.Body.Close()
	s, err := schema.Read(out.Body, maxSchemaBytes)
	var ps schema.Problems
	switch {
	case errors.As(err, &ps):
		// Broken since validation read it: a configuration error, like validation's.
		return nil, &tasks.SchemaError{Key: ref.Key, Problems: ps.Messages(20)}
	case err != nil:
		return nil, tasks.ClassifyObject("read "+ref.Key, ref, err)
	}
	h.schemas.Put(ref.Bucket, ref.Key, aws.ToString(out.ETag), s)
	return s, nil
}
