package cloudformation_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

const iamTemplate = `{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}}`

const namedIAMTemplate = `{"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "fixed", "AssumeRolePolicyDocument": {}}}}}`

// TestErrors checks each operation's errors as the SDK surfaces them: the code, the modeled error
// type where there is one, and AWS's message
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html and each action's
// Errors section).
func TestErrors(t *testing.T) {
	ctx := t.Context()
	_, c := newService(t)
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("exists"), TemplateBody: aws.String(recordedTemplate)}); err != nil {
		t.Fatal(err)
	}
	waitStack(t, ctx, c, "exists")
	// A stack whose only resource type is not supported locally rolls back.
	if _, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("failed"),
		TemplateBody: aws.String(`{"Resources": {"Nested": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "https://b.s3.amazonaws.com/k"}}}}`)}); err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, ctx, c, "failed"); st.StackStatus != cfntypes.StackStatusRollbackComplete {
		t.Fatalf("stack failed: %s, want ROLLBACK_COMPLETE", st.StackStatus)
	}
	cs, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("exists"), ChangeSetName: aws.String("same"),
		TemplateBody: aws.String(recordedTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		call    func(context.Context) error
		code    string
		message string // a prefix of the message
		typed   func(error) bool
	}{
		{"describe a missing stack", func(ctx context.Context) error {
			_, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("nope")})
			return err
		}, "ValidationError", "Stack with id nope does not exist", nil},
		{"create an existing stack", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("exists"), TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "AlreadyExistsException", "Stack [exists] already exists", func(err error) bool {
			var e *cfntypes.AlreadyExistsException
			return errors.As(err, &e)
		}},
		{"update with no changes", func(ctx context.Context) error {
			_, err := c.UpdateStack(ctx, &cfn.UpdateStackInput{StackName: aws.String("exists"), UsePreviousTemplate: aws.Bool(true)})
			return err
		}, "ValidationError", "No updates are to be performed.", nil},
		{"a template with a syntax error", func(ctx context.Context) error {
			_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(`{"Resources": `)})
			return err
		}, "ValidationError", "Template format error: JSON not well-formed.", nil},
		{"a template over 51,200 bytes", func(ctx context.Context) error {
			_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateBody: aws.String(`{"Description": "` + strings.Repeat("x", 51200) + `"}`)})
			return err
		}, "ValidationError", "1 validation error detected", nil},
		{"no template", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("none")})
			return err
		}, "ValidationError", "Either Template URL or Template Body must be specified.", nil},
		{"a bad stack name", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("bad_name"), TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "ValidationError", "1 validation error detected: Value 'bad_name' at 'stackName'", nil},
		{"a value not allowed", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("p"), TemplateBody: aws.String(recordedTemplate),
				Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Env"), ParameterValue: aws.String("qa")}}})
			return err
		}, "ValidationError", "Parameter 'Env' must be one of AllowedValues", nil},
		{"an unknown parameter", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("p"), TemplateBody: aws.String(recordedTemplate),
				Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Nope"), ParameterValue: aws.String("x")}}})
			return err
		}, "ValidationError", "Parameters: [Nope] do not exist in the template", nil},
		{"IAM without the capability", func(ctx context.Context) error {
			_, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("iam"), TemplateBody: aws.String(iamTemplate)})
			return err
		}, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]", func(err error) bool {
			var e *cfntypes.InsufficientCapabilitiesException
			return errors.As(err, &e)
		}},
		{"named IAM with CAPABILITY_IAM only", func(ctx context.Context) error {
			_, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("iam"), ChangeSetName: aws.String("c"),
				ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(namedIAMTemplate), Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam}})
			return err
		}, "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]", nil},
		{"describe a missing change set", func(ctx context.Context) error {
			_, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{StackName: aws.String("exists"), ChangeSetName: aws.String("nope")})
			return err
		}, "ChangeSetNotFound", "ChangeSet [nope] does not exist", func(err error) bool {
			var e *cfntypes.ChangeSetNotFoundException
			return errors.As(err, &e)
		}},
		{"a change set name taken", func(ctx context.Context) error {
			_, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("exists"), ChangeSetName: aws.String("same"),
				TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "AlreadyExistsException", "ChangeSet [same] already exists", nil},
		{"execute a change set without changes", func(ctx context.Context) error {
			_, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: cs.Id})
			return err
		}, "InvalidChangeSetStatus", "ChangeSet [" + aws.ToString(cs.Id) + "] cannot be executed", func(err error) bool {
			var e *cfntypes.InvalidChangeSetStatusException
			return errors.As(err, &e)
		}},
		{"update change set on a missing stack", func(ctx context.Context) error {
			_, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("nope"), ChangeSetName: aws.String("c"),
				TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "ValidationError", "Stack [nope] does not exist", nil},
		{"create change set on an existing stack", func(ctx context.Context) error {
			_, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("exists"), ChangeSetName: aws.String("c"),
				ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "ValidationError", "Stack [exists] already exists and cannot be created again with the changeSet [c].", nil},
		{"a TemplateURL that is not S3", func(ctx context.Context) error {
			_, err := c.ValidateTemplate(ctx, &cfn.ValidateTemplateInput{TemplateURL: aws.String("ftp://example.com/t.json")})
			return err
		}, "ValidationError", "TemplateURL must be a supported URL.", nil},
		{"update a stack whose creation rolled back", func(ctx context.Context) error {
			_, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("failed"), ChangeSetName: aws.String("c"),
				TemplateBody: aws.String(recordedTemplate)})
			return err
		}, "ValidationError", "Stack:arn:aws:cloudformation:us-east-1:000000000000:stack/failed/", nil},
		{"a resource missing from a stack", func(ctx context.Context) error {
			_, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("exists"), LogicalResourceId: aws.String("Nope")})
			return err
		}, "ValidationError", "Resource Nope does not exist for stack exists", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(t.Context())
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an API error %s", err, tt.code)
			}
			if ae.ErrorCode() != tt.code || !strings.HasPrefix(ae.ErrorMessage(), tt.message) {
				t.Errorf("got %s %q, want %s %q...", ae.ErrorCode(), ae.ErrorMessage(), tt.code, tt.message)
			}
			if tt.typed != nil && !tt.typed(err) {
				t.Errorf("%T is not the SDK's modeled error type", err)
			}
		})
	}
}

