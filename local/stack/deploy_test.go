package stack

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// TestDeployThroughCloudFormation checks that Start deploys the template as a CloudFormation stack and
// what that provisioned, through the same APIs a client uses; and that a restart on the same data finds
// the stack deployed (the deploy changes nothing) with its functions registered again.
func TestDeployThroughCloudFormation(t *testing.T) {
	dir := t.TempDir()
	st := startTestStack(t, func(c *Config) { c.DataDir = dir })
	check := func(st *Stack) {
		t.Helper()
		ctx := t.Context()
		res := st.Resources()
		creds := credentials.NewStaticCredentialsProvider("local", "local", "")
		s3c := st.testS3(t)
		v, err := s3c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(res.Bucket)})
		if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("bucket %q versioning: %v %v, want Enabled", res.Bucket, v.Status, err)
		}
		n, err := s3c.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(res.Bucket)})
		if err != nil || n.EventBridgeConfiguration == nil {
			t.Errorf("bucket %s notifications: %+v %v, want EventBridge on", res.Bucket, n, err)
		}
		sfnc := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		if _, err := sfnc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.StateMachineArn)}); err != nil {
			t.Errorf("state machine %q: %v", res.StateMachineArn, err)
		}
		logsc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		for _, g := range []string{res.StateMachineLogGroup, res.FunctionLogGroups["ValidateFunction"]} {
			out, err := logsc.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(g)})
			if err != nil || len(out.LogGroups) == 0 || aws.ToString(out.LogGroups[0].LogGroupName) != g || out.LogGroups[0].RetentionInDays == nil {
				t.Errorf("log group %q: %+v %v, want it with a retention", g, out, err)
			}
		}
		ebc := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		if len(res.Rules) == 0 {
			t.Error("no rules")
		}
		for _, rule := range res.Rules {
			ts, err := ebc.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
			if err != nil || len(ts.Targets) == 0 || aws.ToString(ts.Targets[0].Arn) != res.StateMachineArn {
				t.Errorf("rule %s targets: %+v %v, want the state machine", rule, ts, err)
			}
		}
		if got := len(st.Lambda.Functions()); got != 3 {
			t.Errorf("%d functions registered, want 3", got)
		}
		cf := cfn.New(cfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		out, err := cf.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("sluice")})
		if err != nil || out.Stacks[0].StackStatus != cfntypes.StackStatusCreateComplete {
			t.Fatalf("DescribeStacks sluice = %+v, %v; want CREATE_COMPLETE", out, err)
		}
		var bucketOutput string
		for _, o := range out.Stacks[0].Outputs {
			if aws.ToString(o.OutputKey) == "BucketName" {
				bucketOutput = aws.ToString(o.OutputValue)
			}
		}
		if bucketOutput != res.Bucket {
			t.Errorf("output BucketName %q, want %q", bucketOutput, res.Bucket)
		}
	}
	check(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	check(startTestStack(t, func(c *Config) { c.DataDir = dir }))
}
