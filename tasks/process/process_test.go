package process_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

const bucket = "pipeline"

func newHandler(s *s3test.Server, opts ...process.Option) *process.Handler {
	return process.New(s.Client, append([]process.Option{process.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil)))}, opts...)...)
}

// putSchema stores testdata/<file> as the schema of dataset.
func putSchema(t testing.TB, s *s3test.Server, dataset, file string) {
	t.Helper()
	body, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "schemas/"+dataset+".json", body)
}

// put writes an object and returns its unquoted ETag.
func put(t testing.TB, s *s3test.Server, key string, body []byte) string {
	t.Helper()
	out, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// invocation puts an object under incoming/ and returns the process input for it, with the report the
// validate task gives a valid object: its digest, size and row count.
// testSequencer is the sequencer of the test objects' events.
const testSequencer = "0062E99A88DC407460"

func invocation(t testing.TB, s *s3test.Server, key string, body []byte, rows int64) tasks.ProcessInput {
	t.Helper()
	etag := put(t, s, key, body)
	sum := sha256.Sum256(body)
	return tasks.ProcessInput{
		Invocation: tasks.Invocation{
			Bucket:    bucket,
			Object:    tasks.S3Object{Key: key, Size: int64(len(body)), ETag: etag, Sequencer: testSequencer},
			Execution: "arn:aws:states:us-east-1:123456789012:execution:Pipeline:exec-1",
		},
		Report: tasks.Report{Valid: true, Dataset: strings.Split(key, "/")[1], Rows: rows, Bytes: int64(len(body)), SHA256: hex.EncodeToString(sum[:])},
	}
}

// staged reads a staged object: its raw bytes, its decompressed text and its metadata.
func staged(t testing.TB, s *s3test.Server, key string) (raw []byte, text string, meta map[string]string) {
	t.Helper()
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	raw, err = io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("staged object is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("staged object: %v", err)
	}
	return raw, string(plain), out.Metadata
}

// listKeys lists every key under prefix.
func listKeys(t testing.TB, s *s3test.Server, prefix string) []string {
	t.Helper()
	out, err := s.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// pendingUploads lists the multipart uploads neither completed nor aborted.
func pendingUploads(t testing.TB, s *s3test.Server) []string {
	t.Helper()
	out, err := s.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchUpload" {
		return nil // the test server's answer for a bucket that never had an upload
	}
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// md5hex is the ETag S3 gives an object uploaded in one part.
func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}
