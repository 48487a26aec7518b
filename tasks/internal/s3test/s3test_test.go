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

func TestIfMatchAndCutBody(t *testing.T) {
	s := New(t, "bkt")
	ctx := context.Background()
	put, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k/a.txt"), Body: strings.NewReader("hello")})
	if err != nil {
		t.Fatal(err)
	}
	get := func(ifMatch string) (string, error) {
		out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k/a.txt"), IfMatch: aws.String(ifMatch)})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}
	tests := []struct {
		name     string
		ifMatch  string
		cut      bool
		want     string
		wantCode string
		wantErr  bool
	}{
		{"quoted etag", aws.ToString(put.ETag), false, "hello", "", false},
		{"bare etag", strings.Trim(aws.ToString(put.ETag), `"`), false, "hello", "", false},
		{"star", "*", false, "hello", "", false},
		{"other etag", `"00000000000000000000000000000000"`, false, "", "PreconditionFailed", true},
		{"cut body", "*", true, "he", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cut {
				s.CutBody("GET", "a.txt", 1, 2)
			}
			got, err := get(tt.ifMatch)
			var apiErr smithy.APIError
			gotCode := ""
			if errors.As(err, &apiErr) {
				gotCode = apiErr.ErrorCode()
			}
			if got != tt.want || gotCode != tt.wantCode || (err != nil) != tt.wantErr {
				t.Errorf("GET If-Match %s: got %q, %v; want %q, code %q, error %v", tt.ifMatch, got, err, tt.want, tt.wantCode, tt.wantErr)
			}
		})
	}
}
