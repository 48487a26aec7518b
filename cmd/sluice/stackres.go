package main

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/stack"
)

// deployedStack finds the deployed stack name (default sluice) in AWS (endpoint "": the default
// credential chain and region) or at endpoint, and reads its resources from CloudFormation
// (stackResources). run, show, logs and redrive all reach a deployed stack through it. The error of a
// missing stack says how to deploy it.
func deployedStack(ctx context.Context, endpoint, name, region string) (awsTarget, stack.Resources, error) {
	if name == "" {
		name = defaultStack
	}
	target, err := loadTarget(ctx, endpoint, region)
	if err != nil {
		return awsTarget{}, stack.Resources{}, err
	}
	res, err := stackResources(ctx, target.cloudFormation(), name)
	if err != nil {
		where := "in AWS (" + target.cfg.Region + ")"
		if target.endpoint != "" {
			where = "at " + target.endpoint
		}
		return awsTarget{}, stack.Resources{}, fmt.Errorf("%w: deploy it %s with: %s deploy %s--stack %s", err, where, selfCommand(), endpointFlag(target.endpoint), name)
	}
	return target, res, nil
}

// stackResources reads what a deployed stack is made of from CloudFormation, as it is wherever it runs:
// the bucket and the state machine from its outputs, the functions and their log groups from its
// resources. Nothing is assumed about names or accounts.
func stackResources(ctx context.Context, cfn *cloudformation.Client, name string) (stack.Resources, error) {
	res := stack.Resources{Functions: map[string]string{}, FunctionLogGroups: map[string]string{}}
	out, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		return res, fmt.Errorf("describe stack %s: %w", name, err)
	}
	if len(out.Stacks) == 0 {
		return res, fmt.Errorf("describe stack %s: no such stack", name)
	}
	for _, o := range out.Stacks[0].Outputs {
		switch aws.ToString(o.OutputKey) {
		case gen.OutputBucketName:
			res.Bucket = aws.ToString(o.OutputValue)
		case gen.OutputStateMachineArn:
			res.StateMachineArn = aws.ToString(o.OutputValue)
		}
	}
	if res.Bucket == "" || res.StateMachineArn == "" {
		return res, fmt.Errorf("stack %s has no %s or %s output: is it a sluice stack (and finished deploying)?", name, gen.OutputBucketName, gen.OutputStateMachineArn)
	}
	physical := map[string]string{}
	p := cloudformation.NewListStackResourcesPaginator(cfn, &cloudformation.ListStackResourcesInput{StackName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("list the resources of stack %s: %w", name, err)
		}
		for _, r := range page.StackResourceSummaries {
			physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	for _, f := range gen.DefaultConfig().Functions() {
		if fn := physical[f.LogicalID]; fn != "" {
			res.Functions[f.LogicalID] = fn
		}
		if lg := physical[f.LogGroupID]; lg != "" {
			res.FunctionLogGroups[f.LogicalID] = lg // a log group's physical id is its name
		}
	}
	res.StateMachineLogGroup = physical[gen.LogicalStateMachineLogGroup]
	return res, nil
}
