package s3_test

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestErrorsCarryRequestIDAndResource checks that every error document names the request and the
// resource, as S3's do (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses:
// Code, Message, Resource, RequestId), including the errors of the operations gofakes3 serves.
func TestErrorsCarryRequestIDAndResource(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "full", false, false)
	e.put(t, "full", "k", "x")
	tests := []struct {
		method, path string
		code         string
		status       int
	}{
		{http.MethodPut, "/Bad_Bucket!", "InvalidBucketName", http.StatusBadRequest},
		{http.MethodPut, "/ab", "InvalidBucketName", http.StatusBadRequest},
		{http.MethodDelete, "/full", "BucketNotEmpty", http.StatusConflict},
		{http.MethodDelete, "/missing-bucket", "NoSuchBucket", http.StatusNotFound},
		{http.MethodGet, "/full/k?uploadId=nope", "NoSuchUpload", http.StatusNotFound},
		{http.MethodGet, "/missing-bucket/k", "NoSuchBucket", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, e.http.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var got struct {
				Code, Message, Resource, RequestId string
			}
			if err := xml.Unmarshal(raw, &got); err != nil {
				t.Fatalf("body %q: %v", raw, err)
			}
			if resp.StatusCode != tt.status || got.Code != tt.code {
				t.Errorf("got %d %s, want %d %s (body %s)", resp.StatusCode, got.Code, tt.status, tt.code, raw)
			}
			id := resp.Header.Get("x-amz-request-id")
			if id == "" || got.RequestId != id {
				t.Errorf("RequestId %q, header x-amz-request-id %q: want the same, not empty", got.RequestId, id)
			}
			if want := strings.SplitN(tt.path, "?", 2)[0]; got.Resource != want {
				t.Errorf("Resource %q, want %q", got.Resource, want)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q, want application/xml", ct)
			}
		})
	}
}

// TestInvalidBucketNameThroughSDK checks what a client sees: the code, and the request id to quote.
func TestInvalidBucketNameThroughSDK(t *testing.T) {
	e := newEnv(t, t.TempDir())
	_, err := e.client.CreateBucket(t.Context(), &awss3.CreateBucketInput{Bucket: aws.String("Not_Valid")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidBucketName" {
		t.Fatalf("CreateBucket: %v, want InvalidBucketName", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Errorf("CreateBucket error %v carries no request id", err)
	}
}
