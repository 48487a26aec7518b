package deployer

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultBucket is the artifact bucket's name when none is given: one per account and region, as
// `sam deploy --resolve-s3` keeps one. Bucket names are global, so the account makes it the caller's own.
func DefaultBucket(account, region string) string {
	return "sluice-artifacts-" + account + "-" + region
}

// ResolveBucket returns the artifact bucket to upload to: name when it is given, else DefaultBucket of the
// caller's account (STS GetCallerIdentity) and d.Region. A bucket that does not exist is created in
// d.Region, versioned, encrypted with S3-managed keys (SSE-S3) and with every public access blocked.
//
// HeadBucket answers 404 or 403 and nothing more (a HEAD answer has no body), and it needs s3:ListBucket
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html), so 403 means "another
// account's" or "yours, but you may not list it". A given bucket is then used as given (the uploads
// say whether it may be written). For the default one, whose HeadBucket carries ExpectedBucketOwner,
// CreateBucket decides: BucketAlreadyOwnedByYou is ours, BucketAlreadyExists another account's
// (ErrBucketForbidden).
func (d *Deployer) ResolveBucket(ctx context.Context, name string) (string, error) {
	var owner *string
	if name == "" {
		id, err := d.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return "", fmt.Errorf("name the artifact bucket after the account (or pass one): %w", err)
		}
		owner = id.Account
		name = DefaultBucket(aws.ToString(id.Account), d.Region)
	}
	// ExpectedBucketOwner turns a bucket of that name in another account into a 403, not a bucket we use.
	_, err := d.S3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name), ExpectedBucketOwner: owner})
	switch status := httpStatus(err); {
	case err == nil:
		fmt.Fprintf(d.Log, "artifact bucket s3://%s\n", name)
		return name, nil
	case status == http.StatusForbidden && owner == nil:
		fmt.Fprintf(d.Log, "artifact bucket s3://%s (HeadBucket answered 403: you may not list it; using it as given)\n", name)
		return name, nil
	case status == http.StatusForbidden:
		// Ours without s3:ListBucket, or another account's: CreateBucket tells.
	case status == http.StatusMovedPermanently:
		return "", fmt.Errorf("%w: s3://%s is in another region than %s (HeadBucket: 301); pass a bucket of %s", ErrBucketForbidden, name, d.Region, d.Region)
	case status != http.StatusNotFound && !isNotFound(err):
		return "", fmt.Errorf("check artifact bucket s3://%s: %w", name, err)
	}
	if err := d.createBucket(ctx, name); err != nil {
		return "", err
	}
	return name, nil
}

// createBucket creates the artifact bucket and configures it: versioning on (every template and package
// a stack was deployed from stays), SSE-S3 default encryption, public access blocked.
func (d *Deployer) createBucket(ctx context.Context, name string) error {
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	// us-east-1 takes no location constraint
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html).
	if d.Region != "" && d.Region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(d.Region)}
	}
	_, err := d.S3.CreateBucket(ctx, in)
	var owned *s3types.BucketAlreadyOwnedByYou
	var taken *s3types.BucketAlreadyExists
	switch {
	case errors.As(err, &taken):
		return fmt.Errorf("%w: the name s3://%s is taken by another account; pass another with --artifact-bucket", ErrBucketForbidden, name)
	case errors.As(err, &owned):
		// Ours already (HeadBucket was denied for want of s3:ListBucket): made and configured before.
		fmt.Fprintf(d.Log, "artifact bucket s3://%s (yours; HeadBucket was denied)\n", name)
		return nil
	case err != nil:
		return fmt.Errorf("create artifact bucket s3://%s: %w", name, err)
	}
	if _, err := d.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		return fmt.Errorf("turn on versioning of s3://%s: %w", name, err)
	}
	if _, err := d.S3.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256},
		}}}}); err != nil {
		return fmt.Errorf("set default encryption of s3://%s: %w", name, err)
	}
	if _, err := d.S3.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String(name),
		PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true),
			IgnorePublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}); err != nil {
		return fmt.Errorf("block public access to s3://%s: %w", name, err)
	}
	fmt.Fprintf(d.Log, "created artifact bucket s3://%s (versioned, SSE-S3, public access blocked)\n", name)
	return nil
}

// httpStatus is the HTTP status of an AWS error, 0 for none.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func isNotFound(err error) bool {
	var nf *s3types.NotFound
	var nb *s3types.NoSuchBucket
	return errors.As(err, &nf) || errors.As(err, &nb)
}
