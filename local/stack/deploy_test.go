package stack

import (
	"bytes"
	"errors"
	"net"
	"strings"
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

// TestStartWithAnUpdateThatRollsBack: a restart with a template whose update the services reject
// starts anyway on the stack as it was (UPDATE_ROLLBACK_COMPLETE), and says why (StartDeployError,
// naming the resource); a template that cannot be created at all fails Start.
func TestStartWithAnUpdateThatRollsBack(t *testing.T) {
	dir := t.TempDir()
	st := startTestStack(t, func(c *Config) { c.DataDir = dir })
	machine := st.Resources().StateMachineArn
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	var bad []byte
	st = startTestStack(t, func(c *Config) {
		c.DataDir = dir
		bad = bytes.Replace(c.Template, []byte(`"StartAt": "Validate"`), []byte(`"StartAt": "Nowhere"`), 1)
		c.Template = bad
	})
	var de *DeployError
	if err := st.StartDeployError(); !errors.As(err, &de) || de.Status != "UPDATE_ROLLBACK_COMPLETE" || !strings.HasPrefix(de.Reason, "StateMachine: ") {
		t.Fatalf("StartDeployError = %v, want the rolled-back update naming StateMachine", err)
	}
	if got := st.Resources().StateMachineArn; got != machine {
		t.Errorf("state machine %q after the rollback, want %q", got, machine)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := Start(l, Config{Template: bad, DataDir: t.TempDir(), Functions: st.cfg.Functions})
	if err == nil {
		fresh.Close()
		t.Fatal("a template whose creation fails started")
	}
	if !errors.As(err, &de) || de.Status != "ROLLBACK_COMPLETE" {
		t.Errorf("Start with a template that cannot be created: %v, want a ROLLBACK_COMPLETE DeployError", err)
	}
}
