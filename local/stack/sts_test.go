package stack

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestSTSRouted checks that the endpoint answers STS's GetCallerIdentity with the stack's account (the
// deployer names its artifact bucket after it), and that STS's query protocol does not take CloudWatch's.
func TestSTSRouted(t *testing.T) {
	st := startTestStack(t, func(c *Config) { c.Account = "123456789012" })
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	id, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds}).
		GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(id.Account); got != "123456789012" {
		t.Errorf("account %q, want 123456789012", got)
	}
	if _, err := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds}).
		ListMetrics(t.Context(), &cloudwatch.ListMetricsInput{}); err != nil {
		t.Errorf("CloudWatch ListMetrics beside STS: %v", err)
	}
}
