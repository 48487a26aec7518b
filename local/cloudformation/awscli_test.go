package cloudformation_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/sluicehq/sluice/gen"
	"github.com/sluicehq/sluice/local/lambda"
	"github.com/sluicehq/sluice/local/stack"
	"github.com/sluicehq/sluice/sample"
)

// holdKey marks the object whose validation the test holds open, to have an execution in flight
// across a stack update.
const holdKey = "hold-"

// startEmpty starts the whole local stack without a CloudFormation stack (sluice up --empty), with the
// real pipeline handlers; validation of an object whose key holds holdKey waits for release.
func startEmpty(t testing.TB, release <-chan struct{}) *stack.Stack {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fns := stack.PipelineFunctions()
	validate := fns["ValidateFunction"]
	fns["ValidateFunction"] = func(rt lambda.Runtime, endpoint string) awslambda.Handler {
		inner := validate(rt, endpoint)
		return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
			if bytes.Contains(payload, []byte(holdKey)) {
				select {
				case <-release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			return inner.Invoke(ctx, payload)
		})
	}
	st, err := stack.Start(l, stack.Config{Empty: true, DataDir: t.TempDir(), Functions: fns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

// awsCLI returns a runner of the AWS CLI against endpoint, skipping the test when the CLI is absent.
func awsCLI(t *testing.T, endpoint string) func(args ...string) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil || testing.Short() {
		if os.Getenv("SLUICE_REQUIRE_AWSCLI") == "1" {
			t.Fatal("the AWS CLI is required (SLUICE_REQUIRE_AWSCLI=1) but not on PATH")
		}
		t.Skip("the AWS CLI is not on PATH (or -short)")
	}
	home := t.TempDir()
	return func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		// AWS_ENDPOINT_URL reaches every client the CLI makes, the S3 client `cloudformation deploy`
		// uploads the template with included (it takes no --endpoint-url).
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_ENDPOINT_URL="+endpoint, "AWS_PAGER=", "HOME="+home, "AWS_CONFIG_FILE="+filepath.Join(home, "config"),
			"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "credentials"))
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// TestAWSCLIDeploy deploys the generated template with `aws cloudformation deploy` on an empty stack
// and uses the pipeline it made; deploys a change of the config (a retry count) as an in-place update
// of the state machine while an execution is in flight; fails a stack with a bad resource and sees it
// roll back with an event naming the resource; and deletes the stack, the retained bucket staying.
func TestAWSCLIDeploy(t *testing.T) {
	release := make(chan struct{})
	st := startEmpty(t, release)
	run := awsCLI(t, st.URL())
	ctx := t.Context()
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	cf := newClient(st.URL())
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), UsePathStyle: true, Credentials: creds})
	sfnc := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	const artifacts = "cfn-artifacts"
	must("s3", "mb", "s3://"+artifacts)
	var lastDeploy time.Time
	deploy := func(templateFile, stackName string, flags ...string) (string, error) {
		// The CLI names its change set awscli-cloudformation-package-deploy-<Unix seconds>: two deploys
		// of one stack within the same second would ask for the same name, and CreateChangeSet rightly
		// answers AlreadyExistsException while the first change set is kept. Start each in a new second.
		if next := lastDeploy.Truncate(time.Second).Add(time.Second); time.Now().Before(next) {
			time.Sleep(time.Until(next))
		}
		defer func() { lastDeploy = time.Now() }()
		start := time.Now()
		defer func() { t.Logf("aws cloudformation deploy %s took %v", stackName, time.Since(start)) }()
		return run(append([]string{"cloudformation", "deploy", "--template-file", templateFile, "--stack-name", stackName, "--s3-bucket", artifacts,
			"--capabilities", "CAPABILITY_NAMED_IAM", "--parameter-overrides", "ArtifactBucket=" + artifacts,
			"ValidateCodeKey=fn/validate.zip", "ProcessCodeKey=fn/process.zip", "StoreCodeKey=fn/store.zip"}, flags...)...)
	}
	started := time.Now()
	if out, err := deploy(filepath.Join("..", "..", "deploy", "template.json"), "s"); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}
	t.Logf("first deploy took %v", time.Since(started))
	outputs := stackOutputs(t, cf, "s")
	bucket, machine := outputs["BucketName"], outputs["StateMachineArn"]
	if bucket == "" || machine == "" {
		t.Fatalf("outputs %v: want BucketName and StateMachineArn", outputs)
	}

	t.Run("pipeline works", func(t *testing.T) {
		for _, f := range []struct{ src, key string }{{"schemas/orders.json", "schemas/orders.json"}, {"incoming/orders/2024-03-01.csv", "incoming/orders/2024-03-01.csv"}} {
			body, err := sample.FS.ReadFile(f.src)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(f.key), Body: bytes.NewReader(body)}); err != nil {
				t.Fatal(err)
			}
		}
		exec := waitExecution(t, sfnc, machine, func(e sfntypes.ExecutionListItem) bool { return e.Status != sfntypes.ExecutionStatusRunning })
		if exec.Status != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("execution %s: %s, want SUCCEEDED", aws.ToString(exec.ExecutionArn), exec.Status)
		}
	})

	t.Run("update in place with an execution in flight", func(t *testing.T) {
		before, err := sfnc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			t.Fatal(err)
		}
		body, err := sample.FS.ReadFile("incoming/orders/2024-03-01.csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("incoming/orders/" + holdKey + "1.csv"), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
		held := waitExecution(t, sfnc, machine, func(e sfntypes.ExecutionListItem) bool { return e.Status == sfntypes.ExecutionStatusRunning })
		c := gen.DefaultConfig()
		c.TaskRetry.MaxAttempts = 3
		tpl, err := gen.TemplateJSON(c)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "template.json")
		if err := os.WriteFile(file, tpl, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := deploy(file, "s"); err != nil {
			t.Fatalf("deploy of the changed template: %v\n%s", err, out)
		}
		st := describeStack(t, cf, "s")
		if st.StackStatus != cfntypes.StackStatusUpdateComplete {
			t.Fatalf("stack %s after the update, want UPDATE_COMPLETE", st.StackStatus)
		}
		after, err := sfnc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			t.Fatalf("the state machine is gone after an in-place update: %v", err)
		}
		if aws.ToString(after.Definition) == aws.ToString(before.Definition) || !strings.Contains(aws.ToString(after.Definition), `"MaxAttempts":3`) {
			t.Errorf("definition not updated to MaxAttempts 3:\n%s", aws.ToString(after.Definition))
		}
		if got := stackOutputs(t, cf, "s")["StateMachineArn"]; got != machine {
			t.Errorf("state machine ARN %s after the update, want %s (updated in place)", got, machine)
		}
		running, err := sfnc.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: held.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(running.Definition) != aws.ToString(before.Definition) {
			t.Error("the execution in flight does not run on the definition it started with")
		}
		close(release)
		done := waitExecution(t, sfnc, machine, func(e sfntypes.ExecutionListItem) bool {
			return aws.ToString(e.ExecutionArn) == aws.ToString(held.ExecutionArn) && e.Status != sfntypes.ExecutionStatusRunning
		})
		if done.Status != sfntypes.ExecutionStatusSucceeded {
			t.Errorf("held execution ended %s, want SUCCEEDED", done.Status)
		}
		if out, err := deploy(file, "s", "--no-fail-on-empty-changeset"); err != nil || !strings.Contains(out, "No changes to deploy") {
			t.Errorf("deploying the same template again: %v\n%s", err, out)
		}
	})

	t.Run("a bad resource rolls back", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "bad.json")
		if err := os.WriteFile(file, []byte(badTemplate), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := run("cloudformation", "deploy", "--template-file", file, "--stack-name", "bad")
		if err == nil {
			t.Fatalf("deploy of a bad template succeeded:\n%s", out)
		}
		st := describeStack(t, cf, "bad")
		if st.StackStatus != cfntypes.StackStatusRollbackComplete {
			t.Errorf("stack %s, want ROLLBACK_COMPLETE", st.StackStatus)
		}
		ev, err := cf.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: aws.String("bad")})
		if err != nil {
			t.Fatal(err)
		}
		var failed *cfntypes.StackEvent
		deletedGroup := false
		for i, e := range ev.StackEvents {
			if e.ResourceStatus == cfntypes.ResourceStatusCreateFailed && failed == nil {
				failed = &ev.StackEvents[i]
			}
			if aws.ToString(e.LogicalResourceId) == "Logs" && e.ResourceStatus == cfntypes.ResourceStatusDeleteComplete {
				deletedGroup = true
			}
		}
		if failed == nil || aws.ToString(failed.LogicalResourceId) != "BadMachine" || !strings.Contains(aws.ToString(failed.ResourceStatusReason), "InvalidDefinition") {
			t.Errorf("CREATE_FAILED event %+v: want BadMachine with InvalidDefinition", failed)
		}
		if !deletedGroup {
			t.Error("the log group the stack created was not deleted by the rollback")
		}
	})

	t.Run("delete-stack", func(t *testing.T) {
		res, err := cf.ListStackResources(ctx, &cfn.ListStackResourcesInput{StackName: aws.String("s")})
		if err != nil {
			t.Fatal(err)
		}
		var groups, rules []string
		for _, r := range res.StackResourceSummaries {
			switch aws.ToString(r.ResourceType) {
			case "AWS::Logs::LogGroup":
				groups = append(groups, aws.ToString(r.PhysicalResourceId))
			case "AWS::Events::Rule":
				rules = append(rules, aws.ToString(r.PhysicalResourceId))
			}
		}
		if len(groups) == 0 || len(rules) == 0 {
			t.Fatalf("stack resources %v: want log groups and a rule", res.StackResourceSummaries)
		}
		must("cloudformation", "delete-stack", "--stack-name", "s")
		must("cloudformation", "wait", "stack-delete-complete", "--stack-name", "s")
		if _, err := sfnc.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(machine)}); err == nil {
			t.Error("the state machine outlived its stack")
		}
		if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
			t.Errorf("the bucket (DeletionPolicy Retain) is gone: %v", err)
		}
		if n := len(st.Lambda.Functions()); n != 0 {
			t.Errorf("%d functions outlived their stack", n)
		}
		logsc := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		for _, g := range groups {
			out, err := logsc.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(g)})
			if err != nil {
				t.Fatal(err)
			}
			for _, lg := range out.LogGroups {
				if aws.ToString(lg.LogGroupName) == g {
					t.Errorf("log group %s outlived its stack", g)
				}
			}
		}
		ebc := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(st.URL()), Credentials: creds})
		for _, r := range rules {
			if _, err := ebc.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(r)}); err == nil {
				t.Errorf("rule %s outlived its stack", r)
			}
		}
	})
}

