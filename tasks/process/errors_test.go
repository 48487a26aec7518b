package process_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/tasks"
	"github.com/sluicehq/sluice/tasks/internal/s3test"
	"github.com/sluicehq/sluice/tasks/process"
)

// setup stores the orders schema and a CSV of the orders, and returns the process input for it.
func setup(t *testing.T) (*s3test.Server, tasks.ProcessInput) {
	t.Helper()
	s := s3test.New(t, bucket)
	putSchema(t, s, "orders", "orders.schema.json")
	return s, invocation(t, s, "incoming/orders/a.csv", []byte(ordersCSV), 3)
}

// nothingStaged checks that a failed run left no staged object and no pending multipart upload.
func nothingStaged(t *testing.T, s *s3test.Server) {
	t.Helper()
	if keys := listKeys(t, s, "staging/"); len(keys) != 0 {
		t.Errorf("staged objects after a failure: %q", keys)
	}
	if ups := pendingUploads(t, s); len(ups) != 0 {
		t.Errorf("multipart uploads left pending: %q", ups)
	}
}

func TestProcessSourceErrors(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput)
		check   func(t *testing.T, err error)
	}{
		{
			name: "object changed",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				put(t, s, in.Object.Key, []byte(ordersCSV+"ORD-000004,1,1,new,,2024-01-01,2024-01-01T00:00:00Z,\n"))
			},
			check: func(t *testing.T, err error) {
				got, ok := err.(*tasks.ObjectChangedError)
				if !ok {
					t.Fatalf("got %T %v, want *tasks.ObjectChangedError", err, err)
				}
				if diff := cmp.Diff(*got, tasks.ObjectChangedError{Bucket: bucket, Key: "incoming/orders/a.csv", WantETag: md5hex([]byte(ordersCSV))}); diff != "" {
					t.Errorf("error (-got +want):\n%s", diff)
				}
			},
		},
		{
			name: "object deleted",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				if _, err := s.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(in.Object.Key)}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, err error) {
				got, ok := err.(*tasks.ObjectNotFoundError)
				if !ok {
					t.Fatalf("got %T %v, want *tasks.ObjectNotFoundError", err, err)
				}
				if diff := cmp.Diff(*got, tasks.ObjectNotFoundError{Bucket: bucket, Key: "incoming/orders/a.csv"}); diff != "" {
					t.Errorf("error (-got +want):\n%s", diff)
				}
			},
		},
		{
			name: "schema deleted",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				if _, err := s.Client.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("schemas/orders.json")}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, err error) {
				got, ok := err.(*tasks.ObjectNotFoundError)
				if !ok || got.Key != "schemas/orders.json" {
					t.Fatalf("got %T %v, want *tasks.ObjectNotFoundError for the schema", err, err)
				}
			},
		},
		{
			// Validation saw other bytes than processing reads (the report does not describe this object).
			name: "digest differs from the report",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				in.Report.SHA256 = md5hex(nil) + md5hex(nil)
			},
			check: func(t *testing.T, err error) {
				if _, ok := err.(*tasks.ObjectChangedError); !ok {
					t.Fatalf("got %T %v, want *tasks.ObjectChangedError", err, err)
				}
			},
		},
		{
			name:    "row count differs from the report",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) { in.Report.Rows = 4 },
			check: func(t *testing.T, err error) {
				if err == nil {
					t.Fatal("processing succeeded with a row count the report does not have")
				}
			},
		},
		{
			// The schema changed between validation and processing: a row is no longer acceptable.
			name: "no longer valid",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				putSchema(t, s, "orders", "orders-strict.schema.json")
			},
			check: func(t *testing.T, err error) {
				got, ok := err.(*tasks.InvalidObjectError)
				if !ok {
					t.Fatalf("got %T %v, want *tasks.InvalidObjectError", err, err)
				}
				if got.Line != 2 || got.Column != "quantity" || got.Code != "max" {
					t.Errorf("got line %d column %q code %q, want line 2 column \"quantity\" code \"max\"", got.Line, got.Column, got.Code)
				}
			},
		},
		{
			name: "malformed at processing",
			arrange: func(t *testing.T, s *s3test.Server, in *tasks.ProcessInput) {
				body := []byte(ordersCSV + "\"unterminated\n")
				*in = invocation(t, s, in.Object.Key, body, 4)
			},
			check: func(t *testing.T, err error) {
				got, ok := err.(*tasks.InvalidObjectError)
				if !ok {
					t.Fatalf("got %T %v, want *tasks.InvalidObjectError", err, err)
				}
				if got.Code != "syntax" {
					t.Errorf("code: got %q, want %q", got.Code, "syntax")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, in := setup(t)
			tt.arrange(t, s, &in)
			got, err := newHandler(s).Handle(context.Background(), in)
			tt.check(t, err)
			if diff := cmp.Diff(got, tasks.ProcessOutput{}); diff != "" {
				t.Errorf("output of a failed run (-got +want):\n%s", diff)
			}
			nothingStaged(t, s)
		})
	}
}

