package s3test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func TestPutGetAndFault(t *testing.T) {
	s := New(t, "bkt")
	ctx := context.Background()
	if _, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k/a.txt"), Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	s.Fail("GET", "a.txt", 1, 503, "SlowDown")
	_, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k/a.txt")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "SlowDown" {
		t.Fatalf("first GET: got %v, want SlowDown", err)
	}
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	got, _ := io.ReadAll(out.Body)
	if string(got) != "hello" {
		t.Fatalf("GET body: got %q, want %q", got, "hello")
	}
}