// badTemplate creates a log group, then fails on a state machine whose definition Step Functions
// rejects.
const badTemplate = `{
  "Resources": {
    "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "bad-stack-logs"}},
    "BadMachine": {"Type": "AWS::StepFunctions::StateMachine", "DependsOn": "Logs", "Properties": {
      "RoleArn": "arn:aws:iam::000000000000:role/r",
      "DefinitionString": "{\"StartAt\": \"Nowhere\", \"States\": {}}"}}
  }
}`

func describeStack(t *testing.T, c *cfn.Client, name string) cfntypes.Stack {
	t.Helper()
	out, err := c.DescribeStacks(t.Context(), &cfn.DescribeStacksInput{StackName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStacks %s: %v", name, err)
	}
	return out.Stacks[0]
}

func stackOutputs(t *testing.T, c *cfn.Client, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range describeStack(t, c, name).Outputs {
		out[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	return out
}

// waitExecution polls the machine's executions until one satisfies ok.
func waitExecution(t *testing.T, c *sfn.Client, machine string, ok func(sfntypes.ExecutionListItem) bool) sfntypes.ExecutionListItem {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.ListExecutions(t.Context(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		for _, e := range out.Executions {
			if ok(e) {
				return e
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no execution of %s as wanted within 30 s", machine)
	return sfntypes.ExecutionListItem{}
}
