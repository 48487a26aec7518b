package deployer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	locals3 "github.com/sluicehq/sluice/local/s3"
)

// policy plays an IAM policy (and another account) in front of the local S3, in the client's transport:
// a HEAD request whose path has the prefix is answered with status and no body, as S3 answers a HEAD it
// refuses; with createCode, a CreateBucket is answered with that S3 error (409), as S3 answers for a
// name that is taken; the PUTs that reach the local S3 are counted.
type policy struct {
	next       http.RoundTripper
	prefix     string
	status     int
	createCode string
	puts       atomic.Int32
}

func (p *policy) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodHead && p.status != 0 && strings.HasPrefix(r.URL.Path, p.prefix) {
		return &http.Response{StatusCode: p.status, Status: http.StatusText(p.status), Header: http.Header{},
			Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	}
	if r.Method == http.MethodPut && p.createCode != "" && strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 && r.URL.RawQuery == "" {
		body := "<Error><Code>" + p.createCode + "</Code><Message>taken</Message></Error>"
		return &http.Response{StatusCode: http.StatusConflict, Status: "409 Conflict", Header: http.Header{"Content-Type": {"application/xml"}},
			Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	if r.Method == http.MethodPut {
		p.puts.Add(1)
	}
	return p.next.RoundTrip(r)
}

// fixedAccount is an STS that names one account: GetCallerIdentity is not what these tests are about.
type fixedAccount string

func (a fixedAccount) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(string(a))}, nil
}

// localS3 starts a local S3 and returns its URL and the service (for setting up buckets directly).
func localS3(t *testing.T) (string, *locals3.Service) {
	t.Helper()
	svc, err := locals3.New(locals3.WithDataDir(t.TempDir()), locals3.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(func() { srv.Close(); svc.Close() })
	return srv.URL, svc
}

// s3Client is the real SDK client for url, its requests going through p.
func s3Client(url string, p *policy) *s3.Client {
	p.next = http.DefaultTransport
	return s3.New(s3.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(url),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:   &http.Client{Transport: p},
		// No retries: a 500 must come back as the error it is, quickly.
		RetryMaxAttempts: 1,
	})
}

// TestResolveBucket checks the artifact bucket: the default one is named after the account and region
// and created versioned, encrypted and private when missing, and used as it is when there. HeadBucket's
// 403 (another account's, or ours without s3:ListBucket) refuses the default bucket only when
// CreateBucket says the name is taken; a given bucket is used as given.
func TestResolveBucket(t *testing.T) {
	tests := []struct {
		name     string
		given    string
		existing string // a bucket made before
		head     int    // HeadBucket's status by policy, 0 for the real answer
		create   string // CreateBucket's error code by policy, "" for the real answer
		want     string
		created  bool
		wantErr  error
	}{
		{name: "default, missing", want: "sluice-artifacts-123456789012-eu-west-1", created: true},
		{name: "default, there", existing: "sluice-artifacts-123456789012-eu-west-1", want: "sluice-artifacts-123456789012-eu-west-1"},
		{name: "default, another account's", head: http.StatusForbidden, create: "BucketAlreadyExists", wantErr: ErrBucketForbidden},
		{name: "default, ours, may not list", head: http.StatusForbidden, create: "BucketAlreadyOwnedByYou",
			want: "sluice-artifacts-123456789012-eu-west-1"},
		{name: "given, there", given: "my-artifacts", existing: "my-artifacts", want: "my-artifacts"},
		{name: "given, missing", given: "my-artifacts", want: "my-artifacts", created: true},
		{name: "given, may not list", given: "my-artifacts", head: http.StatusForbidden, want: "my-artifacts"},
		{name: "given, another region", given: "my-artifacts", head: http.StatusMovedPermanently, wantErr: ErrBucketForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, svc := localS3(t)
			if tt.existing != "" {
				if err := svc.CreateBucket(tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			p := &policy{prefix: "/", status: tt.head, createCode: tt.create}
			client := s3Client(url, p)
			var log bytes.Buffer
			d := &Deployer{S3: client, STS: fixedAccount("123456789012"), Region: "eu-west-1", Out: io.Discard, Log: &log}
			got, err := d.ResolveBucket(t.Context(), tt.given)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("ResolveBucket error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveBucket: %v", err)
			}
			if got != tt.want {
				t.Errorf("bucket %q, want %q", got, tt.want)
			}
			if created := p.puts.Load() > 0; created != tt.created {
				t.Errorf("created = %v, want %v (log %q)", created, tt.created, log.String())
			}
			if !tt.created {
				return
			}
			ctx := t.Context()
			v, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(got)})
			if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
				t.Errorf("versioning %v (%v), want Enabled", v.Status, err)
			}
			enc, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(got)})
			if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
				t.Errorf("encryption %+v (%v), want AES256", enc, err)
			}
			pab, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(got)})
			if err != nil {
				t.Fatal(err)
			}
			if c := pab.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) ||
				!aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
				t.Errorf("public access block %+v, want all on", c)
			}
		})
	}
}

// TestUploadWhenHeadDenied checks that a HeadObject the deployer may not make decides nothing: S3
// answers a missing key with 403 when the caller lacks s3:ListBucket
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), and the package is then
// uploaded; a key that is there is not uploaded again; another error stops.
func TestUploadWhenHeadDenied(t *testing.T) {
	tests := []struct {
		name       string
		headStatus int // 0: the local S3's own answer
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
			url, svc := localS3(t)
			if err := svc.CreateBucket("artifacts"); err != nil {
				t.Fatal(err)
			}
			p := &policy{prefix: "/artifacts/sluice/", status: tt.headStatus}
			client := s3Client(url, p)
			body := []byte("PK\x03\x04 not really a zip")
			key := "sluice/validate-abc.zip"
			if tt.existing {
				if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("artifacts"), Key: aws.String(key),
					Body: bytes.NewReader(body)}); err != nil {
					t.Fatal(err)
				}
				p.puts.Store(0)
			}
			d := &Deployer{S3: client, Out: io.Discard, Log: io.Discard}
			wrote, err := d.Upload(t.Context(), "artifacts", key, "application/zip", body)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Upload error = %v, want error %v", err, tt.wantErr)
			}
			if got := p.puts.Load() > 0; got != tt.wantPut || wrote != tt.wantPut {
				t.Errorf("uploaded = %v (reported %v), want %v", got, wrote, tt.wantPut)
			}
			if tt.wantErr {
				return
			}
			out, err := client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("artifacts"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("get uploaded package: %v", err)
			}
			defer out.Body.Close()
			got, _ := io.ReadAll(out.Body)
			if !bytes.Equal(got, body) {
				t.Errorf("stored %q, want %q", got, body)
			}
		})
	}
}
