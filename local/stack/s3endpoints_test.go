package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// TestS3EndpointParametersFields pins the fields of the SDK's S3 endpoint parameters: s3EndpointKey
// leaves out Key, Prefix and CopySource because this SDK's rules never read them. An SDK that adds or
// renames a field fails here until s3EndpointKey is revisited.
func TestS3EndpointParametersFields(t *testing.T) {
	var got []string
	typ := reflect.TypeFor[s3.EndpointParameters]()
	for i := range typ.NumField() {
		got = append(got, typ.Field(i).Name)
	}
	want := []string{"Bucket", "Region", "UseFIPS", "UseDualStack", "Endpoint", "ForcePathStyle", "Accelerate",
		"UseGlobalEndpoint", "UseObjectLambdaEndpoint", "Key", "Prefix", "CopySource", "DisableAccessPoints",
		"DisableMultiRegionAccessPoints", "UseArnRegion", "UseS3ExpressControlEndpoint", "DisableS3ExpressSessionAuth"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("s3.EndpointParameters fields (-got +want):\n%s", diff)
	}
}

// describeEndpoint is an endpoint in comparable form: its URL, headers, and properties with the auth
// options spelled out.
func describeEndpoint(e smithyendpoints.Endpoint) map[string]any {
	props := map[string]any{}
	for k, v := range e.Properties.Values() {
		if opts, ok := v.([]*smithyauth.Option); ok {
			var d []map[string]any
			for _, o := range opts {
				d = append(d, map[string]any{"scheme": o.SchemeID, "identity": describeProperties(&o.IdentityProperties),
					"signer": describeProperties(&o.SignerProperties)})
			}
			v = d
		}
		props[fmt.Sprintf("%T %v", k, k)] = v
	}
	return map[string]any{"uri": e.URI.String(), "rawPath": e.URI.RawPath, "headers": e.Headers, "properties": props}
}

func describeProperties(p *smithy.Properties) map[string]any {
	d := map[string]any{}
	for k, v := range p.Values() {
		d[fmt.Sprintf("%T %v", k, k)] = fmt.Sprintf("%#v", v)
	}
	return d
}

