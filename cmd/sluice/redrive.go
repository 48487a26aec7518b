package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// runRedrive redrives a failed, aborted or timed-out execution of the pipeline (RedriveExecution): it
// continues from the state that did not succeed, without running again what succeeded.
//
//	sluice redrive [--endpoint URL] [--stack NAME] [--data .sluice] [--wait] EXECUTION-ARN|NAME
//
// A NAME is an execution of the pipeline's state machine. Without --endpoint or --stack the command opens the data
// directory in an embedded stack, which lives as long as the command: it then waits for the end.
func runRedrive(ctx context.Context, args []string, std stdio) error {
	fs := newFlagSet("redrive", std)
	sf := addStackFlags(fs)
	data := fs.String("data", ".sluice", "data directory to open when neither --endpoint nor --stack is given")
	template := fs.String("template", "", "a generated CloudFormation template file (default: the one built into this binary)")
	wait := fs.Bool("wait", false, "wait for the redriven execution to end and print how it ended")
	fs.Usage = func() {
		fmt.Fprint(std.Err, `usage: sluice redrive [flags] EXECUTION-ARN|NAME

Redrives a FAILED, ABORTED or TIMED_OUT execution (RedriveExecution): it continues from the state that
did not succeed, keeping its history and the results of what succeeded. NAME is an execution of the
pipeline's state machine (read from the stack's outputs with --endpoint or --stack).

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: sluice redrive EXECUTION-ARN|NAME", errUsage)
	}
	c, done, err := connect(ctx, sf, *data, *template, std)
	if err != nil {
		return err
	}
	defer done()
	arn := fs.Arg(0)
	if !strings.HasPrefix(arn, "arn:") {
		arn = strings.Replace(c.res.StateMachineArn, ":stateMachine:", ":execution:", 1) + ":" + arn
	}
	out, err := c.sfn.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("redrive %s: %w", arn, err)
	}
	d, err := c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return err
	}
	fmt.Fprintf(std.Out, "redriven: %s (redrive %d, %s)\n", arn, aws.ToInt32(d.RedriveCount),
		aws.ToTime(out.RedriveDate).Local().Format("2006-01-02 15:04:05"))
	if !*wait && sf.deployed() {
		return nil
	}
	for d.Status == sfntypes.ExecutionStatusRunning {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if d, err = c.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)}); err != nil {
			return err
		}
	}
	fmt.Fprintf(std.Out, "%s\n", d.Status)
	if d.Error != nil {
		fmt.Fprintf(std.Out, "  %s: %s\n", aws.ToString(d.Error), firstLine(aws.ToString(d.Cause)))
	}
	return nil
}
