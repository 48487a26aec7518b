package s3_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestUploadPartCopy copies a source in two ranges into a multipart upload, as a copy over 5 GiB must
// be done (https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html), and checks the
// completed object is the source byte for byte with a multipart ETag of the parts' MD5s.
func TestUploadPartCopy(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "upc", true, false)
	ctx := context.Background()
	data := bytes.Repeat([]byte("0123456789abcdef"), (6<<20)/16) // 6 MiB
	put, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("upc"), Key: aws.String("src"), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	mpu, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("upc"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	split := int64(5 << 20)
	ranges := []string{fmt.Sprintf("bytes=0-%d", split-1), fmt.Sprintf("bytes=%d-%d", split, len(data)-1)}
	var parts []types.CompletedPart
	var sums []byte
	for i, r := range ranges {
		out, err := e.client.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{
			Bucket: aws.String("upc"), Key: aws.String("dst"), UploadId: mpu.UploadId, PartNumber: aws.Int32(int32(i + 1)),
			CopySource: aws.String("upc/src?versionId=" + aws.ToString(put.VersionId)), CopySourceRange: aws.String(r),
			CopySourceIfMatch: put.ETag,
		})
		if err != nil {
			t.Fatalf("UploadPartCopy %s: %v", r, err)
		}
		if got := aws.ToString(out.CopySourceVersionId); got != aws.ToString(put.VersionId) {
			t.Errorf("copy source version = %q, want %q", got, aws.ToString(put.VersionId))
		}
		var lo, hi int64
		fmt.Sscanf(r, "bytes=%d-%d", &lo, &hi)
		sum := md5.Sum(data[lo : hi+1])
		if got, want := aws.ToString(out.CopyPartResult.ETag), `"`+hex.EncodeToString(sum[:])+`"`; got != want {
			t.Errorf("part %d ETag = %s, want %s (the MD5 of the range)", i+1, got, want)
		}
		sums = append(sums, sum[:]...)
		parts = append(parts, types.CompletedPart{ETag: out.CopyPartResult.ETag, PartNumber: aws.Int32(int32(i + 1))})
	}
	done, err := e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("upc"), Key: aws.String("dst"),
		UploadId: mpu.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	whole := md5.Sum(sums)
	if got, want := aws.ToString(done.ETag), `"`+hex.EncodeToString(whole[:])+`-2"`; got != want {
		t.Errorf("ETag = %s, want %s", got, want)
	}
	got, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("upc"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if !bytes.Equal(body, data) {
		t.Errorf("copied object differs from the source (%d bytes, want %d)", len(body), len(data))
	}
}

// TestUploadPartCopyErrors checks AWS's answers to bad UploadPartCopy requests.
func TestUploadPartCopyErrors(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "upe", false, false)
	ctx := context.Background()
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("upe"), Key: aws.String("src"), Body: strings.NewReader("0123456789")}); err != nil {
		t.Fatal(err)
	}
	mpu, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("upe"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		edit     func(*awss3.UploadPartCopyInput)
		wantCode string
	}{
		{"range past the end", func(in *awss3.UploadPartCopyInput) { in.CopySourceRange = aws.String("bytes=0-10") }, "InvalidArgument"},
		{"open range", func(in *awss3.UploadPartCopyInput) { in.CopySourceRange = aws.String("bytes=3-") }, "InvalidArgument"},
		{"range backwards", func(in *awss3.UploadPartCopyInput) { in.CopySourceRange = aws.String("bytes=5-2") }, "InvalidArgument"},
		{"missing source", func(in *awss3.UploadPartCopyInput) { in.CopySource = aws.String("upe/nope") }, "NoSuchKey"},
		{"source changed", func(in *awss3.UploadPartCopyInput) { in.CopySourceIfMatch = aws.String(`"0000"`) }, "PreconditionFailed"},
		{"no such upload", func(in *awss3.UploadPartCopyInput) { in.UploadId = aws.String("nope") }, "NoSuchUpload"},
		{"part number 0", func(in *awss3.UploadPartCopyInput) { in.PartNumber = aws.Int32(0) }, "InvalidArgument"},
		{"part number 10001", func(in *awss3.UploadPartCopyInput) { in.PartNumber = aws.Int32(10001) }, "InvalidArgument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := awss3.UploadPartCopyInput{Bucket: aws.String("upe"), Key: aws.String("dst"), UploadId: mpu.UploadId,
				PartNumber: aws.Int32(1), CopySource: aws.String("upe/src"), CopySourceRange: aws.String("bytes=0-4")}
			tt.edit(&in)
			_, err := e.client.UploadPartCopy(ctx, &in)
			if got := apiCode(err); got != tt.wantCode {
				t.Errorf("error code = %q (%v), want %q", got, err, tt.wantCode)
			}
		})
	}
}
