package s3_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sluicehq/sluice/local/s3"
)

// TestCreateBucketAgain: the local S3 has one owner, so a bucket that exists is the caller's. Creating
// it again answers what AWS answers the owner: 409 BucketAlreadyOwnedByYou in every region but
// us-east-1, where (legacy compatibility) it answers 200 OK; never BucketAlreadyExists, which is for
// another account's bucket. The bucket and its objects are untouched either way.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html (Errors) and
// https://docs.aws.amazon.com/sdk-for-python/v4/reference/clients/s3/errors/BucketAlreadyOwnedByYou/
func TestCreateBucketAgain(t *testing.T) {
	for _, tc := range []struct {
		region     string
		wantStatus int // 0: success
	}{
		{region: "eu-west-1", wantStatus: http.StatusConflict},
		{region: "ap-southeast-2", wantStatus: http.StatusConflict},
		{region: "us-east-1"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			e := newEnv(t, t.TempDir(), s3.WithRegion(tc.region))
			c := awss3.NewFromConfig(aws.Config{Region: tc.region, Credentials: e.client.Options().Credentials}, func(o *awss3.Options) {
				o.BaseEndpoint = aws.String(e.http.URL)
				o.UsePathStyle = true
			})
			ctx := t.Context()
			in := &awss3.CreateBucketInput{Bucket: aws.String("again")}
			if tc.region != "us-east-1" {
				in.CreateBucketConfiguration = &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraint(tc.region)}
			}
			if _, err := c.CreateBucket(ctx, in); err != nil {
				t.Fatalf("first CreateBucket: %v", err)
			}
			if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("again"), Key: aws.String("k")}); err != nil {
				t.Fatal(err)
			}
			_, err := c.CreateBucket(ctx, in)
			var owned *types.BucketAlreadyOwnedByYou
			var exists *types.BucketAlreadyExists
			var re *awshttp.ResponseError
			switch {
			case tc.wantStatus == 0 && err != nil:
				t.Errorf("CreateBucket again: %v, want 200 OK", err)
			case tc.wantStatus != 0 && !errors.As(err, &owned):
				t.Errorf("CreateBucket again: %v, want BucketAlreadyOwnedByYou", err)
			case errors.As(err, &exists):
				t.Errorf("CreateBucket again: %v: BucketAlreadyExists is another account's bucket", err)
			case tc.wantStatus != 0 && (!errors.As(err, &re) || re.HTTPStatusCode() != tc.wantStatus):
				t.Errorf("CreateBucket again: %v, want HTTP %d", err, tc.wantStatus)
			}
			if _, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("again"), Key: aws.String("k")}); err != nil {
				t.Errorf("the object after CreateBucket again: %v", err)
			}
		})
	}
}
