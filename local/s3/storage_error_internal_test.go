package s3

import (
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/sluicehq/sluice/internal/durablelog"
)

// failingWriter fails every write with err.
type failingWriter struct{ err error }

func (f failingWriter) Write([]byte) (int, error) { return 0, f.err }

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// TestStorageErrors pins how a copy of a request body to disk fails: the disk's errors (full,
// failing, or the journal refusing writes) are server errors clients retry, a body that
// broke off is the client's IncompleteBody
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func TestStorageErrors(t *testing.T) {
	enospc := &os.PathError{Op: "write", Path: "blob", Err: syscall.ENOSPC}
	eio := &os.PathError{Op: "write", Path: "blob", Err: syscall.EIO}
	tests := []struct {
		name   string
		err    func() error // what the request handler maps
		code   Code
		status int
	}{
		{"disk full", func() error {
			_, err := io.Copy(diskWriter{failingWriter{enospc}}, strings.NewReader("x"))
			return bodyError(err)
		}, "ServiceUnavailable", 503},
		{"disk failing", func() error {
			_, err := io.Copy(diskWriter{failingWriter{eio}}, strings.NewReader("x"))
			return bodyError(err)
		}, "InternalError", 500},
		{"source unreadable", func() error { _, err := io.Copy(io.Discard, diskReader{failingReader{eio}}); return bodyError(err) }, "InternalError", 500},
		{"body broke off", func() error { _, err := io.Copy(io.Discard, failingReader{io.ErrUnexpectedEOF}); return bodyError(err) }, "IncompleteBody", 400},
		{"journal write failed or refused", func() error {
			return fmt.Errorf("commit: %w", &wrapped{durablelog.ErrUnhealthy})
		}, "ServiceUnavailable", 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ae := toAPIError(tc.err())
			if ae.Code != tc.code || ae.Code.status() != tc.status {
				t.Errorf("got %s %d, want %s %d", ae.Code, ae.Code.status(), tc.code, tc.status)
			}
		})
	}
}

// wrapped stands for an error that wraps another, as the journal's errors do.
type wrapped struct{ err error }

func (w *wrapped) Error() string { return "wrapped: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
