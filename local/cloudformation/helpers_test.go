package cloudformation_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/sluicehq/sluice/local/cloudformation"
)

// newService starts a service (recorded resources only, no endpoint) over HTTP and returns an SDK
// client of it.
func newService(t *testing.T, opts ...cloudformation.Option) (*cloudformation.Service, *cfn.Client) {
	t.Helper()
	svc, err := cloudformation.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc)
	t.Cleanup(func() {
		srv.Close()
		svc.Close()
	})
	return svc, newClient(srv.URL)
}

func newClient(url string) *cfn.Client {
	return cfn.New(cfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
}

// waitStack polls DescribeStacks until the stack's status no longer ends in _IN_PROGRESS.
func waitStack(t testing.TB, ctx context.Context, c *cfn.Client, name string) cfntypes.Stack {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(name)})
		if err != nil {
			t.Fatalf("DescribeStacks %s: %v", name, err)
		}
		st := out.Stacks[0]
		if s := string(st.StackStatus); len(s) < 12 || s[len(s)-12:] != "_IN_PROGRESS" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s still %s", name, st.StackStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
