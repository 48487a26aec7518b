// Package s3test runs an S3 server (gofakes3 over an in-memory backend) on a loopback httptest server and
// returns a real aws-sdk-go-v2 S3 client pointed at it, for the task packages' tests and benchmarks. A
// fault injector in front of the server answers chosen requests with S3 errors or cuts response bodies
// short, so tests can drive the tasks' retryable and non-retryable paths through the real SDK and wire
// protocol.
//
// In front of gofakes3 the server also honours If-Match on GET and HEAD (gofakes3 checks it only on
// writes), answering 412 PreconditionFailed as S3 does when the object's ETag differs
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
//
// NewSynthetic starts a different server for benchmarks: its objects' bodies are generated on the fly
// and what is written to it is discarded, so that no object is ever held in memory.
package s3test

import (
	"context"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
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

	backend *s3mem.Backend
	mu      sync.Mutex
	faults  []fault

	notModified atomic.Int64 // 304 answers to If-None-Match
}

// NotModified returns how many GET or HEAD requests were answered 304 Not Modified.
func (s *Server) NotModified() int64 { return s.notModified.Load() }

type fault struct {
	method, keyPart string
	status          int
	code            string
	remaining       int
	cutAfter        int64 // > 0: serve the response but cut its body after this many bytes
}

// New starts a server that lives until the test ends and creates the named buckets.
func New(tb testing.TB, buckets ...string) *Server {
	tb.Helper()
	backend := s3mem.New()
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false))
	s := &Server{backend: backend}
	inner := faker.Server()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.inject(w, r) || s.precondition(w, r) {
			return
		}
		if cut := s.cut(r); cut > 0 {
			w = &cutWriter{ResponseWriter: w, left: cut}
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

// CutBody makes the next n requests with the given method whose path contains keyPart send only the
// first after bytes of their response body (with the full Content-Length), then end the response: the
// client sees the connection break off mid-body.
func (s *Server) CutBody(method, keyPart string, n int, after int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, fault{method: method, keyPart: keyPart, remaining: n, cutAfter: max(after, 1)})
}

func (s *Server) cut(r *http.Request) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		f := &s.faults[i]
		if f.cutAfter > 0 && f.remaining > 0 && f.method == r.Method && strings.Contains(r.URL.Path, f.keyPart) {
			f.remaining--
			return f.cutAfter
		}
	}
	return 0
}

// cutWriter drops the response body after left bytes; the server then closes the connection, because
// the handler wrote less than the Content-Length it announced.
type cutWriter struct {
	http.ResponseWriter
	left int64
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if c.left > 0 {
		n := min(int64(len(p)), c.left)
		if _, err := c.ResponseWriter.Write(p[:n]); err != nil {
			return 0, err
		}
		c.left -= n
	}
	return len(p), nil // the rest is dropped without telling the handler
}

// precondition answers a GET or HEAD whose If-Match names another ETag than the object's with 412, and
// one whose If-None-Match names the object's ETag with 304, as S3 does.
func (s *Server) precondition(w http.ResponseWriter, r *http.Request) bool {
	ifMatch, ifNoneMatch := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
	if (ifMatch == "" && ifNoneMatch == "") || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if !ok || key == "" {
		return false
	}
	var obj *gofakes3.Object
	var err error
	if v := r.URL.Query().Get("versionId"); v != "" {
		obj, err = s.backend.HeadObjectVersion(bucket, key, gofakes3.VersionID(v))
	} else {
		obj, err = s.backend.HeadObject(bucket, key)
	}
	if err != nil || obj == nil {
		return false // gofakes3 answers NoSuchKey, NoSuchVersion or NoSuchBucket itself
	}
	if obj.Contents != nil {
		_ = obj.Contents.Close()
	}
	etag := hex.EncodeToString(obj.Hash)
	if ifMatch != "" && ifMatch != "*" && strings.Trim(ifMatch, `"`) != etag {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed")
		return true
	}
	// If-None-Match naming the current ETag: 304 Not Modified, with no body.
	// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
	if ifNoneMatch != "" && (ifNoneMatch == "*" || strings.Trim(ifNoneMatch, `"`) == etag) {
		s.notModified.Add(1)
		w.Header().Set("ETag", `"`+etag+`"`)
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	return false
}

func writeError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code +
		`</Code><Message>s3test: ` + code + `</Message><RequestId>test</RequestId></Error>`))
}

func (s *Server) inject(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	var hit *fault
	for i := range s.faults {
		f := &s.faults[i]
		if f.cutAfter == 0 && f.remaining > 0 && f.method == r.Method && strings.Contains(r.URL.Path, f.keyPart) {
			f.remaining--
			hit = f
			break
		}
	}
	s.mu.Unlock()
	if hit == nil {
		return false
	}
	writeError(w, hit.status, hit.code)
	return true
}
