// Package s3test runs an S3 server (gofakes3 over an in-memory backend) on a loopback httptest server and
// returns a real aws-sdk-go-v2 S3 client pointed at it, for the task packages' tests and benchmarks. A
// fault injector in front of the server answers chosen requests with S3 errors, so tests can drive the
// tasks' retryable and non-retryable paths through the real SDK and wire protocol.
package s3test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a running test S3 endpoint.
type Server struct {
	URL    string
	Client *s3.Client

	mu     sync.Mutex
	faults []fault
}

type fault struct {
	method, keyPart string
	status          int
	code            string
	remaining       int
}

// New starts a server that lives until the test ends and creates the named buckets.
func New(tb testing.TB, buckets ...string) *Server {
	tb.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithAutoBucket(false))
	s := &Server{}
	inner := faker.Server()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.inject(w, r) {
			return
		}
		inner.ServeHTTP(w, r)
	}))
	tb.Cleanup(hs.Close)
	s.URL = hs.URL
	s.Client = NewClient(hs.URL)
	for _, b := range buckets {
		if _, err := s.Client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			tb.Fatalf("create bucket %q: %v", b, err)
		}
	}
	return s
}

// NewClient returns an S3 client for a local endpoint: path-style addressing, static credentials, and
// checksums only where S3 requires them.
func NewClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Credentials:                credentials.NewStaticCredentialsProvider("test", "test", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           1,
	})
}

// Fail makes the next n requests with the given method whose path contains keyPart answer with the HTTP
// status and S3 error code (for example 503 "SlowDown", 500 "InternalError", 403 "AccessDenied").
func (s *Server) Fail(method, keyPart string, n, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, keyPart: keyPart, status: status, code: code, remaining: n})
}

func (s *Server) inject(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	var hit *fault
	for i := range s.faults {
		f := &s.faults[i]
		if f.remaining > 0 && f.method == r.Method && strings.Contains(r.URL.Path, f.keyPart) {
			f.remaining--
			hit = f
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(hit.status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + hit.code +
		`</Code><Message>injected by the test</Message><RequestId>test</RequestId></Error>`))
	return true
}
