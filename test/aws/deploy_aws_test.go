//go:build aws

package aws

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/sluicehq/sluice/gen"
)

// repoRoot is the repository root, where `sluice deploy` builds the functions.
var repoRoot = filepath.Join("..", "..")

// sluiceBin is the sluice command TestMain built, "" when the tests run against a stack deployed by hand;
// dist is where its deploy built the functions.
var sluiceBin, dist string

// TestMain deploys a stack of its own with `sluice deploy` (unless SLUICE_BUCKET and
// SLUICE_STATE_MACHINE_ARN name a deployed one), runs the tests against it, and deletes it with
// `sluice destroy` (unless SLUICE_KEEP_STACK is set). The data bucket, retained by the template, stays:
// the destroy output names it.
func TestMain(m *testing.M) {
	if os.Getenv("SLUICE_BUCKET") != "" {
		os.Exit(m.Run())
	}
	code, err := deployed(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func deployed(m *testing.M) (int, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sluice-aws-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if repoRoot, err = filepath.Abs(repoRoot); err != nil {
		return 0, err
	}
	sluiceBin, dist = filepath.Join(dir, "sluice"), filepath.Join(dir, "dist")
	build := exec.CommandContext(ctx, "go", "build", "-o", sluiceBin, "./cmd/sluice")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build sluice: %v\n%s", err, out)
	}
	stack := os.Getenv("SLUICE_STACK")
	if stack == "" {
		stack = fmt.Sprintf("sluice-test-%d", time.Now().Unix())
	}
	os.Setenv("SLUICE_STACK", stack)
	if out, err := sluice(ctx, "deploy", "--stack", stack, "--yes", "--dist", dist); err != nil {
		return 0, fmt.Errorf("sluice deploy: %v\n%s", err, out)
	}
	if os.Getenv("SLUICE_KEEP_STACK") == "" {
		defer func() {
			out, err := sluice(ctx, "destroy", "--stack", stack, "--yes")
			fmt.Fprintf(os.Stderr, "sluice destroy (%v):\n%s", err, out)
		}()
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return 0, err
	}
	out, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil {
		return 0, err
	}
	for _, o := range out.Stacks[0].Outputs {
		switch aws.ToString(o.OutputKey) {
		case gen.OutputBucketName:
			os.Setenv("SLUICE_BUCKET", aws.ToString(o.OutputValue))
		case gen.OutputStateMachineArn:
			os.Setenv("SLUICE_STATE_MACHINE_ARN", aws.ToString(o.OutputValue))
		}
	}
	return m.Run(), nil
}

// sluice runs the built sluice in the repository root and returns its output.
func sluice(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, sluiceBin, args...)
	cmd.Dir = repoRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestDeployAgainChangesNothing deploys the same build again: the packages are not uploaded again and
// the empty change set is reported as no changes, with success.
func TestDeployAgainChangesNothing(t *testing.T) {
	if sluiceBin == "" {
		t.Skip("the stack was deployed by hand (SLUICE_BUCKET set)")
	}
	out, err := sluice(t.Context(), "deploy", "--stack", os.Getenv("SLUICE_STACK"), "--yes", "--dist", dist)
	if err != nil {
		t.Fatalf("sluice deploy again: %v\n%s", err, out)
	}
	if !strings.Contains(out, "No changes to deploy") || !strings.Contains(out, "is already there") {
		t.Errorf("second deploy: want no upload and no changes:\n%s", out)
	}
}

// TestRunThroughStack runs the sample dataset with `sluice run --stack`: the bucket and the state
// machine come from the stack's outputs, with the default credential chain.
func TestRunThroughStack(t *testing.T) {
	if sluiceBin == "" {
		t.Skip("the stack was deployed by hand (SLUICE_BUCKET set)")
	}
	out, err := sluice(t.Context(), "run", "--stack", os.Getenv("SLUICE_STACK"), "--timeout", "10m")
	if err != nil {
		t.Fatalf("sluice run --stack: %v\n%s", err, out)
	}
	if !strings.Contains(out, "stored") || !strings.Contains(out, "console.aws.amazon.com") && !strings.Contains(out, "console.amazonaws") {
		t.Errorf("run summary: want stored objects and AWS console links:\n%s", out)
	}
}
