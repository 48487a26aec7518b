package s3_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// Conditional writes: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
func TestConditionalPut(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "cnd", false, false)
	ctx := context.Background()
	etag := aws.ToString(e.put(t, "cnd", "exists", "v1").ETag)

	tests := []struct {
		name        string
		key         string
		ifMatch     string
		ifNoneMatch string
		wantCode    string
		wantStatus  int
	}{
		{"if-none-match on a new key", "new", "", "*", "", 200},
		{"if-none-match on an existing key", "exists", "", "*", "PreconditionFailed", 412},
		{"if-match with the current etag", "exists", etag, "", "", 200},
		{"if-match with a stale etag", "exists", `"0123456789abcdef0123456789abcdef"`, "", "PreconditionFailed", 412},
		{"if-match on a missing key", "missing", etag, "", "NoSuchKey", 404},
		{"if-none-match with an etag is not supported", "exists", "", etag, "NotImplemented", 501},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &awss3.PutObjectInput{Bucket: aws.String("cnd"), Key: aws.String(tc.key), Body: strings.NewReader("v1")}
			if tc.ifMatch != "" {
				in.IfMatch = aws.String(tc.ifMatch)
			}
			if tc.ifNoneMatch != "" {
				in.IfNoneMatch = aws.String(tc.ifNoneMatch)
			}
			_, err := e.client.PutObject(ctx, in)
			if got := apiCode(err); got != tc.wantCode {
				t.Errorf("code = %q, want %q", got, tc.wantCode)
			}
			if err != nil {
				if got := httpStatus(err); got != tc.wantStatus {
					t.Errorf("status = %d, want %d", got, tc.wantStatus)
				}
			}
		})
	}
}

func TestConditionalGet(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "cnd", false, false)
	ctx := context.Background()
	etag := aws.ToString(e.put(t, "cnd", "k", "body").ETag)
	lm := e.clock.Now()
	before, after := lm.Add(-time.Hour), lm.Add(time.Hour)

	tests := []struct {
		name       string
		in         awss3.GetObjectInput
		wantStatus int
	}{
		{"if-match hit", awss3.GetObjectInput{IfMatch: aws.String(etag)}, 200},
		{"if-match miss", awss3.GetObjectInput{IfMatch: aws.String(`"nope"`)}, 412},
		{"if-none-match hit", awss3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304},
		{"if-none-match miss", awss3.GetObjectInput{IfNoneMatch: aws.String(`"nope"`)}, 200},
		{"if-modified-since before", awss3.GetObjectInput{IfModifiedSince: aws.Time(before)}, 200},
		{"if-modified-since after", awss3.GetObjectInput{IfModifiedSince: aws.Time(after)}, 304},
		{"if-unmodified-since before", awss3.GetObjectInput{IfUnmodifiedSince: aws.Time(before)}, 412},
		// RFC 7232 precedence: a true If-Match overrides a false If-Unmodified-Since.
		{"if-match beats if-unmodified-since", awss3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(before)}, 200},
		{"if-none-match false beats if-modified-since", awss3.GetObjectInput{IfNoneMatch: aws.String(`"nope"`), IfModifiedSince: aws.Time(after)}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.Bucket, in.Key = aws.String("cnd"), aws.String("k")
			out, err := e.client.GetObject(ctx, &in)
			got := 200
			if err != nil {
				got = httpStatus(err)
			} else {
				out.Body.Close()
			}
			if got != tc.wantStatus {
				t.Errorf("status = %d (err %v), want %d", got, err, tc.wantStatus)
			}
		})
	}
}

func TestConditionalMultipart(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "cnd", false, false)
	ctx := context.Background()
	e.put(t, "cnd", "exists", "v1")

	complete := func(key string, ifNoneMatch bool, between func()) error {
		up, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("cnd"), Key: aws.String(key)})
		if err != nil {
			return err
		}
		part, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("cnd"), Key: aws.String(key),
			UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("only part")})
		if err != nil {
			return err
		}
		if between != nil {
			between()
		}
		in := &awss3.CompleteMultipartUploadInput{Bucket: aws.String("cnd"), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}
		if ifNoneMatch {
			in.IfNoneMatch = aws.String("*")
		}
		_, err = e.client.CompleteMultipartUpload(ctx, in)
		return err
	}
	tests := []struct {
		name        string
		key         string
		ifNoneMatch bool
		between     func()
		want        string
	}{
		{"unconditional over an existing key", "exists", false, nil, ""},
		{"if-none-match on an existing key", "exists", true, nil, "PreconditionFailed"},
		{"if-none-match on a new key", "fresh", true, nil, ""},
		{"key deleted during the upload", "exists", true, func() {
			if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("cnd"), Key: aws.String("exists")}); err != nil {
				t.Fatal(err)
			}
		}, "ConditionalRequestConflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := apiCode(complete(tc.key, tc.ifNoneMatch, tc.between)); got != tc.want {
				t.Errorf("code = %q, want %q", got, tc.want)
			}
		})
	}
}
