package cloudformation

import (
	"context"
	"errors"
	"io"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// maxTemplateURLBytes is the largest template read from S3: 1 MB
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
const maxTemplateURLBytes = 1_000_000

// maxTemplateBodyBytes is the largest TemplateBody a request may carry.
const maxTemplateBodyBytes = 51_200

// s3Location is an object named by a TemplateURL.
type s3Location struct {
	Bucket, Key, VersionID string
}

// parseTemplateURL reads the bucket and key of a TemplateURL in every form S3 URLs take: virtual-hosted
// (https://B.s3.amazonaws.com/K, https://B.s3.REGION.amazonaws.com/K, https://B.s3-REGION.amazonaws.com/K),
// path-style (https://s3.amazonaws.com/B/K, https://s3.REGION.amazonaws.com/B/K,
// https://s3-REGION.amazonaws.com/B/K), and the local endpoint's: path-style on any other host
// (http://127.0.0.1:4566/B/K, what the AWS CLI makes with --endpoint-url) or virtual-hosted on
// B.localhost. A versionId query parameter selects a version.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-bucket-intro.html
func parseTemplateURL(raw string) (s3Location, bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return s3Location{}, false
	}
	host := strings.ToLower(u.Hostname())
	path := strings.TrimPrefix(u.EscapedPath(), "/")
	loc := s3Location{VersionID: u.Query().Get("versionId")}
	unescape := func(p string) (string, bool) {
		s, err := url.PathUnescape(p)
		return s, err == nil && s != ""
	}
	virtual := ""
	switch {
	case strings.HasSuffix(host, ".amazonaws.com") || strings.HasSuffix(host, ".amazonaws.com.cn"):
		first, rest, _ := strings.Cut(host, ".")
		if first == "s3" || strings.HasPrefix(first, "s3-") {
			break // path-style
		}
		if i := strings.Index(host, ".s3."); i > 0 {
			virtual = host[:i]
		} else if i := strings.Index(host, ".s3-"); i > 0 {
			virtual = host[:i]
		} else {
			return s3Location{}, false
		}
		_ = rest
	case strings.HasSuffix(host, ".localhost"):
		virtual = strings.TrimSuffix(host, ".localhost")
		virtual = strings.TrimSuffix(virtual, ".s3")
	}
	if virtual != "" {
		key, ok := unescape(path)
		if !ok {
			return s3Location{}, false
		}
		loc.Bucket, loc.Key = virtual, key
		return loc, true
	}
	bucket, key, ok := strings.Cut(path, "/")
	if !ok || bucket == "" {
		return s3Location{}, false
	}
	var ok1, ok2 bool
	loc.Bucket, ok1 = unescape(bucket)
	loc.Key, ok2 = unescape(key)
	return loc, ok1 && ok2
}

// fetchTemplate reads a TemplateURL's object from the local S3.
func (s *Service) fetchTemplate(ctx context.Context, raw string) (string, error) {
	loc, ok := parseTemplateURL(raw)
	if !ok {
		return "", validationf("TemplateURL must be a supported URL.")
	}
	if s.clients == nil {
		return "", validationf("TemplateURL must be a supported URL.")
	}
	in := &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}
	if loc.VersionID != "" {
		in.VersionId = aws.String(loc.VersionID)
	}
	out, err := s.clients.s3.GetObject(ctx, in)
	if err != nil {
		var noKey *s3types.NoSuchKey
		var noBucket *s3types.NoSuchBucket
		switch {
		case errors.As(err, &noKey):
			return "", validationf("S3 error: The specified key does not exist.")
		case errors.As(err, &noBucket):
			return "", validationf("S3 error: The specified bucket does not exist")
		}
		return "", validationf("S3 error: %s", reason(err))
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, maxTemplateURLBytes+1))
	if err != nil {
		return "", validationf("S3 error: %v", err)
	}
	if len(b) > maxTemplateURLBytes {
		return "", validationf("Template may not exceed %d bytes in size.", maxTemplateURLBytes)
	}
	return string(b), nil
}
