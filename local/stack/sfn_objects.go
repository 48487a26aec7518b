package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/asl/itemreader"
	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// sfnObjects is the S3 of Step Functions' Distributed Maps (ItemReader, ResultWriter): the local S3
// through the stack's own endpoint, with the SDK, as any task reaches it (in process: the stack's
// inProcessTransport). Results written by a
// ResultWriter therefore raise "Object Created" events like any other upload, as on AWS.
type sfnObjects struct{ c *s3.Client }

var _ localsfn.ObjectStore = sfnObjects{}

func newSFNObjects(endpoint, region string, transport http.RoundTripper) sfnObjects {
	return sfnObjects{c: s3.New(s3.Options{
		Region: region, BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		HTTPClient:                 &http.Client{Transport: transport, Timeout: 30 * time.Minute},
		EndpointResolverV2:         newS3Endpoints(),
	})}
}

// notFound marks S3's missing-bucket and missing-key errors as itemreader.ErrNotFound.
func notFound(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "NoSuchKey", "NoSuchBucket", "NotFound", "NoSuchVersion":
			return fmt.Errorf("%s: %s: %w", ae.ErrorCode(), ae.ErrorMessage(), itemreader.ErrNotFound)
		}
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (o sfnObjects) List(ctx context.Context, bucket, prefix, token string) (itemreader.Page, error) {
	out, err := o.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: optional(prefix), ContinuationToken: optional(token)})
	if err != nil {
		return itemreader.Page{}, notFound(err)
	}
	p := itemreader.Page{Objects: make([]itemreader.Object, 0, len(out.Contents))}
	for _, c := range out.Contents {
		p.Objects = append(p.Objects, itemreader.Object{Key: aws.ToString(c.Key), ETag: aws.ToString(c.ETag),
			LastModified: aws.ToTime(c.LastModified), Size: aws.ToInt64(c.Size), StorageClass: string(c.StorageClass)})
	}
	if aws.ToBool(out.IsTruncated) {
		p.Next = aws.ToString(out.NextContinuationToken)
	}
	return p, nil
}

func (o sfnObjects) Get(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, error) {
	out, err := o.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: optional(versionID)})
	if err != nil {
		return nil, notFound(err)
	}
	return out.Body, nil
}

func (o sfnObjects) Put(ctx context.Context, bucket, key string, body io.Reader, size int64) error {
	_, err := o.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: body,
		ContentLength: aws.Int64(size), ContentType: aws.String("application/json")})
	if err != nil {
		return notFound(err)
	}
	return nil
}
