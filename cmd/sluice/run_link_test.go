package main

import "testing"

// An execution in AWS is linked to the AWS console; the local stack's to the local console.
func TestExecutionLink(t *testing.T) {
	const local = "arn:aws:states:us-east-1:000000000000:execution:sluice-StateMachine:e1"
	if got, want := executionLink("http://127.0.0.1:4566", local), "http://127.0.0.1:4566/_console/execution?arn="; len(got) < len(want) || got[:len(want)] != want {
		t.Errorf("local execution link %q, want the local console's", got)
	}
	const remote = "arn:aws:states:eu-west-1:123456789012:execution:sluice-StateMachine:e1"
	if got, want := executionLink("https://states.eu-west-1.amazonaws.com", remote),
		"https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/"+remote; got != want {
		t.Errorf("AWS execution link %q, want %q", got, want)
	}
}
