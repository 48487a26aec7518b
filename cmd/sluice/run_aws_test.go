package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sluicehq/sluice/local/stack"
)

// TestSummaryInAWS checks the summary of a run through a stack in AWS: AWS CLI commands without an
// endpoint or local credentials, the failed execution's page in the Step Functions console, and nothing
// of the local stack (its console, sluice show, which read only a local stack).
func TestSummaryInAWS(t *testing.T) {
	var out bytes.Buffer
	r := &runner{std: stdio{Out: &out, Err: &out}, inAWS: true, res: stack.Resources{Bucket: "data",
		StateMachineArn:   "arn:aws:states:eu-west-1:123456789012:stateMachine:sluice-StateMachine",
		FunctionLogGroups: map[string]string{"ValidateFunction": "/aws/lambda/sluice-validate"}}}
	failed := "arn:aws:states:eu-west-1:123456789012:execution:sluice-StateMachine:e1"
	r.summary([]outcome{
		{key: "incoming/orders/a.csv", execution: "arn:aws:states:eu-west-1:123456789012:execution:sluice-StateMachine:e0", status: "SUCCEEDED", result: "stored"},
		{key: "incoming/orders/b.csv", execution: failed, status: "FAILED", result: "failed"},
	}, "", false, "")
	got := out.String()
	for _, want := range []string{
		"aws stepfunctions list-executions --state-machine-arn " + r.res.StateMachineArn,
		"aws stepfunctions describe-execution --execution-arn " + failed,
		"aws logs filter-log-events --log-group-name /aws/lambda/sluice-validate",
		"https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"--endpoint", "AWS_ACCESS_KEY_ID=local", "_console", " show "} {
		if strings.Contains(got, unwanted) {
			t.Errorf("summary of a run in AWS has %q:\n%s", unwanted, got)
		}
	}
}
