package tasks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3 error codes, from https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html.

// isNotFoundCode: the object, version or bucket does not exist. HeadObject answers a bare 404, which the
// SDK reports as "NotFound".
func isNotFoundCode(code string) bool {
	switch code {
	case "NoSuchKey", "NoSuchVersion", "NoSuchBucket", "NotFound":
		return true
	}
	return false
}

// isChangedCode: a conditional request's precondition (If-Match) failed.
func isChangedCode(code string) bool { return code == "PreconditionFailed" }

// isTransientCode: throttling and server-side failures that S3 documents as worth retrying, and the 409
// ConditionalRequestConflict of concurrent conditional writes, which AWS says to retry.
func isTransientCode(code string) bool {
	switch code {
	case "SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout",
		"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests",
		"OperationAborted", "ConditionalRequestConflict", "RequestTimeTooSkewed":
		return true
	}
	return false
}

// Classify is ClassifyObject for a call that concerns no one object.
func Classify(op string, err error) error {
	return ClassifyObject(op, ObjectRef{}, err)
}

// ClassifyObject maps an error of an S3 call (op says what was being done, e.g. "get incoming/a.csv")
// on the object obj to the named error the state machine acts on:
//   - *ObjectNotFoundError: NoSuchKey, NoSuchVersion, NoSuchBucket, or a bare 404;
//   - *ObjectChangedError: 412 PreconditionFailed (the If-Match ETag no longer matches);
//   - *TransientError: throttling (503 SlowDown, 429), S3 5xx, RequestTimeout, a connection that failed
//     or broke off, and the task's context deadline;
//
// An error that is already one of the named types is returned as it is, nil is nil, and anything else
// (403 AccessDenied, a bad request, a cancelled context) is returned wrapped with op: not retryable, it
// ends up in the Catch-all. Return the result unwrapped from a handler: see the package documentation.
func ClassifyObject(op string, obj ObjectRef, err error) error {
	if err == nil {
		return nil
	}
	var (
		transient *TransientError
		notFound  *ObjectNotFoundError
		changed   *ObjectChangedError
	)
	if errors.As(err, &transient) || errors.As(err, &notFound) || errors.As(err, &changed) {
		switch {
		case transient != nil:
			return transient
		case notFound != nil:
			return notFound
		}
		return changed
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		switch {
		case isNotFoundCode(code):
			return &ObjectNotFoundError{Bucket: obj.Bucket, Key: obj.Key}
		case isChangedCode(code):
			return &ObjectChangedError{Bucket: obj.Bucket, Key: obj.Key, WantETag: obj.ETag}
		case isTransientCode(code):
			return &TransientError{Op: op, Err: err}
		}
	}
	if isNetwork(err) || errors.Is(err, context.DeadlineExceeded) {
		return &TransientError{Op: op, Err: err}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		switch status := respErr.HTTPStatusCode(); {
		case status == http.StatusNotFound:
			return &ObjectNotFoundError{Bucket: obj.Bucket, Key: obj.Key}
		case status == http.StatusPreconditionFailed:
			return &ObjectChangedError{Bucket: obj.Bucket, Key: obj.Key, WantETag: obj.ETag}
		case status == http.StatusTooManyRequests || status >= 500:
			return &TransientError{Op: op, Err: err}
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isNetwork reports whether err is a failure to reach S3 or a response body cut short.
func isNetwork(err error) bool {
	var sendErr *smithyhttp.RequestSendError
	var netErr net.Error
	return errors.As(err, &sendErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}
