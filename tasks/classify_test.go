package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
)

// kind names the class ClassifyObject put an error in.
func kind(err error) string {
	var (
		transient *tasks.TransientError
		notFound  *tasks.ObjectNotFoundError
		changed   *tasks.ObjectChangedError
	)
	switch {
	case err == nil:
		return "nil"
	case errors.As(err, &transient) && err == error(transient):
		return "transient"
	case errors.As(err, &notFound) && err == error(notFound):
		return "notFound"
	case errors.As(err, &changed) && err == error(changed):
		return "changed"
	}
	return "other"
}

func TestClassifyPlainErrors(t *testing.T) {
	named := &tasks.ObjectChangedError{Bucket: "b", Key: "k", WantETag: "e"}
	boom := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "nil"},
		{"already named", named, "changed"},
		{"named inside a wrap", fmt.Errorf("read: %w", named), "changed"},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), "transient"},
		{"cancelled", context.Canceled, "other"},
		{"body cut short", io.ErrUnexpectedEOF, "transient"},
		{"anything else", boom, "other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tasks.Classify("get k", tt.err)
			if k := kind(got); k != tt.want {
				t.Fatalf("Classify(%v): got %s (%v), want %s", tt.err, k, got, tt.want)
			}
			if tt.err != nil && !errors.Is(got, tt.err) && !errors.Is(tt.err, got) {
				t.Errorf("Classify(%v) = %v: the original error is lost", tt.err, got)
			}
		})
	}
}

// TestClassifyS3 drives the real SDK against the test server for every class.
func TestClassifyS3(t *testing.T) {
	s := s3test.New(t, "bkt")
	ctx := context.Background()
	put, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("incoming/d/a.csv"), Body: strings.NewReader("id\n1\n")})
	if err != nil {
		t.Fatal(err)
	}
	get := func(key, ifMatch string) func() error {
		return func() error {
			in := &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)}
			if ifMatch != "" {
				in.IfMatch = aws.String(ifMatch)
			}
			out, err := s.Client.GetObject(ctx, in)
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = io.ReadAll(out.Body)
			return err
		}
	}
	dead := httptest.NewServer(nil)
	dead.Close()
	tests := []struct {
		name  string
		setup func()
		call  func() error
		want  string
	}{
		{"ok", nil, get("incoming/d/a.csv", aws.ToString(put.ETag)), "nil"},
		{"no such key", nil, get("incoming/d/missing.csv", ""), "notFound"},
		{"no such bucket", nil, func() error {
			_, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("nobkt"), Key: aws.String("k")})
			return err
		}, "notFound"},
		{"head 404", nil, func() error {
			_, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("incoming/d/missing.csv")})
			return err
		}, "notFound"},
		{"etag changed", nil, get("incoming/d/a.csv", `"0123456789abcdef0123456789abcdef"`), "changed"},
		{"slow down", func() { s.Fail("GET", "a.csv", 1, 503, "SlowDown") }, get("incoming/d/a.csv", ""), "transient"},
		{"internal error", func() { s.Fail("GET", "a.csv", 1, 500, "InternalError") }, get("incoming/d/a.csv", ""), "transient"},
		{"unknown 502", func() { s.Fail("GET", "a.csv", 1, 502, "BadGateway") }, get("incoming/d/a.csv", ""), "transient"},
		{"access denied", func() { s.Fail("GET", "a.csv", 1, 403, "AccessDenied") }, get("incoming/d/a.csv", ""), "other"},
		{"body cut", func() { s.CutBody("GET", "a.csv", 1, 2) }, get("incoming/d/a.csv", ""), "transient"},
		{"connection refused", nil, func() error {
			_, err := s3test.NewClient(dead.URL).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
			return err
		}, "transient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup()
			}
			ref := tasks.ObjectRef{Bucket: "bkt", Key: "incoming/d/a.csv", ETag: "0123456789abcdef0123456789abcdef"}
			got := tasks.ClassifyObject("get incoming/d/a.csv", ref, tt.call())
			if k := kind(got); k != tt.want {
				t.Fatalf("ClassifyObject: got %s (%v), want %s", k, got, tt.want)
			}
			var changed *tasks.ObjectChangedError
			if errors.As(got, &changed) {
				if diff := cmp.Diff(*changed, tasks.ObjectChangedError{Bucket: "bkt", Key: "incoming/d/a.csv", WantETag: ref.ETag}); diff != "" {
					t.Errorf("ObjectChangedError (-got +want):\n%s", diff)
				}
			}
		})
	}
}