// TestChangeSets: an empty change set is FAILED with AWS's reason (what the CLI looks for); a change
// set shows Modify with its replacement flag; executing it updates the stack and deletes the stack's
// other change sets; DeleteStack on a missing stack succeeds.
func TestChangeSets(t *testing.T) {
	ctx := t.Context()
	_, c := newService(t)
	create, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("first"),
		ChangeSetType: cfntypes.ChangeSetTypeCreate, TemplateBody: aws.String(recordedTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	review := describeStack(t, c, "cs")
	if review.StackStatus != cfntypes.StackStatusReviewInProgress {
		t.Errorf("stack before execution: %s, want REVIEW_IN_PROGRESS", review.StackStatus)
	}
	d, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: create.Id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != cfntypes.ChangeSetStatusCreateComplete || d.ExecutionStatus != cfntypes.ExecutionStatusAvailable || len(d.Changes) != 2 {
		t.Fatalf("CREATE change set: %s %s %d changes", d.Status, d.ExecutionStatus, len(d.Changes))
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: create.Id}); err != nil {
		t.Fatal(err)
	}
	if st := waitStack(t, ctx, c, "cs"); st.StackStatus != cfntypes.StackStatusCreateComplete {
		t.Fatalf("after execution: %s", st.StackStatus)
	}

	empty, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("empty"),
		UsePreviousTemplate: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: empty.Id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != cfntypes.ChangeSetStatusFailed || aws.ToString(d.StatusReason) != "The submitted information didn't contain changes. Submit different information to create a change set." {
		t.Errorf("empty change set: %s %q", d.Status, aws.ToString(d.StatusReason))
	}

	changed := strings.Replace(recordedTemplate, `"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 60}}`,
		`"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 120, "QueueName": "renamed"}}`, 1)
	mod, err := c.CreateChangeSet(ctx, &cfn.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("modify"),
		TemplateBody: aws.String(changed)})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("modify")})
	if err != nil {
		t.Fatal(err)
	}
	type summary struct{ Action, ID, Replacement string }
	var got []summary
	for _, ch := range d.Changes {
		rc := ch.ResourceChange
		got = append(got, summary{string(rc.Action), aws.ToString(rc.LogicalResourceId), string(rc.Replacement)})
	}
	// The queue is renamed (QueueName requires replacement); the topic refers to nothing that changed.
	if diff := cmp.Diff(got, []summary{{"Modify", "Queue", "True"}}); diff != "" {
		t.Errorf("changes (-got +want):\n%s", diff)
	}
	list, err := c.ListChangeSets(ctx, &cfn.ListChangeSetsInput{StackName: aws.String("cs")})
	if err != nil || len(list.Summaries) != 3 {
		t.Fatalf("ListChangeSets = %+v, %v; want 3 (the executed one, empty, modify)", list, err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cfn.ExecuteChangeSetInput{ChangeSetName: mod.Id}); err != nil {
		t.Fatal(err)
	}
	st := waitStack(t, ctx, c, "cs")
	if st.StackStatus != cfntypes.StackStatusUpdateComplete {
		t.Fatalf("after the update: %s", st.StackStatus)
	}
	res, err := c.DescribeStackResource(ctx, &cfn.DescribeStackResourceInput{StackName: aws.String("cs"), LogicalResourceId: aws.String("Queue")})
	if err != nil || !strings.HasSuffix(aws.ToString(res.StackResourceDetail.PhysicalResourceId), "/renamed") {
		t.Errorf("queue after replacement: %+v %v", res, err)
	}
	if _, err := c.DescribeChangeSet(ctx, &cfn.DescribeChangeSetInput{ChangeSetName: empty.Id}); err == nil {
		t.Error("the stack's other change sets outlived the execution")
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("never-was")}); err != nil {
		t.Errorf("DeleteStack of a missing stack: %v, want success as in AWS", err)
	}
}
