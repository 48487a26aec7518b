package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/internal/deployer"
	"github.com/sluicehq/sluice/local/console"
)

// defaultStack is the stack deploy, destroy and run work on without --stack.
const defaultStack = "sluice"

// runDeploy builds the function packages, uploads them and the template to the artifact bucket, and
// deploys the stack through a change set, to AWS or to --endpoint with the same code
// (internal/deployer):
//
//	sluice deploy [--stack sluice] [--region R] [--endpoint URL] [--artifact-bucket B]
//	              [--parameter K=V]... [--yes | --no-execute] [--no-build] [--dist dist] [--template FILE]
func runDeploy(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("deploy", std)
	stackName := fs.String("stack", defaultStack, "CloudFormation stack name")
	region := fs.String("region", "", "AWS region (default: the AWS configuration's; us-east-1 for a loopback --endpoint)")
	endpoint := fs.String("endpoint", "", "deploy to this endpoint (the local stack: http://127.0.0.1:4566) instead of AWS")
	bucket := fs.String("artifact-bucket", "", "S3 bucket for the packages and the template (default: sluice-artifacts-<account>-<region>, created when missing)")
	dist := fs.String("dist", "dist", "directory the function zips are built into (or read from, with --no-build)")
	noBuild := fs.Bool("no-build", false, "deploy the zips already in --dist instead of building them")
	template := fs.String("template", "", "a generated CloudFormation template file (default: the one built into this binary)")
	var params listFlag
	fs.Var(&params, "parameter", "a template parameter, KEY=VALUE (repeat), e.g. LogLevel=DEBUG")
	yes := fs.Bool("yes", false, "execute the change set without asking")
	noExecute := fs.Bool("no-execute", false, "create and show the change set, and leave it unexecuted")
	timeout := fs.Duration("timeout", time.Hour, "how long to wait for the change set and the stack")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: sluice deploy [flags]

Builds the three function zips (sluice build), uploads them and the template to the artifact bucket
under content-addressed keys (unchanged ones are not uploaded again), creates a change set (CREATE or
UPDATE), shows it, executes it (after asking, unless --yes), follows the stack's events to the end and
prints the outputs. Without --endpoint it deploys to AWS with the default credential chain and region;
with --endpoint it deploys the same way to that endpoint (the local stack of sluice up).

Without --artifact-bucket it uses sluice-artifacts-<account>-<region>, and creates it (versioned,
encrypted, public access blocked) when it does not exist.

flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *yes && *noExecute {
		return fmt.Errorf("%w: --yes and --no-execute exclude each other", errUsage)
	}
	values := map[string]string{}
	for _, p := range params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return fmt.Errorf("%w: --parameter %q: want KEY=VALUE", errUsage, p)
		}
		values[k] = v
	}
	tpl, err := templateBytes(*template)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	target, err := loadTarget(ctx, *endpoint, *region)
	if err != nil {
		return err
	}

	if !*noBuild {
		fmt.Fprintf(std.Err, "building the function zips into %s\n", *dist)
		if _, err := build(ctx, *dist, lambdaTargets(), std); err != nil {
			return fmt.Errorf("%w (run from the repository root, or pass --no-build with a --dist of built zips)", err)
		}
	}
	artifacts, err := readArtifacts(*dist)
	if err != nil {
		return err
	}
	in := deployer.Input{
		Stack:           *stackName,
		Template:        tpl,
		ArtifactBucket:  *bucket,
		KeyPrefix:       artifactKeyPrefix,
		Parameters:      values,
		BucketParameter: gen.ParamArtifactBucket,
		// The template creates IAM roles without names.
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityIam},
		Execute:      !*noExecute,
	}
	for _, f := range gen.DefaultConfig().Functions() {
		a := artifacts[f.Name]
		body, err := os.ReadFile(filepath.Join(*dist, a.File))
		if err != nil {
			return fmt.Errorf("read %s: %w", a.File, err)
		}
		in.Packages = append(in.Packages, deployer.Package{Key: a.Key, ContentType: "application/zip", Body: body})
		if _, ok := values[f.CodeKeyParam]; !ok {
			values[f.CodeKeyParam] = a.Key
		}
	}
	if !*yes {
		in.Confirm = func() (bool, error) {
			return confirm(std, fmt.Sprintf("Deploy these changes to stack %s?", *stackName))
		}
	}
	d := newDeployer(target, std)
	res, err := d.Deploy(ctx, in)
	if err != nil {
		return err
	}
	if res.NoChanges {
		return nil
	}
	if !res.Executed {
		fmt.Fprintf(std.Out, "Change set not executed. Execute it with\n  aws %scloudformation execute-change-set --change-set-name %s\nor run sluice deploy again.\n",
			cliEndpointFlag(target), res.ChangeSetID)
		return nil
	}
	fmt.Fprintf(std.Out, "\nStack %s: %s\n", *stackName, res.Stack.StackStatus)
	writeStackOutputs(std.Out, target, res.Stack)
	return nil
}

