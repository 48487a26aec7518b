package cloudformation_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// updateTemplate is a log group and a state machine; retention, the machine's state name and the log
// group's name vary.
func updateTemplate(retention int, groupName, stateName string) string {
	r := strings.NewReplacer("RETENTION", strconv.Itoa(retention), "GROUP", groupName, "STATE", stateName)
	return r.Replace(`{
  "Resources": {
    "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "GROUP", "RetentionInDays": RETENTION}},
    "Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
      "RoleArn": "arn:aws:iam::000000000000:role/r",
      "DefinitionString": {"Fn::Sub": "{\"StartAt\": \"STATE\", \"States\": {\"Done\": {\"Type\": \"Pass\", \"End\": true}}}"}}}
  },
  "Outputs": {"Machine": {"Value": {"Ref": "Machine"}}, "Group": {"Value": {"Ref": "Logs"}}}
}`)
}

// TestUpdateRollsBack: an update whose state machine the service rejects rolls back to
// UPDATE_ROLLBACK_COMPLETE: the log group updated in place before it gets its old retention back, the
// events name the machine and Step Functions' error, and the outputs are the old ones. A replacement
// (a new log group name) creates the new group and deletes the old one.
func TestUpdateRollsBack(t *testing.T) {
	st := startEmpty(t, nil)
	ctx := t.Context()
	c := newClient(st.URL())
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	logsc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
	sfnc := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
	retention := func(group string) int32 {
		t.Helper()
		out, err := logsc.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range out.LogGroups {
			if aws.ToString(g.LogGroupName) == group {
				return aws.ToInt32(g.RetentionInDays)
			}
		}
		return -1 // no such group
	}
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateTemplate(7, "g1", "Done"))}); err != nil {
		t.Fatal(err)
	}
	if s := waitStack(t, ctx, c, "up"); s.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("create: %s %s", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	machine := stackOutputs(t, c, "up")["Machine"]

	// Retention 7 -> 14 in place, then the machine fails ("Nowhere" is no state): roll back.
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateTemplate(14, "g1", "Nowhere"))}); err != nil {
		t.Fatal(err)
	}
	s := waitStack(t, ctx, c, "up")
	if s.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("bad update: %s, want UPDATE_ROLLBACK_COMPLETE", s.StackStatus)
	}
	if got := retention("g1"); got != 7 {
		t.Errorf("retention after the rollback: %d, want 7", got)
	}
	ev, err := c.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("up")})
	if err != nil {
		t.Fatal(err)
	}
	var failed cfntypes.StackEvent
	var stackReason string
	for _, e := range ev.StackEvents {
		if e.ResourceStatus == cfntypes.ResourceStatusUpdateFailed && failed.LogicalResourceId == nil {
			failed = e
		}
		if e.ResourceStatus == cfntypes.ResourceStatus(cfntypes.StackStatusUpdateRollbackInProgress) && stackReason == "" {
			stackReason = aws.ToString(e.ResourceStatusReason)
		}
	}
	if aws.ToString(failed.LogicalResourceId) != "Machine" || !strings.Contains(aws.ToString(failed.ResourceStatusReason), "InvalidDefinition") {
		t.Errorf("UPDATE_FAILED event: %s %q, want Machine with InvalidDefinition", aws.ToString(failed.LogicalResourceId), aws.ToString(failed.ResourceStatusReason))
	}
	if stackReason != "The following resource(s) failed to update: [Machine]. " {
		t.Errorf("UPDATE_ROLLBACK_IN_PROGRESS reason %q", stackReason)
	}
	if d, err := sfnc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)}); err != nil || !strings.Contains(aws.ToString(d.Definition), `"StartAt": "Done"`) {
		t.Errorf("machine after the rollback: %v %v, want the old definition", d, err)
	}
	if got := stackOutputs(t, c, "up")["Group"]; got != "g1" {
		t.Errorf("output Group after the rollback = %q, want g1 (the old outputs)", got)
	}
	tpl, err := c.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String("up")})
	if err != nil || !strings.Contains(aws.ToString(tpl.TemplateBody), `"RetentionInDays": 7`) {
		t.Errorf("template after the rollback is not the old one: %v", err)
	}

	// A new LogGroupName replaces the group: g2 is made, g1 deleted in cleanup.
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateTemplate(7, "g2", "Done"))}); err != nil {
		t.Fatal(err)
	}
	if s := waitStack(t, ctx, c, "up"); s.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("replacement: %s %s", s.StackStatus, aws.ToString(s.StackStatusReason))
	}
	if retention("g2") != 7 || retention("g1") != -1 {
		t.Errorf("after replacing the group: g2 retention %d (want 7), g1 %d (want gone)", retention("g2"), retention("g1"))
	}
	if got := stackOutputs(t, c, "up")["Group"]; got != "g2" {
		t.Errorf("output Group = %q, want g2", got)
	}

	// A replacement in an update that fails is undone: the new group g3 is deleted, g2 stays.
	if _, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("up"), TemplateBody: aws.String(updateTemplate(7, "g3", "Nowhere"))}); err != nil {
		t.Fatal(err)
	}
	if s := waitStack(t, ctx, c, "up"); s.StackStatus != cfntypes.StackStatusUpdateRollbackComplete {
		t.Fatalf("failed replacement: %s, want UPDATE_ROLLBACK_COMPLETE", s.StackStatus)
	}
	if retention("g2") != 7 || retention("g3") != -1 {
		t.Errorf("after the rolled-back replacement: g2 retention %d (want 7), g3 %d (want gone)", retention("g2"), retention("g3"))
	}
	res, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("up"), LogicalResourceId: aws.String("Logs")})
	if err != nil || aws.ToString(res.StackResourceDetail.PhysicalResourceId) != "g2" {
		t.Errorf("Logs after the rollback: %+v %v, want g2", res, err)
	}
}
