package cloudformation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestTemplateURLFromLocalS3: a TemplateURL in each style S3 URLs take is read from the local S3; a
// missing key is S3's error as CloudFormation reports it.
func TestTemplateURLFromLocalS3(t *testing.T) {
	st := startEmpty(t, nil)
	ctx := t.Context()
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("templates")}); err != nil {
		t.Fatal(err)
	}
	body := `{"Description": "from S3", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}`
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("templates"), Key: aws.String("dir/t.json"), Body: strings.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	c := newClient(st.URL())
	for _, url := range []string{
		"https://templates.s3.amazonaws.com/dir/t.json",
		"https://templates.s3.us-east-1.amazonaws.com/dir/t.json",
		"https://s3.amazonaws.com/templates/dir/t.json",
		"https://s3.us-east-1.amazonaws.com/templates/dir/t.json",
		st.URL() + "/templates/dir/t.json",
	} {
		out, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateURL: aws.String(url)})
		if err != nil || aws.ToString(out.Description) != "from S3" {
			t.Errorf("ValidateTemplate %s: %+v, %v", url, out, err)
		}
	}
	_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateURL: aws.String("https://templates.s3.amazonaws.com/nope.json")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || !strings.HasPrefix(ae.ErrorMessage(), "S3 error: ") {
		t.Errorf("missing key: %v, want ValidationError S3 error: ...", err)
	}
}
