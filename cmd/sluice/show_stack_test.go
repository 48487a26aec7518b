package main

import (
	"strings"
	"testing"
)

// TestShowLogsReadTheStack: with --endpoint, show, logs and redrive read the names of the stack deployed
// there from CloudFormation, as run does, not the template's local names: at an endpoint with no stack
// named sluice they fail and say how to deploy it. TestDeployEndpoint reads a deployed stack's story.
func TestShowLogsReadTheStack(t *testing.T) {
	endpoint := startEmptyUp(t)
	for _, args := range [][]string{
		{"show", "--endpoint", endpoint, "incoming/orders/x.csv"},
		{"logs", "--endpoint", endpoint, "incoming/orders/x.csv"},
		{"redrive", "--endpoint", endpoint, "some-execution"},
		{"show", "--endpoint", endpoint, "--stack", "other", "incoming/orders/x.csv"},
	} {
		stackName := "sluice"
		if args[3] == "--stack" {
			stackName = args[4]
		}
		_, _, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), "describe stack "+stackName) ||
			!strings.Contains(err.Error(), "deploy --endpoint "+endpoint+" --stack "+stackName) {
			t.Errorf("%s: %v, want the stack's DescribeStacks error and how to deploy it", strings.Join(args, " "), err)
		}
	}
}
