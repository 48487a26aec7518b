package deployer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Upload puts body into bucket under key unless the key is already there, and reports whether it wrote.
// Keys are content-addressed (they carry the content's hash), so a key that exists holds these bytes.
//
// It asks with HeadObject, which needs s3:GetObject only. S3 answers a missing key with 404 to a caller
// allowed s3:ListBucket and with 403 to one that is not
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Permissions"), and a HEAD answer
// has no body to tell a denial from a missing key: both mean "upload" (writing the same bytes over an
// existing key changes nothing). Any other error stops the deploy.
func (d *Deployer) Upload(ctx context.Context, bucket, key, contentType string, body []byte) (bool, error) {
	_, err := d.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		fmt.Fprintf(d.Log, "s3://%s/%s is already there\n", bucket, key)
		return false, nil
	}
	if !unknownObject(err) {
		return false, fmt.Errorf("check s3://%s/%s: %w", bucket, key, err)
	}
	_, err = d.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            aws.String(bucket),
		Key:               aws.String(key),
		Body:              bytes.NewReader(body),
		ContentType:       aws.String(contentType),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		return false, fmt.Errorf("upload s3://%s/%s: %w", bucket, key, err)
	}
	fmt.Fprintf(d.Log, "uploaded s3://%s/%s (%d bytes)\n", bucket, key, len(body))
	return true, nil
}

// unknownObject reports whether a HeadObject error leaves the object missing or unknown: 404, or 403 for
// a caller without s3:ListBucket.
func unknownObject(err error) bool {
	switch httpStatus(err) {
	case http.StatusNotFound, http.StatusForbidden:
		return true
	}
	return isNotFound(err)
}

// TemplateKey is the template's content-addressed key under prefix.
func TemplateKey(prefix string, template []byte) string {
	sum := sha256.Sum256(template)
	return prefix + "templates/" + hex.EncodeToString(sum[:])[:32] + ".json"
}

// ObjectURL is the URL CloudFormation reads an uploaded template from (TemplateURL): S3's own
// virtual-hosted URL of the object for d.Region and its partition, or a path-style URL under d.Endpoint.
// It is the address the S3 client itself resolves, so both are what the SDKs produce.
func (d *Deployer) ObjectURL(ctx context.Context, bucket, key string) (string, error) {
	p := s3.EndpointParameters{Bucket: aws.String(bucket), Region: aws.String(d.Region)}
	if d.Endpoint != "" {
		p.Endpoint = aws.String(d.Endpoint)
		p.ForcePathStyle = aws.Bool(true)
	}
	ep, err := s3.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, p)
	if err != nil {
		return "", fmt.Errorf("the URL of s3://%s/%s: %w", bucket, key, err)
	}
	u := ep.URI
	segs := strings.Split(key, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u.RawPath = strings.TrimSuffix(u.EscapedPath(), "/") + "/" + strings.Join(segs, "/")
	u.Path, err = url.PathUnescape(u.RawPath)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
