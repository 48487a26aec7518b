package tasks_test

import (
	"testing"

	"github.com/sluicehq/sluice/tasks"
)

func TestExecutionConsoleURL(t *testing.T) {
	tests := []struct{ arn, want string }{
		{"arn:aws:states:eu-west-1:123456789012:execution:sluice-StateMachine:0f9d3a1e",
			"https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1#/v2/executions/details/arn:aws:states:eu-west-1:123456789012:execution:sluice-StateMachine:0f9d3a1e"},
		{"arn:aws-cn:states:cn-north-1:123456789012:execution:m:e",
			"https://cn-north-1.console.amazonaws.cn/states/home?region=cn-north-1#/v2/executions/details/arn:aws-cn:states:cn-north-1:123456789012:execution:m:e"},
		{"arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:m:e",
			"https://us-gov-west-1.console.amazonaws-us-gov.com/states/home?region=us-gov-west-1#/v2/executions/details/arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:m:e"},
		{"arn:aws:states:us-east-1:000000000000:execution:sluice-StateMachine:local", ""}, // the local stack
		{"arn:aws:states:us-east-1:123456789012:stateMachine:m", ""},
		{"arn:aws-xx:states:r:123456789012:execution:m:e", ""},
		{"not an arn", ""},
	}
	for _, tc := range tests {
		if got := tasks.ExecutionConsoleURL(tc.arn); got != tc.want {
			t.Errorf("ExecutionConsoleURL(%q) = %q, want %q", tc.arn, got, tc.want)
		}
	}
}