// TestS3EndpointsMatchTheSDK resolves a range of parameters, those of the stack's clients and others
// (virtual hosts, ARNs, S3 Express buckets, FIPS, dual stack, acceleration, errors), with s3Endpoints and
// with the SDK's resolver, and compares the answers, the first (resolved) and the second (remembered);
// what the SDK does to an endpoint it is given does not reach the next answer.
func TestS3EndpointsMatchTheSDK(t *testing.T) {
	sdk := s3.NewDefaultEndpointResolverV2()
	r := newS3Endpoints()
	local := "http://127.0.0.1:4566"
	base := func(bucket, key string) s3.EndpointParameters {
		return s3.EndpointParameters{Bucket: optional(bucket), Region: aws.String("us-east-1"), Endpoint: aws.String(local),
			ForcePathStyle: aws.Bool(true), UseFIPS: aws.Bool(false), UseDualStack: aws.Bool(false), Accelerate: aws.Bool(false),
			DisableMultiRegionAccessPoints: aws.Bool(false), UseArnRegion: aws.Bool(false), Key: optional(key)}
	}
	with := func(p s3.EndpointParameters, f func(*s3.EndpointParameters)) s3.EndpointParameters { f(&p); return p }
	cases := map[string]s3.EndpointParameters{
		"path style":              base("incoming", "a/b.csv"),
		"path style, other key":   base("incoming", "c d/é.csv"),
		"dotted bucket":           base("my.bucket", "k"),
		"no bucket":               base("", ""),
		"bucket needing encoding": base("Bad_Bucket", "k"),
		"endpoint with a path":    with(base("b", "k"), func(p *s3.EndpointParameters) { p.Endpoint = aws.String(local + "/prefix") }),
		"virtual host":            with(base("bucket", "k"), func(p *s3.EndpointParameters) { p.ForcePathStyle = aws.Bool(false) }),
		"aws":                     with(base("bucket", "k"), func(p *s3.EndpointParameters) { p.Endpoint = nil; p.ForcePathStyle = aws.Bool(false) }),
		"aws fips dual stack": with(base("bucket", "k"), func(p *s3.EndpointParameters) {
			p.Endpoint = nil
			p.UseFIPS = aws.Bool(true)
			p.UseDualStack = aws.Bool(true)
		}),
		"aws accelerate": with(base("bucket", "k"), func(p *s3.EndpointParameters) {
			p.Endpoint = nil
			p.Accelerate = aws.Bool(true)
			p.ForcePathStyle = aws.Bool(false)
		}),
		"aws other region":         with(base("bucket", "k"), func(p *s3.EndpointParameters) { p.Endpoint = nil; p.Region = aws.String("eu-west-3") }),
		"express bucket":           with(base("mybucket--use1-az4--x-s3", "k"), func(p *s3.EndpointParameters) { p.Endpoint = nil; p.ForcePathStyle = aws.Bool(false) }),
		"express session disabled": with(base("mybucket--use1-az4--x-s3", "k"), func(p *s3.EndpointParameters) { p.Endpoint = nil; p.DisableS3ExpressSessionAuth = aws.Bool(true) }),
		"access point arn":         with(base("arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "k"), func(p *s3.EndpointParameters) { p.Endpoint = nil; p.ForcePathStyle = aws.Bool(false) }),
		"no region (an error)":     with(base("bucket", "k"), func(p *s3.EndpointParameters) { p.Region = nil }),
		"missing flag (an error)":  with(base("bucket", "k"), func(p *s3.EndpointParameters) { p.UseFIPS = nil }),
	}
	names := make([]string, 0, len(cases))
	for n := range cases {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		p := cases[name]
		t.Run(name, func(t *testing.T) {
			want, wantErr := sdk.ResolveEndpoint(t.Context(), p)
			for i := range 3 {
				got, err := r.ResolveEndpoint(t.Context(), p)
				if (err != nil) != (wantErr != nil) || err != nil && err.Error() != wantErr.Error() {
					t.Fatalf("resolve %d: error %v, want %v", i, err, wantErr)
				}
				if diff := cmp.Diff(describeEndpoint(got), describeEndpoint(want)); diff != "" {
					t.Errorf("resolve %d (-got +want):\n%s", i, diff)
				}
				// What the SDK does with an endpoint it is given: rewrite its auth options, its path.
				if opts, ok := smithyauth.GetAuthOptions(&got.Properties); ok {
					for _, o := range opts {
						o.SchemeID = "changed"
						o.SignerProperties.Set("changed", true)
						o.IdentityProperties.Set("changed", true)
					}
				}
				got.URI.RawPath = "/changed"
				got.Properties.Set("changed", true)
			}
		})
	}
	// The key is not part of what is remembered: another key answers what the SDK answers for it.
	for _, key := range []string{"x", "y/z", ""} {
		p := base("incoming", key)
		want, _ := sdk.ResolveEndpoint(t.Context(), p)
		got, err := r.ResolveEndpoint(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(describeEndpoint(got), describeEndpoint(want)); diff != "" {
			t.Errorf("key %q (-got +want):\n%s", key, diff)
		}
	}
}

// TestS3EndpointsBounded checks that the endpoints remembered stay at maxS3Endpoints, and that
// parameters past it are still answered.
func TestS3EndpointsBounded(t *testing.T) {
	r := newS3Endpoints()
	for i := range maxS3Endpoints + 10 {
		p := s3.EndpointParameters{Bucket: aws.String(fmt.Sprintf("b%d", i)), Region: aws.String("us-east-1"),
			Endpoint: aws.String("http://127.0.0.1:1"), ForcePathStyle: aws.Bool(true)}
		e, err := r.ResolveEndpoint(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := e.URI.String(), fmt.Sprintf("http://127.0.0.1:1/b%d", i); got != want {
			t.Fatalf("endpoint %d: got %s, want %s", i, got, want)
		}
	}
	if got := len(r.m); got != maxS3Endpoints {
		t.Errorf("%d endpoints remembered, want %d", got, maxS3Endpoints)
	}
}

// fixedTimeSigner signs as the SDK's S3 signer does, at a fixed time, so that two clients' signatures
// can be compared.
type fixedTimeSigner struct {
	s  *v4.Signer
	at time.Time
}

func (f fixedTimeSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, optFns ...func(*v4.SignerOptions)) error {
	return f.s.SignHTTP(ctx, creds, r, payloadHash, service, region, f.at, optFns...)
}

// recordedRequest is a request as it leaves the client.
type recordedRequest struct {
	Method, URL, Host string
	Header            http.Header
	ContentLength     int64
	TransferEncoding  []string
	Body              []byte
}

// recordingTransport records each request and passes it on.
type recordingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recordedRequest
}

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	h := req.Header.Clone()
	r.mu.Lock()
	r.reqs = append(r.reqs, recordedRequest{Method: req.Method, URL: req.URL.String(), Host: req.Host, Header: h,
		ContentLength: req.ContentLength, TransferEncoding: req.TransferEncoding, Body: body})
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

func (r *recordingTransport) take() []recordedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	reqs := r.reqs
	r.reqs = nil
	return reqs
}

// TestS3EndpointsSendTheSameRequests makes the S3 calls the tasks make (and a few more) with two clients
// configured as the stack's, one with the SDK's endpoint resolver and one with s3Endpoints, both signing
// at the same fixed time with the same invocation id, and compares every request byte for byte: method,
// URL, headers (the signature among them) and body.
func TestS3EndpointsSendTheSameRequests(t *testing.T) {
	st := startEmptyStack(t)
	ctx := t.Context()
	at := time.Now().UTC().Truncate(time.Second)
	client := func(resolver s3.EndpointResolverV2, direct bool) (*s3.Client, *recordingTransport) {
		rec := &recordingTransport{next: st.inProcess}
		var hc s3.HTTPClient = &http.Client{Transport: rec, Timeout: time.Minute}
		if direct {
			hc = &inProcessClient{rt: rec, host: st.inProcess.host, net: &http.Client{Transport: rec}}
		}
		o := s3.Options{
			Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true,
			Credentials:                credentials.NewStaticCredentialsProvider("local", "local", ""),
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
			HTTPClient:                 hc,
			HTTPSignerV4:               fixedTimeSigner{v4.NewSigner(func(so *v4.SignerOptions) { so.DisableURIPathEscaping = true }), at},
			EndpointResolverV2:         resolver,
			// The invocation id the SDK draws at random for each call is signed: both clients send the same.
			APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
				return s.Build.Add(middleware.BuildMiddlewareFunc("FixedInvocationID", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						req.Header.Set("Amz-Sdk-Invocation-Id", "00000000-0000-4000-8000-000000000000")
					}
					return next.HandleBuild(ctx, in)
				}), middleware.After)
			}},
		}
		return s3.New(o), rec
	}
	sdkClient, sdkRec := client(nil, false) // nil: the SDK's default resolver
	ourClient, ourRec := client(newS3Endpoints(), false)
	// The functions' clients as the stack makes them: s3Endpoints and inProcessClient (net/http's Client left out).
	directClient, directRec := client(newS3Endpoints(), true)

	const bucket = "pipeline.bucket"
	var uploadID, copyUploadID string
	for _, step := range []struct {
		name string
		call func(c *s3.Client) error
	}{
		{"CreateBucket", func(c *s3.Client) error {
			_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
			return ignoreCode(err, "BucketAlreadyOwnedByYou")
		}},
		{"PutObject", func(c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a b/é+%.csv"),
				Body: strings.NewReader("id,name\n1,x\n"), ContentType: aws.String("text/csv"), Metadata: map[string]string{"schema": "v1"}})
			return err
		}},
		{"PutObject if none match", func(c *s3.Client) error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("outcomes/x.json"),
				Body: bytes.NewReader([]byte(`{}`)), IfNoneMatch: aws.String("*")})
			return ignoreCode(err, "PreconditionFailed")
		}},
		{"GetObject", func(c *s3.Client) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a b/é+%.csv")})
			if err == nil {
				_, err = io.Copy(io.Discard, out.Body)
				out.Body.Close()
			}
			return err
		}},
		{"GetObject range, if-match", func(c *s3.Client) error {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a b/é+%.csv"),
				Range: aws.String("bytes=0-3"), IfNoneMatch: aws.String(`"nothing"`)})
			if err == nil {
				out.Body.Close()
			}
			return err
		}},
		{"GetObject missing", func(c *s3.Client) error {
			_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
			return ignoreCode(err, "NoSuchKey")
		}},
		{"HeadObject", func(c *s3.Client) error {
			_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/a b/é+%.csv")})
			return err
		}},
		{"CopyObject", func(c *s3.Client) error {
			_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("processed/a.csv"),
				CopySource: aws.String(bucket + "/incoming/a%20b/%C3%A9%2B%25.csv"), MetadataDirective: s3types.MetadataDirectiveCopy})
			return err
		}},
		{"ListObjectsV2", func(c *s3.Client) error {
			_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("incoming/"), MaxKeys: aws.Int32(1)})
			return err
		}},
		{"CreateMultipartUpload", func(c *s3.Client) error {
			out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("processed/big.gz"),
				ContentType: aws.String("application/gzip")})
			if err == nil && uploadID == "" {
				uploadID = aws.ToString(out.UploadId)
			} else if err == nil && copyUploadID == "" {
				copyUploadID = aws.ToString(out.UploadId)
			}
			return err
		}},
		{"UploadPart", func(c *s3.Client) error {
			_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("processed/big.gz"),
				UploadId: aws.String(uploadID), PartNumber: aws.Int32(1), Body: bytes.NewReader(bytes.Repeat([]byte("z"), 1000))})
			return err
		}},
		{"UploadPartCopy", func(c *s3.Client) error {
			_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("processed/big.gz"),
				UploadId: aws.String(copyUploadID), PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/processed/a.csv"),
				CopySourceRange: aws.String("bytes=0-3")})
			return err
		}},
		{"CompleteMultipartUpload", func(c *s3.Client) error {
			_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("processed/big.gz"),
				UploadId: aws.String(uploadID), MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{PartNumber: aws.Int32(1), ETag: aws.String(`"x"`)}}}})
			return ignoreCode(err, "InvalidPart", "NoSuchUpload")
		}},
		{"AbortMultipartUpload", func(c *s3.Client) error {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("processed/big.gz"), UploadId: aws.String(copyUploadID)})
			return ignoreCode(err, "NoSuchUpload")
		}},
		{"DeleteObjects", func(c *s3.Client) error {
			_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("gone/1")}, {Key: aws.String("gone/2")}}}})
			return err
		}},
		{"DeleteObject", func(c *s3.Client) error {
			_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("processed/a.csv")})
			return err
		}},
		{"ListBuckets", func(c *s3.Client) error {
			_, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
	} {
		if err := step.call(sdkClient); err != nil {
			t.Fatalf("%s with the SDK's resolver: %v", step.name, err)
		}
		if err := step.call(ourClient); err != nil {
			t.Fatalf("%s with s3Endpoints: %v", step.name, err)
		}
		if err := step.call(directClient); err != nil {
			t.Fatalf("%s with s3Endpoints and inProcessClient: %v", step.name, err)
		}
		got, direct, want := ourRec.take(), directRec.take(), sdkRec.take()
		if len(want) == 0 {
			t.Fatalf("%s: no request recorded", step.name)
		}
		if diff := cmp.Diff(got, want); diff != "" {
			t.Errorf("%s: requests (-got +want):\n%s", step.name, diff)
		}
		if diff := cmp.Diff(direct, want); diff != "" {
			t.Errorf("%s: requests through inProcessClient (-got +want):\n%s", step.name, diff)
		}
	}
}

func ignoreCode(err error, codes ...string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		for _, c := range codes {
			if ae.ErrorCode() == c {
				return nil
			}
		}
	}
	return err
}
