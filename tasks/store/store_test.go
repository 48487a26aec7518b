package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/store"
)

const bucket = "pipeline"

// clock is the fixed time the tests' handlers stamp records with.
var clock = time.Date(2026, 11, 25, 21, 30, 0, 0, time.UTC)

func newHandler(s *s3test.Server) *store.Handler {
	return store.New(s.Client,
		store.WithClock(func() time.Time { return clock }),
		store.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, nil))))
}

// put writes an object and returns its unquoted ETag.
func put(t *testing.T, s *s3test.Server, key, body string, meta map[string]string) string {
	t.Helper()
	out, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body), Metadata: meta,
	})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// get reads an object; ok is false when it does not exist.
func get(t *testing.T, s *s3test.Server, key string) (body string, ok bool) {
	t.Helper()
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk interface{ ErrorCode() string }
		if errors.As(err, &nsk) && nsk.ErrorCode() == "NoSuchKey" {
			return "", false
		}
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return string(b), true
}

// keys lists every key under prefix.
func keys(t *testing.T, s *s3test.Server, prefix string) []string {
	t.Helper()
	out, err := s.Client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("list %s: %v", prefix, err)
	}
	var ks []string
	for _, o := range out.Contents {
		ks = append(ks, aws.ToString(o.Key))
	}
	return ks
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

func execution(name string) string {
	return "arn:aws:states:us-east-1:123456789012:execution:Pipeline:" + name
}
