package itemreader

import (
	"context"
	"errors"
	"io"
)

// source yields items until io.EOF.
type source interface {
	next(ctx context.Context) (any, error)
	close() error
}

// Iterator yields a data set's items one at a time.
type Iterator struct {
	src   source
	max   int
	count int
	err   error // sticky: io.EOF or the first failure
}

// Open validates the request and opens its data set. Nothing is read until the first Next, except for
// a getObject request, whose object is opened (and for CSV with FIRST_ROW, its header read) so that a
// missing object fails here.
func Open(ctx context.Context, store Store, r Request) (*Iterator, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	var src source
	switch action(r.Resource) {
	case ResourceListObjectsV2:
		l := &lister{store: store, bucket: r.Bucket, prefix: r.Prefix}
		if r.Transformation == TransformLoadAndFlatten {
			src = &flattener{store: store, req: r, keys: l}
		} else {
			src = l
		}
	case ResourceGetObject:
		s, err := openObject(ctx, store, r, r.Bucket, r.Key, r.VersionID)
		if err != nil {
			return nil, err
		}
		src = s
	}
	return &Iterator{src: src, max: r.MaxItems}, nil
}

// Next returns the next item, io.EOF after the last one, or an *Error.
func (it *Iterator) Next(ctx context.Context) (any, error) {
	if it.err != nil {
		return nil, it.err
	}
	if it.max > 0 && it.count >= it.max {
		it.err = io.EOF
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := it.src.next(ctx)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, io.EOF) {
			return nil, ctx.Err() // cancelled: not a reader failure, and not sticky
		}
		var ie *Error
		if !errors.Is(err, io.EOF) && !errors.As(err, &ie) {
			err = failf(err, "Failed to read the items: %v", err)
		}
		it.err = err
		return nil, err
	}
	it.count++
	return v, nil
}

// Count is the number of items returned so far.
func (it *Iterator) Count() int { return it.count }

// Close releases the open object, if any.
func (it *Iterator) Close() error { return it.src.close() }

// openObject opens one object's items by the request's InputType.
func openObject(ctx context.Context, store Store, r Request, bucket, key, version string) (source, error) {
	rc, err := getObject(ctx, store, bucket, key, version)
	if err != nil {
		return nil, err
	}
	var s source
	switch r.InputType {
	case InputCSV:
		s, err = newCSV(rc, r, key)
	case InputJSON:
		s, err = newJSONArray(rc, key)
	case InputJSONL:
		s = newJSONL(rc, key)
	case InputManifest:
		s, err = newManifest(ctx, store, rc, r, key)
	default:
		err = failf(nil, "Invalid InputType %q.", r.InputType)
	}
	if err != nil {
		rc.Close()
		return nil, err
	}
	return s, nil
}

// getObject opens an object, answering a failure with AWS's cause.
func getObject(ctx context.Context, store Store, bucket, key, version string) (io.ReadCloser, error) {
	rc, err := store.Get(ctx, bucket, key, version)
	if err == nil {
		return rc, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if errors.Is(err, ErrNotFound) {
		return nil, failf(err, "Unable to read the object s3://%s/%s: the bucket or the key does not exist. (Service: S3, Status Code: 404, Error Code: NoSuchKey)", bucket, key)
	}
	return nil, failf(err, "Unable to read the object s3://%s/%s: %v", bucket, key, err)
}
