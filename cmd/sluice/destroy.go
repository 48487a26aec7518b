package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/internal/deployer"
)

// runDestroy deletes the stack and waits until it is gone:
//
//	sluice destroy [--stack sluice] [--region R] [--endpoint URL] [--yes]
//
// The resources the template keeps on delete (DeletionPolicy Retain: the data bucket and its access-log
// bucket) stay, with their data, and it says which; so does the artifact bucket, which is no part of the
// stack.
func runDestroy(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("destroy", std)
	stackName := fs.String("stack", defaultStack, "CloudFormation stack name")
	region := fs.String("region", "", "AWS region (default: the AWS configuration's; us-east-1 for a loopback --endpoint)")
	endpoint := fs.String("endpoint", "", "the endpoint the stack was deployed to (the local stack: http://127.0.0.1:4566) instead of AWS")
	yes := fs.Bool("yes", false, "delete without asking")
	timeout := fs.Duration("timeout", time.Hour, "how long to wait for the deletion")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: sluice destroy [flags]

Deletes the stack deployed by sluice deploy (in AWS, or at --endpoint) and waits until it is gone. It
lists what stays first and asks (--yes does not ask): the resources the template's DeletionPolicy retains
(the data bucket and its access-log bucket, with their data) and the artifact bucket, which is no part of
the stack.

flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	target, err := loadTarget(ctx, *endpoint, *region)
	if err != nil {
		return err
	}
	d := newDeployer(target, std)
	artifactBucket := stackParameter(ctx, d, *stackName, gen.ParamArtifactBucket)
	ask := func(kept []deployer.Kept) (bool, error) {
		writeKept(std, kept, "will stay")
		if *yes {
			return true, nil
		}
		return confirm(std, fmt.Sprintf("Delete stack %s and every other resource of it?", *stackName))
	}
	fmt.Fprintf(std.Err, "stack %s\n", *stackName)
	res, err := d.Destroy(ctx, *stackName, ask)
	if errors.Is(err, deployer.ErrNoStack) {
		fmt.Fprintf(std.Out, "There is no stack %s: nothing to delete.\n", *stackName)
		return nil
	}
	if err != nil {
		return err
	}
	if !res.Deleted {
		fmt.Fprintln(std.Out, "Nothing deleted.")
		return nil
	}
	fmt.Fprintf(std.Out, "\nStack %s deleted.\n", *stackName)
	writeKept(stdio{Out: std.Out, Err: std.Out}, res.Kept, "is retained")
	if artifactBucket != "" {
		fmt.Fprintf(std.Out, "The artifact bucket s3://%s (the packages and templates of each deploy) is no part of the stack and stays too.\n", artifactBucket)
	}
	return nil
}

// writeKept says which resources the stack's deletion leaves, and why, on std.Err.
func writeKept(std stdio, kept []deployer.Kept, verb string) {
	kept = slices.Clone(kept)
	// The data bucket first: it holds what the user cares about.
	rank := func(k deployer.Kept) int {
		if k.LogicalID == gen.LogicalBucket {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(kept, func(a, b deployer.Kept) int { return cmp.Compare(rank(a), rank(b)) })
	for _, k := range kept {
		what := k.LogicalID + " (" + k.Type + ")"
		switch {
		case k.LogicalID == gen.LogicalBucket:
			what = "The data bucket s3://" + k.PhysicalID
		case k.Type == "AWS::S3::Bucket":
			what = "The bucket s3://" + k.PhysicalID + " (" + k.LogicalID + ")"
		default:
			what += " " + k.PhysicalID
		}
		fmt.Fprintf(std.Err, "%s %s: the template's DeletionPolicy is %s.\n", what, verb, k.Policy)
	}
	for _, k := range kept {
		if k.Type == "AWS::S3::Bucket" && verb == "is retained" {
			fmt.Fprintf(std.Err, "To delete a retained bucket, delete every object version in it, then the bucket.\n")
			break
		}
	}
}

// stackParameter is the value of the stack's parameter key, or "" when it cannot be read.
func stackParameter(ctx context.Context, d *deployer.Deployer, stack, key string) string {
	out, err := d.CFN.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil || len(out.Stacks) == 0 {
		return ""
	}
	for _, p := range out.Stacks[0].Parameters {
		if aws.ToString(p.ParameterKey) == key {
			return strings.TrimSpace(aws.ToString(p.ParameterValue))
		}
	}
	return ""
}
