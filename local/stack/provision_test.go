package stack

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// notProvisioned are the template's resource types the stack does not create through provisioners:
// functions are registered in Go (see provision.go); the others are not emulated (README: "What the
// local runtime does not emulate").
var notProvisioned = []string{
	"AWS::Lambda::Function",
	"AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard", "AWS::IAM::Role", "AWS::KMS::Key",
	"AWS::S3::BucketPolicy", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy",
}

// TestProvisionersCoverTheTemplate pins the table: every resource type of the generated template is
// provisioned or knowingly left out, so a type added to gen/ is not silently ignored.
func TestProvisionersCoverTheTemplate(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "deploy", "template.json"))
	if err != nil {
		t.Skip("no generated template")
	}
	var tpl struct {
		Resources map[string]struct{ Type string }
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	for id, r := range tpl.Resources {
		provisioned := slices.ContainsFunc(provisioners(), func(p struct {
			typ       string
			provision provisioner
		}) bool {
			return p.typ == r.Type
		})
		if !provisioned && !slices.Contains(notProvisioned, r.Type) {
			t.Errorf("resource %s of type %s is neither provisioned nor listed as not provisioned", id, r.Type)
		}
	}
}

// TestProvisionThroughTheAPI checks what the stack provisioned, through the same API a client uses, and
// that provisioning again on the same data (a restart) succeeds and changes nothing.
func TestProvisionThroughTheAPI(t *testing.T) {
	dir := t.TempDir()
	st := startTestStack(t, func(c *Config) { c.DataDir = dir })
	check := func(st *Stack) {
		t.Helper()
		ctx := t.Context()
		res := st.Resources()
		c := st.apiClients()
		v, err := c.s3.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(res.Bucket)})
		if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("bucket %s versioning: %v %v, want Enabled", res.Bucket, v.Status, err)
		}
		n, err := c.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(res.Bucket)})
		if err != nil || n.EventBridgeConfiguration == nil {
			t.Errorf("bucket %s notifications: %+v %v, want EventBridge on", res.Bucket, n, err)
		}
		if _, err := c.sfn.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(res.StateMachineArn)}); err != nil {
			t.Errorf("state machine: %v", err)
		}
		for _, id := range st.template.ResourcesOfType("AWS::Logs::LogGroup") {
			name := st.template.Name(id)
			retention, _ := st.template.Property(id, "RetentionInDays")
			out, err := c.logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
			if err != nil || len(out.LogGroups) == 0 || aws.ToString(out.LogGroups[0].LogGroupName) != name {
				t.Errorf("log group %s: %+v %v", name, out, err)
				continue
			}
			if got, want := aws.ToInt32(out.LogGroups[0].RetentionInDays), int32(seconds(retention, 0)/time.Second); got != want {
				t.Errorf("log group %s retention %d, want %d", name, got, want)
			}
		}
		for _, rule := range res.Rules {
			ts, err := c.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String(rule)})
			if err != nil || len(ts.Targets) == 0 || aws.ToString(ts.Targets[0].Arn) != res.StateMachineArn {
				t.Errorf("rule %s targets: %+v %v, want the state machine", rule, ts, err)
			}
		}
	}
	check(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	check(startTestStack(t, func(c *Config) { c.DataDir = dir }))
}
