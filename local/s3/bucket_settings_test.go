package s3_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sluicehq/sluice/local/s3"
)

// TestBucketSettings checks the settings an artifact bucket is made with, through the SDK as a deployer
// makes them: CreateBucket with a location constraint, PutBucketVersioning, PutBucketEncryption and
// PutPublicAccessBlock, each read back, before and after a restart. A bucket with none answers S3's
// defaults for new buckets (SSE-S3; all four public access settings on).
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html
func TestBucketSettings(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir)
	ctx := t.Context()
	b := aws.String("artifacts")
	if _, err := e.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: b,
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}); err != nil {
		t.Fatal(err)
	}

	type settings struct {
		Versioning        types.BucketVersioningStatus
		SSEAlgorithm      types.ServerSideEncryption
		KMSKey            string
		PublicAccessBlock types.PublicAccessBlockConfiguration
	}
	read := func(e *env) settings {
		t.Helper()
		var s settings
		v, err := e.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: b})
		if err != nil {
			t.Fatalf("GetBucketVersioning: %v", err)
		}
		s.Versioning = v.Status
		enc, err := e.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			t.Fatalf("GetBucketEncryption: %v", err)
		}
		if c := enc.ServerSideEncryptionConfiguration; c == nil || len(c.Rules) != 1 || c.Rules[0].ApplyServerSideEncryptionByDefault == nil {
			t.Fatalf("GetBucketEncryption: %+v, want one rule with a default", enc.ServerSideEncryptionConfiguration)
		}
		d := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
		s.SSEAlgorithm, s.KMSKey = d.SSEAlgorithm, aws.ToString(d.KMSMasterKeyID)
		pab, err := e.client.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			t.Fatalf("GetPublicAccessBlock: %v", err)
		}
		s.PublicAccessBlock = *pab.PublicAccessBlockConfiguration
		return s
	}
	opts := cmp.AllowUnexported(types.PublicAccessBlockConfiguration{})
	on := types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(true),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	if diff := cmp.Diff(read(e), settings{SSEAlgorithm: types.ServerSideEncryptionAes256, PublicAccessBlock: on}, opts); diff != "" {
		t.Errorf("a new bucket's settings (-got +want):\n%s", diff)
	}

	if _, err := e.client.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	if _, err := e.client.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: b,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String("alias/artifacts")}}}}}); err != nil {
		t.Fatalf("PutBucketEncryption: %v", err)
	}
	partly := types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), IgnorePublicAcls: aws.Bool(false),
		BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(false)}
	if _, err := e.client.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &partly}); err != nil {
		t.Fatalf("PutPublicAccessBlock: %v", err)
	}
	want := settings{Versioning: types.BucketVersioningStatusEnabled, SSEAlgorithm: types.ServerSideEncryptionAwsKms,
		KMSKey: "alias/artifacts", PublicAccessBlock: partly}
	if diff := cmp.Diff(read(e), want, opts); diff != "" {
		t.Errorf("settings (-got +want):\n%s", diff)
	}
	e.close()
	if diff := cmp.Diff(read(newEnv(t, dir)), want, opts); diff != "" {
		t.Errorf("settings after a restart (-got +want):\n%s", diff)
	}
}

// TestBucketSettingsErrors checks S3's answers to bad settings and to a bucket that does not exist.
func TestBucketSettingsErrors(t *testing.T) {
	e := newEnv(t, t.TempDir())
	e.bucket(t, "settings", false, false)
	ctx := t.Context()
	rule := func(alg types.ServerSideEncryption, key *string) *types.ServerSideEncryptionConfiguration {
		return &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg, KMSMasterKeyID: key}}}}
	}
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"unknown algorithm", func() error {
			_, err := e.client.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: aws.String("settings"), ServerSideEncryptionConfiguration: rule("DES", nil)})
			return err
		}, "MalformedXML"},
		{"KMS key with AES256", func() error {
			_, err := e.client.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: aws.String("settings"),
				ServerSideEncryptionConfiguration: rule(types.ServerSideEncryptionAes256, aws.String("k"))})
			return err
		}, "InvalidArgument"},
		{"encryption of no bucket", func() error {
			_, err := e.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: aws.String("no-such-bucket")})
			return err
		}, "NoSuchBucket"},
		{"public access block of no bucket", func() error {
			_, err := e.client.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String("no-such-bucket"),
				PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)}})
			return err
		}, "NoSuchBucket"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			if err := tt.call(); !errors.As(err, &ae) || ae.ErrorCode() != tt.want {
				t.Errorf("error %v, want code %s", err, tt.want)
			}
		})
	}
}

// FuzzBucketSettings puts any document as a bucket's default encryption and public access block: the
// answer is success or S3's client error, never a server error, and an accepted setting reads back.
func FuzzBucketSettings(f *testing.F) {
	for _, s := range []string{
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
		`<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>`,
		`<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>`,
		`<ServerSideEncryptionConfiguration/>`, `<`, ``,
	} {
		f.Add(s)
	}
	svc, err := s3.New(s3.WithDataDir(f.TempDir()), s3.WithSync(false))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { svc.Close() })
	if err := svc.CreateBucket("settings"); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, sub := range []string{"encryption", "publicAccessBlock"} {
			w := httptest.NewRecorder()
			svc.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/settings?"+sub, strings.NewReader(doc)))
			if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
				t.Fatalf("PUT ?%s %q: status %d %s", sub, doc, w.Code, w.Body)
			}
			r := httptest.NewRecorder()
			svc.ServeHTTP(r, httptest.NewRequest(http.MethodGet, "/settings?"+sub, nil))
			if r.Code != http.StatusOK {
				t.Fatalf("GET ?%s after PUT %q: status %d %s", sub, doc, r.Code, r.Body)
			}
		}
	})
}
