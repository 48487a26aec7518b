package sfn_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/sfn"
)

// TestMapRunBadInput checks the Map Run operations' answers to bad input, each with the error code the
// API reference lists for it:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeMapRun.html,
// API_ListMapRuns.html, API_UpdateMapRun.html and API_ListExecutions.html.
func TestMapRunBadInput(t *testing.T) {
	_, c := start(t)
	ctx := t.Context()
	const (
		unknownRun = "arn:aws:states:us-east-1:000000000000:mapRun:sm/Map:0f4b63bf-ef4b-3bcb-8b6a-9e46e2d3cc4a"
		badRun     = "arn:aws:states:us-east-1:000000000000:execution:sm:x"
		unknownEx  = "arn:aws:states:us-east-1:000000000000:execution:sm:x"
		machine    = "arn:aws:states:us-east-1:000000000000:stateMachine:sm"
	)
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"describe: no arn", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String("")})
			return err
		}, "ValidationException"},
		{"describe: not a map run arn", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(badRun)})
			return err
		}, "InvalidArn"},
		{"describe: unknown", func() error {
			_, err := c.DescribeMapRun(ctx, &sdk.DescribeMapRunInput{MapRunArn: aws.String(unknownRun)})
			return err
		}, "ResourceNotFound"},
		{"list: not an execution arn", func() error {
			_, err := c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(machine)})
			return err
		}, "InvalidArn"},
		{"list: unknown execution", func() error {
			_, err := c.ListMapRuns(ctx, &sdk.ListMapRunsInput{ExecutionArn: aws.String(unknownEx)})
			return err
		}, "ExecutionDoesNotExist"},
		{"update: not a map run arn", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(badRun), MaxConcurrency: aws.Int32(1)})
			return err
		}, "InvalidArn"},
		{"update: unknown", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), MaxConcurrency: aws.Int32(1)})
			return err
		}, "ResourceNotFound"},
		{"update: negative concurrency", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), MaxConcurrency: aws.Int32(-1)})
			return err
		}, "ValidationException"},
		{"update: percentage over 100", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), ToleratedFailurePercentage: aws.Float32(100.5)})
			return err
		}, "ValidationException"},
		{"update: negative count", func() error {
			_, err := c.UpdateMapRun(ctx, &sdk.UpdateMapRunInput{MapRunArn: aws.String(unknownRun), ToleratedFailureCount: aws.Int64(-1)})
			return err
		}, "ValidationException"},
		{"list executions: map run and state machine", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(unknownRun), StateMachineArn: aws.String(machine)})
			return err
		}, "ValidationException"},
		{"list executions: bad map run arn", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(badRun)})
			return err
		}, "InvalidArn"},
		{"list executions: unknown map run", func() error {
			_, err := c.ListExecutions(ctx, &sdk.ListExecutionsInput{MapRunArn: aws.String(unknownRun)})
			return err
		}, "ResourceNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apiCode(tt.call()); got != tt.code {
				t.Errorf("error code = %q, want %q", got, tt.code)
			}
		})
	}
}