// newDeployer is the deployer of target, writing the change set and outputs to std.Out and its progress
// to std.Err.
func newDeployer(t awsTarget, std stdio) *deployer.Deployer {
	d := &deployer.Deployer{CFN: t.cloudFormation(), S3: t.s3(), STS: t.sts(), Region: t.cfg.Region, Endpoint: t.endpoint,
		Out: std.Out, Log: std.Err}
	if t.local() {
		d.Poll = 200 * time.Millisecond // the local stack answers in milliseconds
	}
	return d
}

// cliEndpointFlag is the AWS CLI's --endpoint-url for t, with a trailing space, or "" for AWS.
func cliEndpointFlag(t awsTarget) string {
	if t.endpoint == "" {
		return ""
	}
	return "--endpoint-url " + t.endpoint + " "
}

// confirm asks a yes/no question on std.Err and reads the answer from std.In; no answer is no.
func confirm(std stdio, question string) (bool, error) {
	fmt.Fprintf(std.Err, "%s [y/N] ", question)
	if std.In == nil {
		fmt.Fprintln(std.Err, "(no input to read the answer from: pass --yes)")
		return false, nil
	}
	line, err := bufio.NewReader(std.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if f, ok := std.In.(*os.File); !ok || !isTerminal(f) {
		fmt.Fprintln(std.Err, strings.TrimSpace(line)) // a terminal echoes the answer; a pipe does not
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(std.Err, "(no answer: pass --yes to deploy without asking)")
	}
	return false, nil
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeStackOutputs prints the stack's outputs and where to look at it: the AWS consoles for a stack in
// AWS, the local console for the local stack.
func writeStackOutputs(w io.Writer, t awsTarget, st *cfntypes.Stack) {
	outputs := map[string]string{}
	keys := make([]string, 0, len(st.Outputs))
	for _, o := range st.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		keys = append(keys, aws.ToString(o.OutputKey))
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nOUTPUT\tVALUE")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\n", k, outputs[k])
	}
	tw.Flush()
	id := aws.ToString(st.StackId)
	if u := deployer.StackConsoleURL(id); u != "" {
		fmt.Fprintf(w, "\nIn the AWS console:\n  stack          %s\n", u)
		if b := deployer.BucketConsoleURL(id, outputs[gen.OutputBucketName]); b != "" {
			fmt.Fprintf(w, "  bucket         %s\n", b)
		}
		if u := outputs[gen.OutputExecutionsConsoleURL]; u != "" {
			fmt.Fprintf(w, "  executions     %s\n", u)
		}
	} else if t.endpoint != "" {
		fmt.Fprintf(w, "\nIn the local console: %s%s\n", strings.TrimSuffix(t.endpoint, "/"), console.DefaultPrefix)
	}
	runFlags := "--stack " + aws.ToString(st.StackName)
	if t.endpoint != "" {
		runFlags = "--endpoint " + t.endpoint + " " + runFlags
	}
	fmt.Fprintf(w, "\nRun the sample dataset through it: %s run %s\n", selfCommand(), runFlags)
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