func TestProcessTransientThenRetried(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(s *s3test.Server)
	}{
		{name: "schema throttled", arrange: func(s *s3test.Server) { s.Fail("GET", "schemas/", 1, 503, "SlowDown") }},
		{name: "object throttled", arrange: func(s *s3test.Server) { s.Fail("GET", "incoming/", 1, 503, "SlowDown") }},
		{name: "object 500", arrange: func(s *s3test.Server) { s.Fail("GET", "incoming/", 1, 500, "InternalError") }},
		// Cut again each time the task resumes the read, until it gives up.
		{name: "body cut off for good", arrange: func(s *s3test.Server) { s.CutBody("GET", "incoming/", 4, 50) }},
		{name: "staging write throttled", arrange: func(s *s3test.Server) { s.Fail("PUT", "staging/", 1, 503, "SlowDown") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, in := setup(t)
			tt.arrange(s)
			h := newHandler(s)
			_, err := h.Handle(context.Background(), in)
			if _, ok := err.(*tasks.TransientError); !ok {
				t.Fatalf("first attempt: got %T %v, want *tasks.TransientError (unwrapped)", err, err)
			}
			nothingStaged(t, s)
			// The state machine's Retry runs the same input again.
			got, err := h.Handle(context.Background(), in)
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if _, text, _ := staged(t, s, got.Staging.Key); text != ordersOut {
				t.Errorf("staged after retry:\n%s\nwant:\n%s", text, ordersOut)
			}
		})
	}
}

func TestProcessInvalidInvocation(t *testing.T) {
	s, valid := setup(t)
	tests := []struct {
		name   string
		mutate func(in *tasks.ProcessInput)
	}{
		{name: "invalid report", mutate: func(in *tasks.ProcessInput) { in.Report.Valid = false }},
		{name: "no dataset", mutate: func(in *tasks.ProcessInput) { in.Report.Dataset = "" }},
		{name: "no etag", mutate: func(in *tasks.ProcessInput) { in.Object.ETag = "" }},
		{name: "no bucket", mutate: func(in *tasks.ProcessInput) { in.Bucket = "" }},
		{name: "unknown format", mutate: func(in *tasks.ProcessInput) { in.Object.Key = "incoming/orders/a.xlsx" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid
			tt.mutate(&in)
			_, err := newHandler(s).Handle(context.Background(), in)
			var want *tasks.InvalidInvocationError
			if !errors.As(err, &want) || err != error(want) {
				t.Fatalf("got %T %v, want an unwrapped *tasks.InvalidInvocationError", err, err)
			}
		})
	}
	nothingStaged(t, s)
}

// TestProcessReadsTheEventsVersion overwrites the object after the event in a versioned bucket: the task
// still reads the version the event named (VersionId and If-Match agree), not the newer one, which has an
// event of its own.
func TestProcessReadsTheEventsVersion(t *testing.T) {
	s := s3test.New(t, bucket)
	ctx := context.Background()
	if _, err := s.Client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	putSchema(t, s, "orders", "orders.schema.json")
	in := invocation(t, s, "incoming/orders/a.csv", []byte(ordersCSV), 3)
	head, err := s.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(in.Object.Key)})
	if err != nil {
		t.Fatal(err)
	}
	in.Object.VersionID = aws.ToString(head.VersionId)
	if in.Object.VersionID == "" {
		t.Fatal("the versioned bucket gave no version id")
	}
	put(t, s, in.Object.Key, []byte("order_id\nORD-999999\n")) // a newer version

	got, err := newHandler(s).Handle(ctx, in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if _, text, _ := staged(t, s, got.Staging.Key); text != ordersOut {
		t.Errorf("staged lines:\n%s\nwant the event's version:\n%s", text, ordersOut)
	}

	// Without the version id the latest version is read, and its ETag is not the one the event named.
	in.Object.VersionID = ""
	if _, err := newHandler(s).Handle(ctx, in); err == nil {
		t.Fatal("reading the latest version with the first version's ETag succeeded")
	} else if _, ok := err.(*tasks.ObjectChangedError); !ok {
		t.Fatalf("got %T %v, want *tasks.ObjectChangedError", err, err)
	}
}

func TestProcessRecordLimit(t *testing.T) {
	s, in := setup(t)
	_, err := newHandler(s, process.WithMaxRecordBytes(40)).Handle(context.Background(), in)
	got, ok := err.(*tasks.InvalidObjectError)
	if !ok || got.Code != "recordSize" {
		t.Fatalf("got %T %v, want *tasks.InvalidObjectError with code recordSize", err, err)
	}
	nothingStaged(t, s)
}

// TestProcessResumesCutBody breaks the connection in the middle of the object three times: the task reads
// the rest with ranged requests and the bytes it processes are exactly the object's (the report's digest
// is checked).
func TestProcessResumesCutBody(t *testing.T) {
	s, in := setup(t)
	s.CutBody("GET", "incoming/", 3, 90)
	got, err := newHandler(s).Handle(context.Background(), in)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if _, text, _ := staged(t, s, got.Staging.Key); text != ordersOut {
		t.Errorf("staged lines:\n%s\nwant:\n%s", text, ordersOut)
	}
}

// overwriteOnResume overwrites the object just before the task asks for the rest of it.
type overwriteOnResume struct {
	*s3.Client
	t *testing.T
	s *s3test.Server
}

func (o overwriteOnResume) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if in.Range != nil {
		put(o.t, o.s, aws.ToString(in.Key), []byte(ordersCSV+"ORD-000004,1,1,new,,2024-01-01,2024-01-01T00:00:00Z,\n"))
	}
	return o.Client.GetObject(ctx, in, opts...)
}

func TestProcessResumeSeesTheChange(t *testing.T) {
	s, in := setup(t)
	s.CutBody("GET", "incoming/", 1, 90)
	h := process.New(overwriteOnResume{Client: s.Client, t: t, s: s})
	_, err := h.Handle(context.Background(), in)
	if _, ok := err.(*tasks.ObjectChangedError); !ok {
		t.Fatalf("got %T %v, want *tasks.ObjectChangedError: the rest must come from the same version", err, err)
	}
	nothingStaged(t, s)
}
