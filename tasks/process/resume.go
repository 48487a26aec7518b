package process

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sluicehq/sluice/tasks"
)

// maxResumes bounds how often one read of an object resumes after its connection broke.
const maxResumes = 3

// resumingBody reads an object's body and, when the connection breaks off mid-body, asks S3 for the rest
// (a ranged GetObject from the first byte not yet read, with the same If-Match and VersionId, so the rest
// comes from the same object version) instead of failing the whole task: for a large object, a retry of
// the task would start again from the first byte. Only failures that tasks.ClassifyObject calls transient
// are resumed, at most maxResumes times; then the last error is returned as it came, and so is the error
// of a resuming request (a 412 when the object changed meanwhile).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax (Range)
type resumingBody struct {
	ctx     context.Context
	s3      S3
	get     s3.GetObjectInput // the original request
	src     tasks.ObjectRef
	body    io.ReadCloser
	off     int64 // bytes delivered so far
	resumes int
}

func (r *resumingBody) Read(p []byte) (int, error) {
	for {
		n, err := r.body.Read(p)
		r.off += int64(n)
		if err == nil || errors.Is(err, io.EOF) || !r.resumable(err) {
			return n, err
		}
		if rerr := r.reopen(); rerr != nil {
			return n, rerr // e.g. 412: the object changed while it was being read
		}
		if n > 0 {
			return n, nil
		}
	}
}

func (r *resumingBody) resumable(err error) bool {
	var transient *tasks.TransientError
	return r.resumes < maxResumes && errors.As(tasks.ClassifyObject("read "+r.src.Key, r.src, err), &transient)
}

// reopen replaces the broken body with the rest of the object.
func (r *resumingBody) reopen() error {
	r.resumes++
	_ = r.body.Close()
	in := r.get
	in.Range = aws.String("bytes=" + strconv.FormatInt(r.off, 10) + "-")
	out, err := r.s3.GetObject(r.ctx, &in)
	if err != nil {
		r.body = io.NopCloser(errReader{err})
		return err
	}
	r.body = out.Body
	return nil
}

func (r *resumingBody) Close() error { return r.body.Close() }

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
