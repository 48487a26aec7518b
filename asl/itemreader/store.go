package itemreader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sluicehq/sluice/asl"
)

// Store is what the readers need from S3. The host adapts its object store to it.
type Store interface {
	// List returns one page of ListObjectsV2 over bucket and prefix, from the continuation token
	// ("" for the first page), in key order.
	List(ctx context.Context, bucket, prefix, continuation string) (Page, error)
	// Get opens an object (versionID "" for the current version). A missing bucket or key is an
	// error wrapping ErrNotFound.
	Get(ctx context.Context, bucket, key, versionID string) (io.ReadCloser, error)
}

// ErrNotFound is what a Store's Get wraps when the bucket or the object does not exist.
var ErrNotFound = errors.New("not found")

// Page is one page of a listing.
type Page struct {
	Objects []Object
	// Next is the continuation token of the next page, "" on the last page.
	Next string
}

// Object is one listed object.
type Object struct {
	Key          string
	ETag         string // as S3 returns it, quoted
	LastModified time.Time
	Size         int64
	StorageClass string // STANDARD when empty
}

// Error is a failure to read items; the engine fails the Map state with States.ItemReaderFailed and
// Cause.
type Error struct {
	Cause string
	Err   error // what went wrong underneath, if anything (for errors.Is; not shown to users)
}

func (e *Error) Error() string { return e.Cause }
func (e *Error) Unwrap() error { return e.Err }

// Name is the ASL error name of every *Error.
func (e *Error) Name() string { return asl.ErrItemReaderFailed }

func failf(err error, format string, args ...any) *Error {
	return &Error{Cause: fmt.Sprintf(format, args...), Err: err}
}
