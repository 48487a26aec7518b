package cloudformation_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

const recordedTemplate = `{
  "Parameters": {
    "Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]},
    "Secret": {"Type": "String", "NoEcho": true, "Default": "s3cret"}
  },
  "Resources": {
    "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 60}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${Env}-alarms"}}}
  },
  "Outputs": {
    "QueueUrl": {"Value": {"Ref": "Queue"}},
    "QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-queue"}}},
    "TopicArn": {"Value": {"Ref": "Topic"}}
  }
}`

func TestCreateDescribeDeleteStack(t *testing.T) {
	ctx := t.Context()
	_, c := newService(t)
	out, err := c.CreateStack(ctx, &cfn.CreateStackInput{StackName: aws.String("demo"), TemplateBody: aws.String(recordedTemplate),
		Parameters: []cfntypes.Parameter{{ParameterKey: aws.String("Env"), ParameterValue: aws.String("prod")}}})
	if err != nil {
		t.Fatal(err)
	}
	st := waitStack(t, ctx, c, "demo")
	if st.StackStatus != cfntypes.StackStatusCreateComplete || aws.ToString(st.StackId) != aws.ToString(out.StackId) {
		t.Fatalf("got %s %s, want CREATE_COMPLETE %s (%s)", st.StackStatus, aws.ToString(st.StackId), aws.ToString(out.StackId), aws.ToString(st.StackStatusReason))
	}
	outputs := map[string]string{}
	for _, o := range st.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	want := map[string]string{
		"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/demo-Queue",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:demo-Queue",
		"TopicArn": "arn:aws:sns:us-east-1:000000000000:demo-Topic",
	}
	if d := cmp.Diff(outputs, want); d != "" {
		t.Errorf("outputs (-got +want):\n%s", d)
	}
	params := map[string]string{}
	for _, p := range st.Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	if d := cmp.Diff(params, map[string]string{"Env": "prod", "Secret": "****"}); d != "" {
		t.Errorf("parameters (-got +want):\n%s", d)
	}
	ex, err := c.ListExports(ctx, &cfn.ListExportsInput{})
	if err != nil || len(ex.Exports) != 1 || aws.ToString(ex.Exports[0].Name) != "demo-queue" {
		t.Errorf("ListExports = %+v, %v", ex, err)
	}
	res, err := c.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("demo")})
	if err != nil || len(res.StackResourceSummaries) != 2 {
		t.Fatalf("ListStackResources = %+v, %v", res, err)
	}
	if _, err := c.DeleteStack(ctx, &cfn.DeleteStackInput{StackName: aws.String("demo")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String("demo")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "Stack with id demo does not exist" {
		t.Fatalf("DescribeStacks after delete: %v", err)
	}
	byID, err := c.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: out.StackId})
	if err != nil || byID.Stacks[0].StackStatus != cfntypes.StackStatusDeleteComplete {
		t.Fatalf("DescribeStacks by id after delete = %+v, %v", byID, err)
	}
}
