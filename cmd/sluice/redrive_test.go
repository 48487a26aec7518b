package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go/middleware"

	localsfn "github.com/sluicehq/sluice/local/sfn"
)

// TestRedriveCommand: `sluice redrive` redrives a failed execution of a running stack by ARN and, with
// --wait, reports how it ended; a second redrive of the succeeded execution fails with AWS's error code.
func TestRedriveCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	addr := freeAddr(t)
	up := startUp(t, "--addr", addr, "--data", "data")
	up.waitOutput(t, "pid ")
	url := "http://" + addr
	c := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
		APIOptions:  []func(*middleware.Stack) error{localsfn.DisableHostPrefix}})
	ctx := t.Context()
	// Fails on its first attempt (invalid JSON), succeeds once redriven: the state that failed reads
	// $$.Execution.RedriveCount.
	m, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("second-time"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/sfn"), Definition: aws.String(`{"StartAt":"P","States":{
		"P":{"Type":"Pass","Parameters":{"v.$":"States.StringToJson(States.ArrayGetItem(States.Array('{', '{}'), $$.Execution.RedriveCount))"},"End":true}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	x, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: m.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(x.ExecutionArn)
	for deadline := time.Now().Add(10 * time.Second); ; {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: x.ExecutionArn})
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == "FAILED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("execution did not fail: %s", d.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx2, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, errOut, err := runCLIContext(ctx2, "redrive", "--endpoint", url, "--wait", arn)
	if err != nil {
		t.Fatalf("sluice redrive: %v\n%s", err, errOut)
	}
	for _, w := range []string{"redriven: " + arn + " (redrive 1,", "\nSUCCEEDED\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if _, _, err := runCLIContext(ctx2, "redrive", "--endpoint", url, arn); err == nil || !strings.Contains(err.Error(), "ExecutionNotRedrivable") {
		t.Errorf("redrive of a succeeded execution: %v, want ExecutionNotRedrivable", err)
	}
	if _, _, err := runCLIContext(ctx2, "redrive", "--endpoint", url); err == nil {
		t.Error("redrive without an execution: no error")
	}
}

func runCLIContext(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errOut strings.Builder
	err = dispatch(ctx, args, stdio{Out: &out, Err: &errOut})
	return out.String(), errOut.String(), err
}
