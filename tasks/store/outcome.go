package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/tasks"
)

// OutcomeReader is what FindOutcome reads the bucket with.
type OutcomeReader interface {
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

var _ OutcomeReader = (*s3.Client)(nil)

// FindOutcome returns the key of the outcome the pipeline left for one version of a source object (Bucket,
// Key and ETag of src): its manifest (stored, or a duplicate of a stored version), the quarantine report
// of that version, or a failure record of it. It returns "" when the version has none: no execution for
// it has finished its work.
func FindOutcome(ctx context.Context, c OutcomeReader, src tasks.ObjectRef) (string, error) {
	etag := strings.Trim(src.ETag, `"`)
	if dataset, name, ok := splitSource(src.Key); ok {
		key := manifestKey(dataset, name, etag)
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(src.Bucket), Key: aws.String(key)})
		if err == nil {
			return key, nil
		}
		if !notFound(err) {
			return "", fmt.Errorf("head %s: %w", key, err)
		}
	}
	dataset, name := rejectedSource(src.Key)
	_, report := quarantineKeys(dataset, name)
	var r QuarantineReport
	found, err := getJSON(ctx, c, src.Bucket, report, &r)
	if err != nil {
		return "", err
	}
	if found && sameVersion(r.Source, src.Key, etag) {
		return report, nil
	}
	prefix := tasks.PrefixFailed + dataset + "/" + name + "."
	var token *string
	for {
		page, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(src.Bucket), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
			return "", fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			var r FailureRecord
			found, err := getJSON(ctx, c, src.Bucket, key, &r)
			if err != nil {
				return "", err
			}
			if found && sameVersion(r.Source, src.Key, etag) {
				return key, nil
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			return "", nil
		}
		token = page.NextContinuationToken
	}
}

func sameVersion(ref tasks.ObjectRef, key, etag string) bool {
	return ref.Key == key && strings.Trim(ref.ETag, `"`) == etag
}

// getJSON reads a JSON document; found is false when there is no such key. A document that does not
// decode counts as not found: it is no outcome of this version.
func getJSON(ctx context.Context, c OutcomeReader, bucket, key string, v any) (found bool, err error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if notFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get %s: %w", key, err)
	}
	defer out.Body.Close()
	if err := json.NewDecoder(out.Body).Decode(v); err != nil {
		return false, nil
	}
	return true, nil
}

func notFound(err error) bool {
	var nf *types.NotFound
	var nk *types.NoSuchKey
	return errors.As(err, &nf) || errors.As(err, &nk)
}
