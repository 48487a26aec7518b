package s3test

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Synthetic is an S3 endpoint for benchmarks that holds no object data: the bodies of its objects are
// generated on the fly by deterministic functions, and what is written to it (PutObject, UploadPart,
// CompleteMultipartUpload, CopyObject) is read and discarded, so that a heap measurement of a task run
// against it sees the task's memory, not the server's. It answers GetObject and HeadObject (honouring
// If-Match), PutObject, CopyObject, the multipart upload calls and DeleteObject, and nothing else.
type Synthetic struct {
	URL    string
	Client *s3.Client

	mu      sync.Mutex
	objects map[string]synthetic // "bucket/key"
	written atomic.Int64
	uploads atomic.Int64
}

type synthetic struct {
	size int64
	etag string
	open func() io.Reader
}

// NewSynthetic starts a synthetic endpoint that lives until the test or benchmark ends.
func NewSynthetic(tb testing.TB) *Synthetic {
	tb.Helper()
	s := &Synthetic{objects: map[string]synthetic{}}
	hs := httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(hs.Close)
	s.URL = hs.URL
	s.Client = NewClient(hs.URL)
	return s
}

// Add makes bucket/key an object of size bytes whose body open returns (it must yield exactly size
// bytes, the same ones each time). The ETag is made up from the key and size.
func (s *Synthetic) Add(bucket, key string, size int64, open func() io.Reader) (etag string) {
	etag = fmt.Sprintf("%032x", uint64(size)^uint64(len(key))<<32^hashString(bucket+"/"+key))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = synthetic{size: size, etag: etag, open: open}
	return etag
}

// AddBytes makes bucket/key a small object with the given body (for schemas and the like).
func (s *Synthetic) AddBytes(bucket, key string, body []byte) (etag string) {
	return s.Add(bucket, key, int64(len(body)), func() io.Reader { return strings.NewReader(string(body)) })
}

// Written returns the number of object bytes written to the endpoint so far (PutObject and UploadPart
// bodies), all discarded.
func (s *Synthetic) Written() int64 { return s.written.Load() }

func hashString(s string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func (s *Synthetic) serve(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		s.get(w, r, bucket, key)
	case r.Method == http.MethodPost && q.Has("uploads"):
		id := s.uploads.Add(1)
		writeXML(w, struct {
			XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
			Bucket   string
			Key      string
			UploadId string
		}{Bucket: bucket, Key: key, UploadId: "upload-" + strconv.FormatInt(id, 10)})
	case r.Method == http.MethodPost && q.Has("uploadId"):
		_, _ = io.Copy(io.Discard, r.Body) // the part list, not object data
		writeXML(w, struct {
			XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
			Location string
			Bucket   string
			Key      string
			ETag     string
		}{Location: s.URL + "/" + bucket + "/" + key, Bucket: bucket, Key: key, ETag: `"` + fmt.Sprintf("%032x", hashString(key)) + `-1"`})
	case r.Method == http.MethodPut && r.Header.Get("x-amz-copy-source") != "":
		writeXML(w, struct {
			XMLName      xml.Name `xml:"CopyObjectResult"`
			ETag         string
			LastModified string
		}{ETag: `"` + fmt.Sprintf("%032x", hashString(key)) + `"`, LastModified: time.Unix(0, 0).UTC().Format(time.RFC3339)})
	case r.Method == http.MethodPut:
		n := s.discard(r)
		w.Header().Set("ETag", `"`+fmt.Sprintf("%032x", uint64(n)^hashString(key))+`"`)
		w.WriteHeader(http.StatusOK)
	case r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeError(w, http.StatusNotImplemented, "NotImplemented")
	}
}

func (s *Synthetic) discard(r *http.Request) int64 {
	n, _ := io.Copy(io.Discard, r.Body)
	s.written.Add(n)
	return n
}

func (s *Synthetic) get(w http.ResponseWriter, r *http.Request, bucket, key string) {
	s.mu.Lock()
	obj, ok := s.objects[bucket+"/"+key]
	s.mu.Unlock()
	if !ok {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		writeError(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	if m := r.Header.Get("If-Match"); m != "" && m != "*" && strings.Trim(m, `"`) != obj.etag {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed")
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+obj.etag+`"`)
	h.Set("Content-Length", strconv.FormatInt(obj.size, 10))
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Last-Modified", time.Unix(0, 0).UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = io.Copy(w, io.LimitReader(obj.open(), obj.size))
	}
}

func writeXML(w http.ResponseWriter, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalError")
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

// Rows returns a deterministic body: header, then row(i, dst) for i from 0 to n-1, generated a chunk at a
// time. Every row must have the length of row 0 (pad numbers to a fixed width), so that the size is known
// without generating the body. It returns the body's size and a function that opens a new reader of it.
func Rows(header string, n int64, row func(i int64, dst []byte) []byte) (size int64, open func() io.Reader) {
	width := int64(len(row(0, nil)))
	size = int64(len(header)) + n*width
	open = func() io.Reader {
		return &rowReader{pending: []byte(header), n: n, width: width, row: row}
	}
	return size, open
}

type rowReader struct {
	pending []byte
	buf     []byte
	i, n    int64
	width   int64
	row     func(i int64, dst []byte) []byte
}

func (r *rowReader) Read(p []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.i >= r.n {
			return 0, io.EOF
		}
		r.buf = r.buf[:0]
		for r.i < r.n && len(r.buf) < 64<<10 {
			before := len(r.buf)
			r.buf = r.row(r.i, r.buf)
			if int64(len(r.buf)-before) != r.width {
				panic(fmt.Sprintf("s3test.Rows: row %d has %d bytes, row 0 has %d", r.i, len(r.buf)-before, r.width))
			}
			r.i++
		}
		r.pending = r.buf
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}
