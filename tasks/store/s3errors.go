package store

import (
	"errors"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sluicehq/sluice/tasks"
)

// TEMPORARY: replaced by tasks.Classify once it is committed.
func classify(op string, ref tasks.ObjectRef, err error) error {
	var re *smithyhttp.ResponseError
	status := 0
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case status == 404:
		return &tasks.ObjectNotFoundError{Bucket: ref.Bucket, Key: ref.Key}
	case status == 412:
		return &tasks.ObjectChangedError{Bucket: ref.Bucket, Key: ref.Key, WantETag: ref.ETag}
	case status >= 500 || status == 409 || status == 0 || status == 429:
		return &tasks.TransientError{Op: op, Err: err}
	}
	return err
}

// preconditionFailed reports whether err is S3's 412 answer to a conditional request.
func preconditionFailed(err error) bool {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() == 412 {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "PreconditionFailed"
}
