package tasks

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// IsNotModified reports whether err is S3's answer 304 Not Modified to a conditional GetObject whose
// If-None-Match named the object's current ETag: the copy the caller holds is current.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
func IsNotModified(err error) bool {
	var respErr *awshttp.ResponseError
	return errors.As(err, &respErr) && respErr.HTTPStatusCode() == http.StatusNotModified
}
