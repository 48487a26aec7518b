package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sluicehq/sluice/gen"
)

// deployOptions are `sluice deploy`'s settings.
type deployOptions struct {
	stack, region, artifactBucket string
	dist, template                string
	dryRun                        bool
}

// runDeploy uploads the zips `sluice build` wrote (skipping keys already in the bucket: they are
// content-hashed) with the AWS SDK, then runs `aws cloudformation deploy`, which uploads the template to
// the artifact bucket (it is larger than the 51,200 bytes a TemplateBody may have), creates a change set
// and executes it. Credentials come from the usual AWS sources (environment, profile, SSO, instance role).
// https://docs.aws.amazon.com/cli/latest/reference/cloudformation/deploy/
func runDeploy(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("deploy", std)
	var o deployOptions
	fs.StringVar(&o.stack, "stack", "", "CloudFormation stack name (required)")
	fs.StringVar(&o.region, "region", "", "AWS region (required)")
	fs.StringVar(&o.artifactBucket, "artifact-bucket", "", "existing S3 bucket, in --region, for the zips and the template (required)")
	fs.StringVar(&o.dist, "dist", "dist", "directory the zips of sluice build are in")
	fs.StringVar(&o.template, "template", gen.PathTemplate, "CloudFormation template")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be uploaded and run, and do nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.stack == "" || o.region == "" || o.artifactBucket == "" {
		return fmt.Errorf("%w: --stack, --region and --artifact-bucket are required", errUsage)
	}
	artifacts, err := readArtifacts(o.dist)
	if err != nil {
		return err
	}
	cli := deployCommand(o, artifacts)
	if o.dryRun {
		for _, f := range gen.DefaultConfig().Functions() {
			a := artifacts[f.Name]
			fmt.Fprintf(std.Out, "upload %s -> s3://%s/%s\n", filepath.Join(o.dist, a.File), o.artifactBucket, a.Key)
		}
		fmt.Fprintf(std.Out, "run %s\n", strings.Join(cli, " "))
		return nil
	}

	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(o.region))
	if err != nil {
		return fmt.Errorf("load AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(cfg)
	for _, f := range gen.DefaultConfig().Functions() {
		if err := upload(ctx, client, o, artifacts[f.Name], std); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, cli[0], cli[1:]...)
	cmd.Stdout, cmd.Stderr = std.Out, std.Err
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("aws cloudformation deploy: %w", err)
	}
	outputs := exec.CommandContext(ctx, "aws", "cloudformation", "describe-stacks",
		"--stack-name", o.stack, "--region", o.region,
		"--query", "Stacks[0].Outputs[].[OutputKey,OutputValue]", "--output", "text")
	outputs.Stdout, outputs.Stderr = std.Out, std.Err
	if err := outputs.Run(); err != nil {
		return fmt.Errorf("read stack outputs: %w", err)
	}
	return nil
}

// readArtifacts reads artifacts.json and checks it names every function.
func readArtifacts(dist string) (map[string]Artifact, error) {
	b, err := os.ReadFile(filepath.Join(dist, artifactsFile))
	if err != nil {
		return nil, fmt.Errorf("read build output (run `make build` first): %w", err)
	}
	var artifacts map[string]Artifact
	if err := json.Unmarshal(b, &artifacts); err != nil {
		return nil, fmt.Errorf("decode %s: %w", artifactsFile, err)
	}
	for _, f := range gen.DefaultConfig().Functions() {
		if a, ok := artifacts[f.Name]; !ok || a.File == "" || a.Key == "" {
			return nil, fmt.Errorf("%s names no zip for the %s function (run `make build`)", artifactsFile, f.Name)
		}
	}
	return artifacts, nil
}

// deployCommand is the `aws cloudformation deploy` command line.
func deployCommand(o deployOptions, artifacts map[string]Artifact) []string {
	params := []string{gen.ParamArtifactBucket + "=" + o.artifactBucket}
	for _, f := range gen.DefaultConfig().Functions() {
		params = append(params, f.CodeKeyParam+"="+artifacts[f.Name].Key)
	}
	return append([]string{
		"aws", "cloudformation", "deploy",
		"--stack-name", o.stack,
		"--region", o.region,
		"--template-file", o.template,
		"--s3-bucket", o.artifactBucket,
		"--s3-prefix", strings.TrimSuffix(artifactKeyPrefix, "/") + "/templates",
		// The template creates roles without names.
		"--capabilities", "CAPABILITY_IAM",
		"--no-fail-on-empty-changeset",
		"--parameter-overrides",
	}, params...)
}

// unknownObject reports whether a HeadObject error leaves the object's existence unknown or denied, so
// that the zip should be uploaded: 404 when the object is missing, and 403 when the deployer may not list
// the bucket, because S3 then answers a missing key with 403 rather than 404
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Permissions"). A HEAD response
// has no body, so the status is all there is. Any other error stops the deploy.
func unknownObject(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		switch re.HTTPStatusCode() {
		case http.StatusNotFound, http.StatusForbidden:
			return true
		}
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "NotFound"
}

// upload puts one zip into the artifact bucket unless its content-hashed key is already there. It
// checks with HeadObject, which needs only s3:GetObject; when that is denied too it uploads anyway (the
// key is content-hashed, so an upload over an existing key writes the same bytes).
func upload(ctx context.Context, client *s3.Client, o deployOptions, a Artifact, std stdio) error {
	_, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.artifactBucket), Key: aws.String(a.Key)})
	if err == nil {
		fmt.Fprintf(std.Err, "s3://%s/%s already uploaded\n", o.artifactBucket, a.Key)
		return nil
	}
	if !unknownObject(err) {
		return fmt.Errorf("check s3://%s/%s: %w", o.artifactBucket, a.Key, err)
	}
	f, err := os.Open(filepath.Join(o.dist, a.File))
	if err != nil {
		return fmt.Errorf("open %s: %w", a.File, err)
	}
	defer f.Close()
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            aws.String(o.artifactBucket),
		Key:               aws.String(a.Key),
		Body:              f,
		ContentType:       aws.String("application/zip"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
	})
	if err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", o.artifactBucket, a.Key, err)
	}
	fmt.Fprintf(std.Err, "uploaded s3://%s/%s\n", o.artifactBucket, a.Key)
	return nil
}
