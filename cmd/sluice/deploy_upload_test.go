package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	locals3 "github.com/sluicehq/sluice/local/s3"
)

// TestDeployUploadWhenHeadDenied checks that a HeadObject the deployer may not make decides nothing: S3
// answers a missing key with 403 when the caller lacks s3:ListBucket
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), and the zip is then uploaded.
// A proxy in front of the local S3 plays the IAM policy, answering HEAD with headStatus and an empty
// body as S3 does.
func TestDeployUploadWhenHeadDenied(t *testing.T) {
	tests := []struct {
		name       string
		headStatus int // 0: pass HEAD through
		existing   bool
		wantPut    bool
		wantErr    bool
	}{
		{name: "missing, may list", wantPut: true},
		{name: "missing, may not list", headStatus: http.StatusForbidden, wantPut: true},
		{name: "present, may not list", headStatus: http.StatusForbidden, existing: true, wantPut: true},
		{name: "present", existing: true, wantPut: false},
		{name: "server error", headStatus: http.StatusInternalServerError, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, err := locals3.New(locals3.WithDataDir(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { svc.Close() })
			if err := svc.CreateBucket("artifacts"); err != nil {
				t.Fatal(err)
			}
			var puts atomic.Int32
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead && tt.headStatus != 0 {
					w.WriteHeader(tt.headStatus)
					return
				}
				if r.Method == http.MethodPut {
					puts.Add(1)
				}
				svc.ServeHTTP(w, r)
			}))
			t.Cleanup(proxy.Close)
			client := s3.New(s3.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String(proxy.URL),
				UsePathStyle: true,
				Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
				// No retries: a 500 must come back as the error it is, quickly.
				RetryMaxAttempts: 1,
			})
			dist := t.TempDir()
			zip := []byte("PK\x03\x04 not really a zip")
			if err := os.WriteFile(filepath.Join(dist, "validate-abc.zip"), zip, 0o644); err != nil {
				t.Fatal(err)
			}
			a := Artifact{File: "validate-abc.zip", Key: "sluice/validate-abc.zip"}
			if tt.existing {
				if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("artifacts"),
					Key: aws.String(a.Key), Body: bytes.NewReader(zip)}); err != nil {
					t.Fatal(err)
				}
				puts.Store(0)
			}
			o := deployOptions{artifactBucket: "artifacts", dist: dist}
			var stderr bytes.Buffer
			err = upload(t.Context(), client, o, a, stdio{Out: io.Discard, Err: &stderr})
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("upload error = %v, want error %v", err, tt.wantErr)
			}
			if got := puts.Load() > 0; got != tt.wantPut {
				t.Errorf("uploaded = %v, want %v (stderr %q)", got, tt.wantPut, stderr.String())
			}
			if tt.wantErr {
				return
			}
			out, err := client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("artifacts"), Key: aws.String(a.Key)})
			if err != nil {
				t.Fatalf("get uploaded zip: %v", err)
			}
			defer out.Body.Close()
			got, _ := io.ReadAll(out.Body)
			if !bytes.Equal(got, zip) {
				t.Errorf("stored zip = %q, want %q", got, zip)
			}
		})
	}
}
